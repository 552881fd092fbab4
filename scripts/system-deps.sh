#!/usr/bin/env bash
# The Debian packages the tracker uses beyond Python: tesseract (OCR), poppler (PDF rendering) and
# LibreOffice (office files to PDF); with `test`, also what the tests start: dovecot (a real IMAP server).
# Installed with apt-get when we are root and they are missing; otherwise we say what to install.
set -euo pipefail
missing=()
command -v tesseract >/dev/null || missing+=(tesseract-ocr tesseract-ocr-eng)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
command -v soffice >/dev/null || missing+=(libreoffice-writer-nogui libreoffice-impress-nogui)  # office files
if [ "${1:-}" = test ]; then
  [ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd)  # the mail tests fetch from it (tests/mail_servers.py)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]}…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "Note: the tracker needs these Debian packages: ${missing[*]}"
  echo "      Install them with: sudo apt-get install ${missing[*]}"
  echo "      (without them, scanned pages stay unsearchable, office files are not read, and the tests"
  echo "      that need them are skipped; with CI=true they fail instead)."
fi

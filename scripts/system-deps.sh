#!/usr/bin/env bash
# The Debian packages the tracker uses beyond Python: tesseract (OCR) and poppler (PDF rendering).
# Installed with apt-get when we are root and they are missing; otherwise we say what to install.
set -euo pipefail
missing=()
command -v tesseract >/dev/null || missing+=(tesseract-ocr tesseract-ocr-eng)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
command -v soffice >/dev/null || missing+=(libreoffice-writer-nogui libreoffice-impress-nogui)  # office files
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]} (OCR of scanned pages)…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "Note: OCR needs these Debian packages: ${missing[*]}"
  echo "      Install them with: sudo apt-get install ${missing[*]}"
  echo "      (without them, scanned pages stay unsearchable and the OCR tests are skipped)."
fi

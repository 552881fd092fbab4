"""Peak memory of reading a large saved email: Python's email package against the streaming splitter.

    .venv/bin/python bench/eml_memory.py [--mb 250] [--keep PATH]

Writes an .eml of about --mb megabytes (a short body and one base64 attachment
of random bytes; an agency's bodycam export or a scanned release is like it),
then reads it twice, each time in a forked child:
- before: email.message_from_binary_file and get_payload(decode=True) for each
  attachment, as records/ingest/unpack.py did until issue 10;
- after: records.ingest.mail.split_email, as unpack_email now runs it (in the
  sandbox, here without its memory cap so the two figures compare).
Prints JSON: the file size, the children's peak RSS (ru_maxrss, MB) and time,
and the peak of an idle child (what a fork costs before it reads anything).
"""

import argparse
import base64
import email
import email.policy
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench")

import django  # noqa: E402

django.setup()

from records.ingest.mail import split_email  # noqa: E402

MB = 1024 * 1024


def write_email(path: Path, megabytes: int) -> str:
    """An email of about `megabytes` MB; returns its attachment's sha256."""
    digest = hashlib.sha256()
    raw_bytes = megabytes * MB * 3 // 4  # base64 costs 4 bytes for 3, plus line breaks
    with open(path, "wb") as file:
        file.write(
            b"From: records@example.gov\r\nTo: desk@example.org\r\nSubject: Export\r\n"
            b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="=_b"\r\n\r\n'
            b"--=_b\r\nContent-Type: text/plain\r\n\r\nThe export is attached.\r\n"
            b'--=_b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="x.bin"\r\n'
            b"Content-Transfer-Encoding: base64\r\n\r\n"
        )
        written = 0
        while written < raw_bytes:
            chunk = os.urandom(57 * 1024)
            digest.update(chunk)
            file.write(base64.encodebytes(chunk).replace(b"\n", b"\r\n"))
            written += len(chunk)
        file.write(b"--=_b--\r\n")
    return digest.hexdigest()


def with_the_email_package(path: Path, folder: str) -> None:
    with open(path, "rb") as file:
        message = email.message_from_binary_file(file, policy=email.policy.default)
    for number, part in enumerate(message.iter_attachments()):
        Path(folder, f"part-{number}").write_bytes(part.get_payload(decode=True))


def with_the_splitter(path: Path, folder: str) -> None:
    for _ in split_email(str(path), folder, 5000):
        pass


def idle(path: Path, folder: str) -> None:
    pass


def in_a_child(read, path: Path) -> dict:
    """Run read(path, folder) in a forked child; its peak RSS and wall time."""
    with tempfile.TemporaryDirectory(prefix="eml-bench-") as folder:
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:
            try:
                read(path, folder)
            finally:
                os._exit(0)
        _, status, usage = os.wait4(pid, 0)
        return {
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # kilobytes on Linux
            "seconds": round(time.monotonic() - started, 1),
            "exit_status": status,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=250, help="size of the generated email")
    parser.add_argument("--keep", type=Path, help="write the email here and keep it (default: a temporary file)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="eml-bench-") as folder:
        path = options.keep or Path(folder, "large.eml")
        write_email(path, options.mb)
        print(
            json.dumps(
                {
                    "eml_mb": round(path.stat().st_size / MB, 1),
                    "idle_child": in_a_child(idle, path),
                    "before_email_package": in_a_child(with_the_email_package, path),
                    "after_streaming_splitter": in_a_child(with_the_splitter, path),
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()

"""Word-processing and presentation files (DOCX, DOCM, DOC, ODT, RTF, PPTX, PPT, ODP) become PDFs.

LibreOffice converts them headless, inside the sandboxed child (isolate.py) with its own
time limit, a fresh profile per run (so two conversions can run at once), macros disabled
by the profile, and no network where the system lets us open a network namespace. The PDF
is stored as a derived file and read page by page like any PDF; the released file is kept.

Password-protected Office files (OOXML in an OLE2 "EncryptedPackage", or a legacy .doc/.xls with
RC4 or XOR encryption inside its own streams) ask for the password and are decrypted with
msoffcrypto-tool, also in the child; the password is never stored.
"""

import contextlib
import functools
import inspect
import os
import shutil
import signal
import subprocess
import time
import zipfile
from pathlib import Path

from .errors import IngestError, NeedsPassword

DOCX, DOCM, DOC, ODT, RTF, PPTX, PPTM, PPT, ODP = "docx", "docm", "doc", "odt", "rtf", "pptx", "pptm", "ppt", "odp"
OFFICE_TYPES = (DOCX, DOCM, DOC, ODT, RTF, PPTX, PPTM, PPT, ODP)
MACRO_TYPES = (DOCM, PPTM)
# A password-protected Word, Excel or PowerPoint file: what is inside shows only once decrypted.
ENCRYPTED_OFFICE = "encrypted-office"

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MB = 1024 * 1024


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


ASK_FOR_PASSWORD = (
    "This Office file is protected by a password (it is encrypted). Enter the password the agency sent to read it."
)
WRONG_PASSWORD = "That password does not open this file. Check it with the agency and try again."


# What a file is. Content first; the name only tells the OpenDocument and OOXML variants apart.


def office_format(path: str, detected: str) -> str | None:
    """One of OFFICE_TYPES, ENCRYPTED_OFFICE, or None (not a word-processing or presentation file)."""
    if detected == "zip":
        return _zip_format(path)
    if detected != "unknown":
        return None
    with open(path, "rb") as file:
        head = file.read(8)
    if head.startswith(b"{\\rtf"):
        return RTF
    if head == _OLE2:
        return _ole2_format(path)
    return None


def _zip_format(path: str) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            macros = any(name.lower().endswith("vbaproject.bin") for name in names)
            if "word/document.xml" in names:
                return DOCM if macros else DOCX
            if "ppt/presentation.xml" in names:
                return PPTM if macros else PPTX
            if "mimetype" in names:
                with archive.open("mimetype") as member:  # never read() whole: it may be a bomb
                    kind = member.read(100).strip()
                if kind == b"application/vnd.oasis.opendocument.text":
                    return ODT
                if kind == b"application/vnd.oasis.opendocument.presentation":
                    return ODP
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None  # unpack_zip says it is damaged
    return None


def _ole2_format(path: str) -> str | None:
    """Legacy Word or PowerPoint, or an encrypted OOXML file. Outlook .msg (mail's) and Excel .xls
    (sheets.py's) also live in OLE2 containers and may hold a Word stream in an attachment or an
    embedded object, so those are ruled out first."""
    with open(path, "rb") as file:
        data = file.read(64 * _MB)  # the directory names sit well within this in any real file
    if _utf16("__substg1.0_") in data or _utf16("__properties_version1.0") in data:
        return None  # an Outlook message
    if _utf16("EncryptedPackage") in data:
        return ENCRYPTED_OFFICE
    if _utf16("Workbook") in data or _utf16("Book\x00") in data:
        return None  # an Excel workbook
    if _utf16("WordDocument") in data:
        return DOC
    if _utf16("PowerPoint Document") in data:
        return PPT
    return None


def macro_note() -> str:
    return "This file contains macros; they were never run (LibreOffice converts it with macros disabled)."


# Conversion, in the sandboxed child (run it with run_isolated).

_EXTENSION = {DOCM: "docm", PPTM: "pptm"}
TIMED_OUT = (
    "LibreOffice took longer than {seconds:g} seconds to convert this file to PDF, the limit for one "
    "document, so it was stopped. The file is kept; it may be very large or damaged."
)
NOT_CONVERTED = (
    "LibreOffice could not convert this file to PDF: it is probably damaged, or not really the kind of "
    "file its content suggests. The file is kept; ask the agency for it again or as a PDF."
)

_RESTART = 81  # soffice.bin's exit status when it wants to be started again (after creating a profile)

# A profile made for each run: macros never run (security level "very high", execution disabled),
# no first-start wizard, no update or locking checks.
_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="UseLocking" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


def libreoffice() -> str | None:
    """The LibreOffice program: soffice.bin itself where it can be found (no launcher process in between,
    so the child's kill reaches it), else the soffice launcher on PATH."""
    launcher = shutil.which("soffice") or shutil.which("libreoffice")
    if launcher is None:
        return None
    program = Path(os.path.realpath(launcher)).with_name("soffice.bin")
    return str(program) if program.exists() else launcher


@functools.cache
def _network_namespace() -> list[str]:
    """A prefix that runs a command with no network (a fresh, empty network namespace), where allowed."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    prefix = [unshare, "--net", "--map-root-user"]
    try:
        subprocess.run([*prefix, "true"], check=True, capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return []
    return prefix


def convert_to_pdf(path: str, kind: str, folder: str, seconds: float):
    """The child's generator: convert the file to PDF in `folder`; yield ("pdf", path_of_the_pdf)."""
    program = libreoffice()
    if program is None:
        raise IngestError(
            "LibreOffice is not installed on this server, so word-processing and presentation files cannot be "
            "read yet. The file is kept; an administrator can install LibreOffice and retry it."
        )
    work = Path(folder)
    source = work / f"released.{_EXTENSION.get(kind, kind)}"  # stored blobs have no extension; LibreOffice likes one
    shutil.copyfile(path, source)
    profile = work / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE)
    out = work / "out"
    command = [
        *_network_namespace(), program, f"-env:UserInstallation={profile.as_uri()}",
        "--headless", "--invisible", "--norestore", "--nolockcheck", "--nodefault", "--nologo", "--nofirststartwizard",
        "--convert-to", "pdf", "--outdir", str(out), str(source),
    ]  # fmt: skip
    environment = {**os.environ, "HOME": str(work), "TMPDIR": str(work)}
    deadline = time.monotonic() + seconds
    for _ in range(2):  # a fresh profile's first start ends with "restart needed" (81), as the launcher knows
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=environment, cwd=work, start_new_session=True, preexec_fn=_die_with_parent,
        )  # fmt: skip
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.01))
        except subprocess.TimeoutExpired:
            raise IngestError(TIMED_OUT.format(seconds=seconds)) from None
        finally:
            _kill_group(process)
        if process.returncode != _RESTART:
            break
    pdf = out / f"{source.stem}.pdf"
    if not pdf.is_file() or pdf.stat().st_size == 0:
        raise IngestError(NOT_CONVERTED)
    yield ("pdf", str(pdf))


def _die_with_parent() -> None:
    # LibreOffice dies with the sandboxed child: a child killed at its time limit leaves nothing running.
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


# Decryption, in the sandboxed child.


def may_be_legacy_encrypted(path: str) -> bool:
    """A legacy Word or Excel file (OLE2 with a WordDocument or Workbook stream): its encryption, if any, is
    a flag inside that stream, which legacy_encryption() reads in the child."""
    with open(path, "rb") as file:
        if file.read(8) != _OLE2:
            return False
        data = file.read(64 * _MB)
    if _utf16("__substg1.0_") in data or _utf16("EncryptedPackage") in data:
        return False  # an Outlook message; an encrypted OOXML file (found by _ole2_format)
    return any(_utf16(stream) in data for stream in ("WordDocument", "Workbook", "Book\x00"))


def legacy_encryption(path: str):
    """The child's generator: yield ("encrypted", True) when a legacy .doc/.xls is password-protected.

    A file msoffcrypto-tool cannot parse yields False: the converter or the sheet reader says what is wrong."""
    import msoffcrypto

    try:
        with open(path, "rb") as source:
            encrypted = bool(msoffcrypto.OfficeFile(source).is_encrypted())
    except Exception:
        encrypted = False
    yield ("encrypted", encrypted)


def is_encrypted_office(path: str) -> bool:
    with open(path, "rb") as file:
        if file.read(8) != _OLE2:
            return False
    return _ole2_format(path) == ENCRYPTED_OFFICE


def decrypt(path: str, password: str, target: str):
    """The child's generator: write the decrypted file to `target`; yield ("decrypted", target).

    A wrong password raises NeedsPassword (the document keeps asking)."""
    import msoffcrypto
    from msoffcrypto.exceptions import DecryptionError, InvalidKeyError

    damaged = IngestError("This password-protected file could not be decrypted: it may be damaged. The file is kept.")
    with open(path, "rb") as source:
        try:
            office = msoffcrypto.OfficeFile(source)
        except Exception:
            raise damaged from None
        try:
            if "verify_password" in inspect.signature(office.load_key).parameters:
                office.load_key(password=password, verify_password=True)
            else:
                office.load_key(password=password)
        except (InvalidKeyError, DecryptionError):
            raise NeedsPassword(WRONG_PASSWORD) from None
        except Exception:
            raise damaged from None
        try:
            with open(target, "wb") as out:
                office.decrypt(out)
        except (InvalidKeyError, DecryptionError):
            raise NeedsPassword(WRONG_PASSWORD) from None
        except Exception:
            raise damaged from None
    yield ("decrypted", target)

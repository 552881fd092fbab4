"""Connections to a team's IMAP and SMTP servers, and what went wrong in words.

"None" as security is only allowed for a server on this machine (loopback): anywhere else the
password would cross the network in clear text.
"""

import contextlib
import imaplib
import ipaddress
import smtplib
import socket
import ssl
from dataclasses import dataclass

from .secrets import MailSecretMissing, decrypt

TIMEOUT = 30  # seconds for connecting and for each reply


class MailConnectionError(Exception):
    """A step of connecting failed; the message says which and why, in words."""

    def __init__(self, step: str, message: str, *, login_failed: bool = False):
        super().__init__(message)
        self.step, self.message, self.login_failed = step, message, login_failed


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def open_imap(mailbox, *, select: bool = True) -> imaplib.IMAP4:
    """Connected, logged in and (with select) the folder selected, read-only."""
    host, port = mailbox.imap_host, mailbox.imap_port
    try:
        if mailbox.imap_security == "ssl":
            connection = imaplib.IMAP4_SSL(host, port, ssl_context=_tls_context(host), timeout=TIMEOUT)
        else:
            connection = imaplib.IMAP4(host, port, timeout=TIMEOUT)
            if mailbox.imap_security == "starttls":
                connection.starttls(ssl_context=_tls_context(host))
    except Exception as error:
        raise MailConnectionError("IMAP connection", _network_words("IMAP", host, port, error)) from None
    try:
        connection.login(mailbox.imap_user, _password(mailbox.imap_password_encrypted))
    except MailSecretMissing as error:
        close_imap(connection)
        raise MailConnectionError("IMAP login", str(error), login_failed=True) from None
    except (imaplib.IMAP4.error, OSError) as error:
        close_imap(connection)
        raise MailConnectionError(
            "IMAP login",
            f"The IMAP server refused the user name or password for {mailbox.imap_user!r} ({_said(error)}). "
            "Check them; many providers need an app password rather than the account's password.",
            login_failed=True,
        ) from None
    if select:
        try:
            status, _ = connection.select(_quoted(mailbox.imap_folder), readonly=True)
        except (imaplib.IMAP4.error, OSError) as error:
            status = f"error: {_said(error)}"
        if status != "OK":
            close_imap(connection)
            raise MailConnectionError(
                "IMAP folder",
                f"The folder {mailbox.imap_folder!r} does not exist on the IMAP server (or cannot be opened). "
                "Check its name; the usual one is INBOX.",
            )
    return connection


def open_smtp(mailbox) -> smtplib.SMTP:
    host, port = mailbox.smtp_host, mailbox.smtp_port
    try:
        if mailbox.smtp_security == "ssl":
            connection = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT, context=_tls_context(host))
        else:
            connection = smtplib.SMTP(host, port, timeout=TIMEOUT)
        connection.ehlo()
        if mailbox.smtp_security == "starttls":
            connection.starttls(context=_tls_context(host))
            connection.ehlo()
    except Exception as error:
        raise MailConnectionError("SMTP connection", _network_words("SMTP", host, port, error)) from None
    if mailbox.smtp_user:
        try:
            connection.login(mailbox.smtp_user, _password(mailbox.smtp_password_encrypted))
        except MailSecretMissing as error:
            close_smtp(connection)
            raise MailConnectionError("SMTP login", str(error), login_failed=True) from None
        except (smtplib.SMTPException, OSError) as error:
            close_smtp(connection)
            raise MailConnectionError(
                "SMTP login",
                f"The SMTP server refused the user name or password for {mailbox.smtp_user!r} ({_said(error)}).",
                login_failed=True,
            ) from None
    return connection


@dataclass
class CheckResult:
    step: str
    ok: bool
    message: str


def check_mailbox(mailbox) -> list[CheckResult]:
    """The "Test connection" button: IMAP login and folder, then SMTP greeting and login."""
    results = []
    try:
        connection = open_imap(mailbox)
        close_imap(connection)
        results.append(
            CheckResult("IMAP", True, f"Logged in to {mailbox.imap_host} and opened {mailbox.imap_folder!r}.")
        )
    except MailConnectionError as error:
        results.append(CheckResult(error.step, False, error.message))
    try:
        connection = open_smtp(mailbox)
        close_smtp(connection)
        done = "logged in" if mailbox.smtp_user else "greeted (no login configured)"
        results.append(CheckResult("SMTP", True, f"Connected to {mailbox.smtp_host} and {done}."))
    except MailConnectionError as error:
        results.append(CheckResult(error.step, False, error.message))
    return results


def _password(encrypted: str) -> str:
    return decrypt(encrypted)


def _tls_context(host: str) -> ssl.SSLContext:
    return ssl.create_default_context()


def _network_words(protocol: str, host: str, port: int, error: Exception) -> str:
    if isinstance(error, socket.gaierror):
        return f"The {protocol} server name {host!r} could not be found (DNS). Check the spelling of the server."
    if isinstance(error, ConnectionRefusedError):
        return f"Nothing answered at {host} port {port} (connection refused). Check the port and the server."
    if isinstance(error, ssl.SSLCertVerificationError):
        return (
            f"The {protocol} server's certificate could not be verified ({error.verify_message}). "
            "It must be valid for the name you typed."
        )
    if isinstance(error, ssl.SSLError):
        return (
            f"The secure connection (TLS) to {host} port {port} failed ({_said(error)}). "
            "Check that the security setting matches the port (usually SSL/TLS on 993/465, STARTTLS on 143/587)."
        )
    if isinstance(error, TimeoutError | socket.timeout):
        return f"{host} port {port} did not answer within {TIMEOUT} seconds. Check the server and the port."
    if isinstance(error, imaplib.IMAP4.error | smtplib.SMTPException):
        return f"The {protocol} server at {host} port {port} answered with an error: {_said(error)}."
    return f"Could not connect to the {protocol} server at {host} port {port}: {_said(error)}."


def _said(error: Exception) -> str:
    text = error.args[-1] if error.args else error
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return " ".join(str(text).split())[:200] or type(error).__name__


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def close_imap(connection) -> None:
    with contextlib.suppress(imaplib.IMAP4.error, OSError):
        connection.logout()


def close_smtp(connection) -> None:
    with contextlib.suppress(smtplib.SMTPException, OSError):
        connection.quit()

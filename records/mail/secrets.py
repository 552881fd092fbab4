"""Mailbox passwords encrypted at rest with Fernet, under a key from the environment.

MAIL_SECRET_KEY is any long random string (a Fernet key is derived from it). Without one, a
development machine (DEBUG) derives the key from SECRET_KEY; production refuses to store or read
passwords rather than keep them under a key that is in the repository or guessable.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class MailSecretMissing(Exception):
    """No key to encrypt mailbox passwords with."""


MISSING_KEY = (
    "Mailbox passwords cannot be stored or used: the server has no MAIL_SECRET_KEY. "
    "An administrator must set MAIL_SECRET_KEY to a long random string and restart."
)
UNREADABLE = (
    "The saved password cannot be read with the server's MAIL_SECRET_KEY (the key was changed). "
    "Type the password again."
)


def _fernet() -> Fernet:
    secret = getattr(settings, "MAIL_SECRET_KEY", "")
    if not secret:
        if not settings.DEBUG:
            raise MailSecretMissing(MISSING_KEY)
        secret = "mail-dev-key:" + settings.SECRET_KEY
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()))


def encrypt(password: str) -> str:
    return _fernet().encrypt(password.encode()).decode() if password else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise MailSecretMissing(UNREADABLE) from None

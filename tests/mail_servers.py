"""Real mail servers for the mail tests, on loopback.

IMAP: Debian's dovecot (dovecot-imapd), started once per session with a minimal dovecot.conf in a
temporary folder (`dovecot -c conf -F`), ssl=no on loopback, a passwd-file of users and one Maildir
each. SMTP: the aiosmtpd library as the server, delivering each message it accepts into the
recipient's Maildir (chosen over Postfix: nothing to configure system-wide, and it runs as us).

Each test gets its own IMAP user (`imap_account`), so UIDs and folders never leak between tests.
Without dovecot the tests skip, except in CI (CI=true), where a missing server is a failure.
"""

import contextlib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def closed_port() -> int:
    """A port nothing listens on (bound and released)."""
    return free_port()


def _need(tool: str, what: str):
    message = f"{what} is not installed here (Debian package {tool}); the mail server tests need it."
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


POOL = 60  # accounts made before dovecot starts (it may not notice a passwd-file changed within a second)


@dataclass
class Dovecot:
    root: Path
    port: int
    uid: int
    gid: int
    accounts: list

    def take_account(self) -> tuple[str, str]:
        return self.accounts.pop()

    @property
    def passwd(self) -> Path:
        return self.root / "passwd"

    def maildir(self, user: str) -> Path:
        return self.root / "homes" / user / "Maildir"

    def add_user(self, user: str, password: str) -> None:
        with open(self.passwd, "a") as file:
            file.write(f"{user}:{{PLAIN}}{password}::::::\n")
        for sub in ("", "new", "cur", "tmp"):
            path = self.maildir(user) / sub
            path.mkdir(parents=True, exist_ok=True)
        for path in (self.root / "homes" / user, *self.root.joinpath("homes", user).rglob("*")):
            os.chown(path, self.uid, self.gid)

    def deliver(self, user: str, raw: bytes) -> None:
        """Put a message into the user's Maildir as a delivery agent does (tmp/ then rename to new/)."""
        name = f"{time.time_ns()}.{secrets.token_hex(6)}.test"
        tmp = self.maildir(user) / "tmp" / name
        tmp.write_bytes(raw)
        os.chown(tmp, self.uid, self.gid)
        os.rename(tmp, self.maildir(user) / "new" / name)


_CONF = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = {uid}
last_valid_uid = {uid}
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/homes/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""


@contextlib.contextmanager
def running_dovecot(pool: int = POOL):
    """A dovecot on a free loopback port with `pool` accounts, stopped and removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="dovecot-test-"))
    os.chmod(root, 0o755)  # the mail user (dovecot's own when we are root) must reach its homes
    if os.geteuid() == 0:  # dovecot refuses to serve mail or logins as root
        internal, login = pwd.getpwnam("dovecot"), pwd.getpwnam("dovenull")
    else:
        internal = login = pwd.getpwuid(os.geteuid())
    port = free_port()
    (root / "homes").mkdir()
    os.chown(root / "homes", internal.pw_uid, internal.pw_gid)
    (root / "passwd").touch()
    server = Dovecot(root=root, port=port, uid=internal.pw_uid, gid=internal.pw_gid, accounts=[])
    for _ in range(pool):
        user, password = "desk" + secrets.token_hex(4), secrets.token_urlsafe(12)
        server.add_user(user, password)
        server.accounts.append((user, password))
    conf = root / "dovecot.conf"
    conf.write_text(
        _CONF.format(
            root=root,
            port=port,
            uid=internal.pw_uid,
            gid=internal.pw_gid,
            internal_user=internal.pw_name,
            internal_group=internal.pw_name if os.geteuid() == 0 else _group_name(internal.pw_gid),
            login_user=login.pw_name,
        )
    )
    process = subprocess.Popen([DOVECOT, "-c", str(conf), "-F"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for_port(port, process, root)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def dovecot():
    if DOVECOT is None:
        _need("dovecot-imapd", "dovecot")
    with running_dovecot() as server:
        yield server


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name


def _wait_for_port(port: int, process, root: Path) -> None:
    for _ in range(200):
        if process.poll() is not None:
            log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
            raise RuntimeError(f"dovecot exited: {process.stderr.read().decode()} {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                if connection.recv(100).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("dovecot did not start listening")


@dataclass
class ImapAccount:
    server: Dovecot
    user: str
    password: str
    address: str

    def deliver(self, raw: bytes) -> None:
        self.server.deliver(self.user, raw)


@pytest.fixture
def imap_account(dovecot):
    user, password = dovecot.take_account()
    return ImapAccount(server=dovecot, user=user, password=password, address=f"{user}@desk.example")


class _MaildirHandler:
    """aiosmtpd handler: each accepted message goes into the Maildir of the account it is for."""

    def __init__(self, server: Dovecot):
        self.server = server
        self.accounts: dict[str, str] = {}  # address domain-less local part -> IMAP user
        self.received: list = []

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), raw))
        for recipient in envelope.rcpt_tos:
            local = recipient.split("@", 1)[0].split("+", 1)[0].lower()
            user = self.accounts.get(local)
            if user:
                self.server.deliver(user, raw)
        return "250 Message accepted for delivery"


@pytest.fixture(scope="session")
def smtp_server(dovecot):
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        pytest.fail("aiosmtpd is missing: pip install -r requirements.txt")
    handler = _MaildirHandler(dovecot)
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


@pytest.fixture
def smtp_sink(smtp_server, imap_account):
    """The SMTP server, delivering mail for this test's account (any +tag) into its Maildir."""
    controller, handler = smtp_server
    handler.accounts[imap_account.user] = imap_account.user
    handler.received.clear()
    return controller, handler


@pytest.fixture
def mail_key(settings):
    """The key mailbox passwords are encrypted under (MAIL_SECRET_KEY)."""
    settings.MAIL_SECRET_KEY = "test-only-mail-secret-key"

"""A production-mode stack of our own, as separate processes: database, broker, gunicorn, Celery worker.

Used by the e2e suite (tests/e2e/conftest.py) and by bench/load.sh (`python tests/e2e/stack.py`).
Nothing here touches the test process's Django: each child gets an environment built from scratch,
so the test settings, pytest-django's test database and the developer's var/ are never used.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the venv's gunicorn and celery sit beside its python

# Two teams: the desk (an editor) and another newsroom (a stranger who must see nothing of the desk's).
SEED_USERS = """
import os
from django.contrib.auth import get_user_model
from records.models import Membership, Team
User = get_user_model()
teams = [("records-desk", "Records Desk", "editor"), ("other-newsroom", "Other Newsroom", "stranger")]
for slug, name, username in teams:
    team = Team.objects.create(slug=slug, name=name)
    user = User.objects.create_user(username, password=os.environ["E2E_PASSWORD"])
    Membership.objects.create(user=user, team=team, role=Membership.EDITOR)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with status {process.returncode} while starting")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listened on port {port} after {seconds} s")


class Stack:
    """start() brings everything up; stop() takes it all down, whatever state start() reached."""

    def __init__(self, *, database_url: str | None = None, broker: str | None = None, web_workers: int = 3):
        self.use_redis = self._use_redis(broker or os.environ.get("E2E_BROKER", ""))
        self.tmp = Path(tempfile.mkdtemp(prefix="tracker-e2e-"))
        self.var = self.tmp / "var"
        self.media = self.tmp / "files"
        self.password = secrets.token_urlsafe(16)
        self.web_workers = web_workers
        self.processes: dict[str, subprocess.Popen] = {}
        self.pg_admin_url: str | None = None  # set when we created a PostgreSQL database to drop later
        self.pg_name = f"tracker_e2e_{os.getpid()}"
        source_url = database_url if database_url is not None else os.environ.get("DATABASE_URL", "")
        self.database_url = self._database(source_url)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = self._env()

    # --- pieces ---------------------------------------------------------------------------------

    def _database(self, source_url: str) -> str:
        if source_url.startswith(("postgres://", "postgresql://")):
            # A fresh database on the same server, dropped in stop().
            parts = urlsplit(source_url)
            self.pg_admin_url = source_url
            return urlunsplit(parts._replace(path="/" + self.pg_name))
        return f"sqlite:///{self.tmp / 'tracker.sqlite3'}"

    @staticmethod
    def _use_redis(broker: str) -> bool:
        """E2E_BROKER=redis or filesystem chooses (CI runs one pass with each); unset, Redis if installed."""
        installed = shutil.which("redis-server") is not None
        if broker == "redis" and not installed:
            raise RuntimeError("E2E_BROKER=redis, but redis-server is not installed")
        if broker not in ("", "redis", "filesystem"):
            raise RuntimeError(f"E2E_BROKER={broker!r}: use redis or filesystem")
        return broker == "redis" or (broker == "" and installed)

    def _env(self) -> dict[str, str]:
        env = {
            # From scratch, not a copy of ours: nothing of the test run's settings leaks in.
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": os.environ.get("HOME", str(self.tmp)),
            "LANG": "C.UTF-8",
            "TMPDIR": str(self.tmp),
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "SECURE_TLS": "0",  # plain HTTP on loopback; test_production.py checks the TLS variant
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "VAR_DIR": str(self.var),
            "MEDIA_ROOT": str(self.media),
            "DATABASE_URL": self.database_url,
            "DB_CONN_MAX_AGE": "60",  # persistent connections, as production runs (README, Production)
            "LOG_LEVEL": "INFO",
        }
        if self.use_redis:
            self.redis_port = free_port()
            env["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{self.redis_port}/0"
        else:
            env["CELERY_BROKER_URL"] = "filesystem://"  # the embedded broker, under VAR_DIR
        return env

    def log(self, name: str) -> Path:
        return self.tmp / f"{name}.log"

    def spawn(self, name: str, args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        with open(self.log(name), "ab") as log:
            # Its own session, so stop() can end the process and its children (gunicorn and celery fork).
            process = subprocess.Popen(
                args, cwd=PROJECT, env=env or self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.processes[name] = process
        return process

    def manage(self, *args: str, env: dict[str, str] | None = None) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=PROJECT, env=env or self.env,
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def gunicorn(self, name: str, port: int, env: dict[str, str] | None = None) -> subprocess.Popen:
        process = self.spawn(name, [
            str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", str(self.web_workers), "--timeout", "120", "--access-logfile", "-",
            "--no-control-socket",  # gunicorn 27 puts one in ~/.gunicorn: two servers would fight over it
        ], env)  # fmt: skip
        wait_for_port(port, process)
        return process

    # --- whole stack ----------------------------------------------------------------------------

    def start(self) -> Stack:
        if self.pg_admin_url:
            self._psql(f'CREATE DATABASE "{self.pg_name}"')
        if self.use_redis:
            redis = self.spawn("redis", [
                "redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", str(self.tmp),
            ])  # fmt: skip
            wait_for_port(self.redis_port, redis)
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput")
        self.manage("shell", "-c", SEED_USERS, env={**self.env, "E2E_PASSWORD": self.password})
        self.spawn("worker", [
            str(BIN / "celery"), "-A", "config", "worker", "-Q", "extraction,ocr,mail,housekeeping,celery",
            "--concurrency=2", "--loglevel=INFO",
        ])  # fmt: skip
        # The ranking engine's one writer, as scripts/run.sh and production run it (README, Search).
        self.spawn("search-worker", [
            str(BIN / "celery"), "-A", "config", "worker", "-Q", "search", "--concurrency=1",
            "-n", "search@%h", "--loglevel=INFO",
        ])  # fmt: skip
        self.gunicorn("web", self.port)
        return self

    def stop(self) -> None:
        for process in reversed(list(self.processes.values())):
            stop_process(process)
        if self.pg_admin_url:
            try:
                self._psql(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
            except Exception as error:
                print(f"could not drop {self.pg_name}: {error}", file=sys.stderr)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _psql(self, sql: str) -> None:
        import psycopg  # the driver the app uses; only here, for CREATE/DROP DATABASE

        with psycopg.connect(self.pg_admin_url, autocommit=True) as conn:
            conn.execute(sql)

    def logs(self, lines: int = 80) -> str:
        out = []
        for name in self.processes:
            path = self.log(name)
            text = path.read_text(errors="replace").splitlines()[-lines:] if path.exists() else []
            out.append(f"----- {name} ({path.name}, last {lines} lines) -----\n" + "\n".join(text))
        return "\n".join(out)

    def wait_until_served(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                urllib.request.urlopen(self.url + "/accounts/login/", timeout=5).close()
                return
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)


def stop_process(process: subprocess.Popen) -> None:
    """TERM to the process group we created (a clean shutdown), then KILL whatever is left in it."""
    for sig, wait in ((signal.SIGTERM, 15), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return  # the group is empty: the process and all its children are gone
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=wait)


def main() -> None:
    """`python tests/e2e/stack.py [--seed-script FILE]`: start a stack, print its details, serve until TERM.

    bench/load.sh uses this. It prints KEY=value lines (URL, TMP, PASSWORD, DATABASE_URL, BROKER), then READY.
    """
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--seed-script", help="Python run with `manage.py shell` once the stack is up")
    parser.add_argument("--web-workers", type=int, default=3)
    args = parser.parse_args()
    stack = Stack(web_workers=args.web_workers)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    try:
        stack.start()
        if args.seed_script:
            print(stack.manage("shell", "-c", Path(args.seed_script).read_text()), end="", file=sys.stderr)
        for key, value in (
            ("URL", stack.url), ("TMP", stack.tmp), ("PASSWORD", stack.password),
            ("DATABASE_URL", stack.database_url), ("BROKER", stack.env["CELERY_BROKER_URL"]),
        ):  # fmt: skip
            print(f"{key}={value}")
        print("READY", flush=True)
        while not stopping:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()


if __name__ == "__main__":
    main()

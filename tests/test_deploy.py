"""Django's deployment checklist, run as production runs it: a fresh process with DEBUG=0 and the
production environment (config.settings, not the test run's settings). The live server's headers
are checked in tests/e2e/test_production.py.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def manage(tmp_path, *args, **env):
    production = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "records.example.org",
        "VAR_DIR": str(tmp_path / "var"),
        # SECURE_TLS is left at its production default (on): HSTS, TLS redirect, secure cookies.
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env={**production, **env},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_check_deploy_is_clean(tmp_path):
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_catches_a_weak_key(tmp_path):
    # The same check fails on a poor key: the clean result above means something.
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", SECRET_KEY="short")
    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = manage(tmp_path, "check", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_refuses_the_public_development_key(tmp_path):
    # Issue 10: with DEBUG=0 the key printed in config/settings.py used to be accepted.
    from config.settings import DEVELOPMENT_SECRET_KEY

    result = manage(tmp_path, "check", SECRET_KEY=DEVELOPMENT_SECRET_KEY)
    assert result.returncode != 0
    assert "SECRET_KEY is the public development key" in result.stderr


def test_seed_demo_refuses_production_unless_forced(tmp_path):
    # Demo users with a published password must not appear on a live site by accident.
    result = manage(tmp_path, "seed_demo")
    assert result.returncode == 2
    assert "DEBUG is off" in result.stderr and "--force" in result.stderr

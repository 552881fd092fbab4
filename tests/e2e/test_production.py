"""What the live production server (gunicorn, DEBUG=0) sends: security headers, static files through
whitenoise, no URL into the media directory, and secure cookies and HSTS once behind TLS.

Plain HTTP with http.client, so each header and redirect is seen exactly as sent.
"""

import http.client
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest

from .stack import free_port, stop_process

pytestmark = pytest.mark.e2e


def fetch(port, path, method="GET", headers=None, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def set_cookies(headers) -> dict[str, str]:
    """Set-Cookie headers by cookie name, each as sent (attributes included)."""
    return {line.split("=", 1)[0]: line for line in headers.get_all("Set-Cookie") or []}


def test_security_headers(stack):
    status, headers, body = fetch(stack.port, "/accounts/login/")
    assert status == 200
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "default-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # plain HTTP here: HSTS only over TLS (below)


def test_errors_do_not_leak_debug_pages(stack):
    status, _, body = fetch(stack.port, "/no-such-page/")
    assert status == 404
    assert b"URLconf" not in body and b"Traceback" not in body


def test_static_files_are_served_by_whitenoise(stack):
    _, _, body = fetch(stack.port, "/accounts/login/")
    # collectstatic's manifest gives each file a content hash in its name...
    css = re.search(rb'href="(/static/records/app\.[0-9a-f]{12}\.css)"', body)
    assert css, body[:500]
    status, headers, _ = fetch(stack.port, css.group(1).decode(), headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Type"].startswith("text/css")
    # ...so whitenoise may let browsers keep it forever, and serves the pre-compressed copy.
    assert "immutable" in headers["Cache-Control"]
    assert headers["Content-Encoding"] == "gzip"


def test_media_directory_has_no_url(stack):
    """Released files go out through the team-scoped download view only, never by path."""
    stack.media.mkdir(parents=True, exist_ok=True)
    (stack.media / "canary.pdf").write_bytes(b"%PDF-1.4 canary")
    relative = ["canary.pdf"] + [str(p.relative_to(stack.media)) for p in stack.media.rglob("*") if p.is_file()]
    for name in relative:
        for prefix in ("/media/", "/files/", "/var/files/", "/static/", "/static/../files/", "/protected-files/"):
            status, _, body = fetch(stack.port, prefix + name)
            assert status == 404, prefix + name
            assert b"%PDF-1.4 canary" not in body  # the 404 page may name the path, never serve the bytes


def test_behind_tls_cookies_are_secure_and_hsts_is_sent(stack):
    """The same app as production runs it behind a TLS proxy: SECURE_TLS=1, BEHIND_TLS_PROXY=1."""
    port = free_port()
    server = stack.gunicorn("web-tls", port, env={**stack.env, "SECURE_TLS": "1", "BEHIND_TLS_PROXY": "1"})
    try:
        # A request that reached us over plain HTTP is sent to HTTPS.
        status, headers, _ = fetch(port, "/accounts/login/")
        assert status == 301 and headers["Location"] == f"https://127.0.0.1:{port}/accounts/login/"

        https = {"X-Forwarded-Proto": "https"}
        status, headers, body = fetch(port, "/accounts/login/", headers=https)
        assert status == 200
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        csrf_cookie = set_cookies(headers)["csrftoken"]
        assert "; Secure" in csrf_cookie

        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        cookie = SimpleCookie(csrf_cookie)["csrftoken"].value
        form = {"csrfmiddlewaretoken": token, "username": "editor", "password": stack.password}
        status, headers, _ = fetch(port, "/accounts/login/", method="POST", body=urlencode(form), headers={
            **https, "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}",
            "Referer": f"https://127.0.0.1:{port}/accounts/login/",  # Django checks it on HTTPS posts
        })  # fmt: skip
        assert status == 302, "sign-in over (proxied) HTTPS failed"
        session_cookie = set_cookies(headers)["sessionid"]
        assert "; Secure" in session_cookie and "; HttpOnly" in session_cookie
    finally:
        stop_process(server)

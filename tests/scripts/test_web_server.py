"""The demo page's static server: security headers, no listing, and the widget's runtime settings."""
from __future__ import annotations

import sys
import threading
import urllib.error
import urllib.request
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
import web_server  # noqa: E402  (scripts/ is not a package)

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture(scope="module")
def server_url():
    handler = partial(
        web_server.SecureStaticHandler,
        directory=str(REPO / "web"),
        policy=web_server.content_security_policy(["http://127.0.0.1:5999", "ws://127.0.0.1:5999"]),
        rasa_port=5999,
        retention_days=30,
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_page_is_served_with_a_strict_policy(server_url):
    with OPENER.open(server_url + "/") as response:
        policy = response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in policy
    assert "connect-src 'self' http://127.0.0.1:5999 ws://127.0.0.1:5999" in policy


def test_the_widget_is_pointed_at_the_configured_rasa_port(server_url):
    with OPENER.open(server_url + "/widget-config.js") as response:
        body = response.read().decode()
        assert response.headers["Content-Type"].startswith("text/javascript")
    assert '":5999"' in body and "window.ChatWidgetConfig || {}" in body
    # The privacy notice says how long conversations are kept: RETENTION_DAYS, given by run.py.
    assert "retentionDays: 30}" in body


def test_no_directory_listing(server_url):
    with pytest.raises(urllib.error.HTTPError) as error:
        OPENER.open(server_url + "/widget/")
    assert error.value.code == 404


def test_the_welcome_names_the_schools_formations(demo_school_path, monkeypatch):
    """With several formations the widget's welcome lists them; with one, the page keeps its own."""
    from knowledge.loader import KB_PATH_ENV, clear_cache

    monkeypatch.setenv(KB_PATH_ENV, str(demo_school_path))
    clear_cache()
    welcome = web_server.welcome_text()
    assert welcome.endswith("ses formations : BTS MOS, bac pro métiers de la sécurité, BTS MCO et BTS NDRC.")
    body = web_server.runtime_config(5999, 30, welcome).decode()
    assert 'welcomeMessage: "Bonjour ! Je suis' in body and body.endswith("window.ChatWidgetConfig || {});\n")
    monkeypatch.delenv(KB_PATH_ENV)
    clear_cache()
    assert web_server.welcome_text() is None
    # Nor before the knowledge base is built.
    monkeypatch.setenv(KB_PATH_ENV, str(demo_school_path.parent / "missing.json"))
    clear_cache()
    assert web_server.welcome_text() is None
    clear_cache()

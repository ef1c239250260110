"""Static file server for the chat page in web/, with the security headers a browser needs.

Started by scripts/run.py, which passes the Rasa server's origins: the only ones, besides this server,
that the page may connect to.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def content_security_policy(rasa_origins: list[str]) -> str:
    """Only the page's own files, and network calls to itself and the Rasa server."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            # index.html has a <style> block and the widget styles the elements it creates.
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "connect-src " + " ".join(["'self'", *rasa_origins]),
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


RUNTIME_CONFIG_PATH = "/widget-config.js"


def runtime_config(rasa_port: int, retention_days: float | None = None, welcome: str | None = None) -> bytes:
    """The demo page's widget settings: the Rasa server is on the page's host, on the configured port,
    how long conversations are kept (RETENTION_DAYS), for the widget's privacy notice, and the welcome
    message, which names the school's formations.

    Settings the page (or a test) gives in window.ChatWidgetConfig still win.
    """
    retention = f", retentionDays: {retention_days:g}" if retention_days is not None else ""
    welcome_message = f", welcomeMessage: {json.dumps(welcome, ensure_ascii=False)}" if welcome else ""
    script = (
        "window.ChatWidgetConfig = Object.assign("
        f'{{serverUrl: window.location.protocol + "//" + window.location.hostname + ":{rasa_port}"'
        f"{retention}{welcome_message}}}, window.ChatWidgetConfig || {{}});\n"
    )
    return script.encode("utf-8")


def welcome_text() -> str | None:
    """For a school of several formations, the assistant's greeting that lists them, from the knowledge
    base the action server reads (KB_PATH); None with one formation or before the base is built (the
    page's own welcome then)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from actions.greeting import welcome
    from actions.wording import render
    from knowledge.loader import KnowledgeBaseError, load_knowledge_base

    try:
        kb = load_knowledge_base()
    except KnowledgeBaseError:
        return None
    return render(welcome(kb, None)).text if len(kb.formations) > 1 else None


class SecureStaticHandler(SimpleHTTPRequestHandler):
    """Serves the files of one folder, never a directory listing, always with security headers."""

    def __init__(self, *args, policy: str, rasa_port: int, retention_days: float | None = None,
                 welcome: str | None = None, **kwargs):
        self._policy = policy
        self._rasa_port = rasa_port
        self._retention_days = retention_days
        self._welcome = welcome
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        if self.path.split("?")[0] != RUNTIME_CONFIG_PATH:
            super().do_GET()
            return
        body = runtime_config(self._rasa_port, self._retention_days, self._welcome)
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/javascript; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", self._policy)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def list_directory(self, path):
        self.send_error(HTTPStatus.NOT_FOUND)
        return None


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bind", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--directory", required=True)
    parser.add_argument("--rasa-origin", action="append", default=[], dest="rasa_origins")
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--retention-days", type=float, default=None,
                        help="how long conversations are kept, said by the widget's privacy notice")
    return parser.parse_args(argv)


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    handler = partial(
        SecureStaticHandler,
        directory=args.directory,
        policy=content_security_policy(args.rasa_origins),
        rasa_port=args.rasa_port,
        retention_days=args.retention_days,
        welcome=welcome_text(),
    )
    # The supervisor stops this server with SIGTERM: leave serve_forever through the normal exit path.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with ThreadingHTTPServer((args.bind, args.port), handler) as server:
        print(f"Serveur web sur http://{args.bind}:{args.port}/ (dossier {args.directory})", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main(sys.argv[1:])

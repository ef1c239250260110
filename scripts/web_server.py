"""Static file server for the chat page in web/, with the security headers a browser needs.

Started by scripts/run.py, which passes the Rasa server's origins: the only ones, besides this server,
that the page may connect to.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import purge  # noqa: E402  (scripts/ is not a package)
import report as report_command  # noqa: E402

from actions.greeting import welcome  # noqa: E402
from actions.wording import render  # noqa: E402
from knowledge.loader import KnowledgeBaseError, load_knowledge_base  # noqa: E402
from staff.console import REALM, StaffConsole, authorised  # noqa: E402
from staff.report import as_json, report, turns_from_events  # noqa: E402
from staff.review import review_file  # noqa: E402


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


# The staff console only loads its own files and calls its own server; it styles nothing inline.
STAFF_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
                "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")

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
    try:
        kb = load_knowledge_base()
    except KnowledgeBaseError:
        return None
    return render(welcome(kb, None)).text if len(kb.formations) > 1 else None


STAFF_OFF = ("La console de l'équipe est désactivée : définissez STAFF_TOKEN (un jeton secret) avant "
             "`make run` pour l'activer.")
STAFF_DENIED = "Jeton de la console de l'équipe absent ou incorrect."
# The console's API: path -> StaffConsole method.
STAFF_GET = {"/staff/api/topics": "topics", "/staff/api/report": "report"}
STAFF_POST = {"/staff/api/say": "say", "/staff/api/flag": "flag"}
# The console's requests are a message or a flag: a few kilobytes at most.
MAX_BODY_BYTES = 16_384


class SecureStaticHandler(SimpleHTTPRequestHandler):
    """Serves the files of one folder, never a directory listing, always with security headers; under
    /staff/, the staff console (staff/console.py) when STAFF_TOKEN is set, for those who give it."""

    def __init__(self, *args, policy: str, rasa_port: int, retention_days: float | None = None,
                 welcome: str | None = None, staff: StaffConsole | None = None, staff_token: str = "", **kwargs):
        self._policy = policy
        self._rasa_port = rasa_port
        self._retention_days = retention_days
        self._welcome = welcome
        self._staff = staff
        self._staff_token = staff_token
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path.startswith("/staff"):
            if not self._staff_allowed():
                return
            if path in STAFF_GET:
                self._send_json(*getattr(self._staff, STAFF_GET[path])())
                return
        elif path == RUNTIME_CONFIG_PATH:
            self._send(HTTPStatus.OK, "text/javascript; charset=utf-8",
                       runtime_config(self._rasa_port, self._retention_days, self._welcome))
            return
        super().do_GET()

    def do_POST(self) -> None:
        path = self.path.split("?")[0]
        if not path.startswith("/staff"):
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        if not self._staff_allowed():
            return
        if path not in STAFF_POST:
            self._send_json(HTTPStatus.NOT_FOUND, {"error": "Adresse inconnue."})
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY_BYTES:
            self._send_json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "Requête trop longue."})
            return
        try:
            body = json.loads(self.rfile.read(length) or b"null")
        except ValueError:
            body = None
        self._send_json(*getattr(self._staff, STAFF_POST[path])(body))

    def _staff_allowed(self) -> bool:
        """Answers the request itself (404 when the console is off, 401 without the token) unless allowed."""
        if self._staff is None:
            self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", STAFF_OFF.encode("utf-8"))
            return False
        if not authorised(self.headers.get("Authorization"), self._staff_token):
            self._send(HTTPStatus.UNAUTHORIZED, "text/plain; charset=utf-8", STAFF_DENIED.encode("utf-8"),
                       {"WWW-Authenticate": f'Basic realm="{REALM}", charset="UTF-8"'})
            return False
        return True

    def _send_json(self, status: int, body: dict) -> None:
        self._send(status, "application/json; charset=utf-8", json.dumps(body, ensure_ascii=False).encode("utf-8"))

    def _send(self, status: int, content_type: str, body: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", STAFF_POLICY if self.path.startswith("/staff") else self._policy)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "no-referrer")
        # Pages revalidate; the console's answers, which may quote a student's message, are never stored.
        self.send_header("Cache-Control", "no-store" if self.path.startswith("/staff/api/") else "no-cache")
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
    parser.add_argument("--rasa-url", default=None,
                        help="the Rasa server as this server reaches it (the staff console's API), default on --bind")
    parser.add_argument("--retention-days", type=float, default=None,
                        help="how long conversations are kept, said by the widget's privacy notice")
    return parser.parse_args(argv)


def staff_console(args: argparse.Namespace) -> dict:
    """The console's settings for the handler: on only with STAFF_TOKEN (and the Rasa API token run.py
    gives with it)."""
    token = os.environ.get("STAFF_TOKEN", "").strip()
    if not token:
        return {}
    rasa_url = (args.rasa_url or f"http://{args.bind}:{args.rasa_port}").rstrip("/")
    days = args.retention_days if args.retention_days is not None else purge.retention_days(None)
    db = purge.tracker_store()

    def read_report() -> dict:
        return as_json(report(turns_from_events(report_command.read_rows(db, days))), days)

    console = StaffConsole(rasa_url, os.environ.get("RASA_API_TOKEN", "").strip(), review_file(), read_report)
    return {"staff": console, "staff_token": token}


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    handler = partial(
        SecureStaticHandler,
        directory=args.directory,
        policy=content_security_policy(args.rasa_origins),
        rasa_port=args.rasa_port,
        retention_days=args.retention_days,
        welcome=welcome_text(),
        **staff_console(args),
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

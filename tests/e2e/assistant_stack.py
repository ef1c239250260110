"""The whole assistant run through scripts/run.py, on free ports, for tests against running servers.

The fixtures in conftest.py use it; tests import the helpers that check processes and ports.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RUN_SCRIPT = REPO / "scripts" / "run.py"
sys.path.insert(0, str(RUN_SCRIPT.parent))
import run as run_command  # noqa: E402  (scripts/ is not a package)

HOST = "127.0.0.1"
STARTUP_TIMEOUT_SECONDS = float(os.environ.get("STARTUP_TIMEOUT") or run_command.DEFAULTS["STARTUP_TIMEOUT"])
# run.py gives its servers 10 s to stop before killing them; a few more for itself.
STOP_TIMEOUT_SECONDS = 15.0
REPLY_TIMEOUT_SECONDS = 60.0

# Calls go to local servers only: never through a proxy configured in the environment.
LOCAL_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_status(url: str, timeout: float = 10.0) -> int:
    """The HTTP status of a GET to a local server (an error status is an answer too)."""
    try:
        with LOCAL_OPENER.open(urllib.request.Request(url), timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def free_ports(count: int) -> list[int]:
    """Distinct ports nothing listens on (the sockets stay open until all are picked)."""
    sockets = []
    try:
        for _ in range(count):
            probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            probe.bind((HOST, 0))
            sockets.append(probe)
        return [probe.getsockname()[1] for probe in sockets]
    finally:
        for probe in sockets:
            probe.close()


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def _process_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, process group), read from /proc/*/stat."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended while we were reading
            continue
        # The command name may hold spaces and parentheses: the fields start after the last ')'.
        fields = text[text.rindex(")") + 2:].split()
        table[int(stat.parent.name)] = (int(fields[1]), int(fields[2]))
    return table


def descendants(pid: int) -> set[int]:
    """Every process started by `pid`, directly or not, plus the members of their process groups."""
    table = _process_table()
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        children = {child for child, (parent, _) in table.items() if parent in frontier} - found
        found |= children
        frontier = children
    groups = {table[child][1] for child in found if child in table}
    return found | {member for member, (_, group) in table.items() if group in groups and member != pid}


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class _OutputReader(threading.Thread):
    """Collects what run.py prints and notices its ready line."""

    def __init__(self, stream) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.lines: list[str] = []
        self.ready = threading.Event()

    def run(self) -> None:
        for line in self.stream:
            self.lines.append(line)
            if run_command.READY_MARKER in line:
                self.ready.set()

    @property
    def text(self) -> str:
        return "".join(self.lines)


@dataclass
class RunningAssistant:
    process: subprocess.Popen
    ports: dict[str, int]
    tracker_db: Path
    logs_dir: Path
    output: _OutputReader = field(repr=False)

    @property
    def rasa_url(self) -> str:
        return f"http://{HOST}:{self.ports['RASA_PORT']}"

    @property
    def action_url(self) -> str:
        return f"http://{HOST}:{self.ports['ACTION_PORT']}"

    @property
    def web_url(self) -> str:
        return f"http://{HOST}:{self.ports['WEB_PORT']}"

    def say(self, sender: str, text: str) -> list[dict]:
        """What the bot answers to `text` through the REST channel: [{"recipient_id", "text", ...}]."""
        request = urllib.request.Request(
            f"{self.rasa_url}/webhooks/rest/webhook",
            data=json.dumps({"sender": sender, "message": text}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with LOCAL_OPENER.open(request, timeout=REPLY_TIMEOUT_SECONDS) as response:
            return json.loads(response.read())

    def stop(self) -> int:
        """Ctrl-C, as a person would; returns run.py's exit code (fails the test if it hangs)."""
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(f"run.py still running {STOP_TIMEOUT_SECONDS} s after SIGINT:\n{self.output.text}")

    def shut_down(self) -> None:
        """Teardown: stops the stack if a test left it running, by force if it does not stop."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.kill_everything()

    def kill_everything(self) -> None:
        """Last resort: leaves no server behind, even when run.py misbehaves."""
        for pid in descendants(self.process.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.kill()
        self.process.wait()


# The conversation held before a Ctrl-C (see the `stopped_assistant` fixture): it sets a slot.
CONVERSATION_BEFORE_STOP = ("Bonjour", "c'est quoi le module gardiennage ?")


@dataclass
class StoppedAssistant:
    """A stack that held CONVERSATION_BEFORE_STOP with `sender`, then was stopped with Ctrl-C.

    What was left running is recorded at once: later tests may start servers on the same ports.
    """

    stack: RunningAssistant
    sender: str
    replies: list[list[dict]]
    server_pids: set[int]
    exit_code: int
    pids_left: list[int]
    ports_left_busy: list[int]


def converse_then_stop(stack: RunningAssistant, sender: str) -> StoppedAssistant:
    replies = [stack.say(sender, text) for text in CONVERSATION_BEFORE_STOP]
    server_pids = descendants(stack.process.pid)
    exit_code = stack.stop()
    return StoppedAssistant(
        stack=stack,
        sender=sender,
        replies=replies,
        server_pids=server_pids,
        exit_code=exit_code,
        pids_left=[pid for pid in server_pids if process_exists(pid)],
        ports_left_busy=[port for port in stack.ports.values() if not port_is_free(port)],
    )


def stack_environment(workdir: Path, ports: dict[str, int] | None = None,
                      tracker_db: Path | None = None, extra_env: dict[str, str] | None = None) -> dict[str, str]:
    """run.py's environment: free ports (unless given), tracker store and logs in `workdir`. The rate
    limits are off (every test message comes from one address), unless `extra_env` sets them."""
    ports = ports or dict(zip(run_command.PORT_VARIABLES, free_ports(len(run_command.PORT_VARIABLES))))
    env = {
        **os.environ,
        "HOST": HOST,
        **{name: str(port) for name, port in ports.items()},
        "TRACKER_DB": str(tracker_db or workdir / "tracker.db"),
        "LOGS_DIR": str(workdir / "logs"),
        "RATE_LIMIT_PER_CONVERSATION": "0",
        "RATE_LIMIT_PER_CLIENT": "0",
        **(extra_env or {}),
    }
    # The stack's own addresses, not those a developer's shell may hold.
    for name in ("CORS_ORIGINS", *run_command.DERIVED_VARIABLES):
        env.pop(name, None)
    return env


def run_to_completion(env: dict[str, str]) -> subprocess.CompletedProcess:
    """run.py when it is expected to refuse to start: its exit code and what it printed."""
    return subprocess.run(
        [sys.executable, str(RUN_SCRIPT)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=STARTUP_TIMEOUT_SECONDS + STOP_TIMEOUT_SECONDS,
    )


def start_assistant(workdir: Path, tracker_db: Path | None = None, ports: dict[str, int] | None = None,
                    extra_env: dict[str, str] | None = None) -> RunningAssistant:
    """Starts run.py and returns once it printed its ready line (fails the test if it never does)."""
    run_dir = Path(tempfile.mkdtemp(prefix="run-", dir=workdir))
    env = stack_environment(run_dir, ports, tracker_db, extra_env)
    began = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, str(RUN_SCRIPT)],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
    )
    output = _OutputReader(process.stdout)
    output.start()
    assistant = RunningAssistant(
        process=process,
        ports={name: int(env[name]) for name in run_command.PORT_VARIABLES},
        tracker_db=Path(env["TRACKER_DB"]),
        logs_dir=Path(env["LOGS_DIR"]),
        output=output,
    )
    deadline = began + STARTUP_TIMEOUT_SECONDS + STOP_TIMEOUT_SECONDS
    while not output.ready.wait(timeout=0.5):
        if process.poll() is not None or time.monotonic() > deadline:
            if process.poll() is None:
                assistant.kill_everything()
            output.join(timeout=5)
            pytest.fail(f"run.py did not get ready (exit code {process.returncode}):\n{output.text}")
    return assistant

"""The cluster profile (scripts/cluster.py), started once for the cluster tests on free loopback ports
with its own data directory, and what the tests need to look inside it: its tracker store, its replicas'
processes and its nginx. The figures the tests measure go to results/cluster/report.md."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
import yaml
from rasa.utils.endpoints import EndpointConfig

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
# The helpers that start the single-process stack live with the end-to-end tests.
sys.path.insert(0, str(REPO / "tests" / "e2e"))

import cluster as cluster_script  # noqa: E402
import wait_for  # noqa: E402
from assistant_stack import free_ports  # noqa: E402
from stores.lock_store import RecoveringRedisLockStore  # noqa: E402

HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 300
STOP_TIMEOUT_SECONDS = 30
REPORT = REPO / "results" / "cluster" / "report.md"
LOGS_COPY = REPO / "results" / "cluster" / "logs"
ENDPOINTS = yaml.safe_load((REPO / "endpoints.yml").read_text(encoding="utf-8"))


@dataclass
class RunningCluster:
    process: subprocess.Popen
    ports: Dict[str, int]
    directory: Path
    logs_dir: Path
    output: List[str] = field(default_factory=list)
    ready_seconds: float = 0.0

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.ports['WEB_PORT']}"

    def replica_url(self, number: int) -> str:
        return f"http://{HOST}:{self.ports['RASA_PORT' if number == 1 else 'RASA_PORT_2']}"

    def tracker_store_url(self) -> str:
        return cluster_script.rasa_variables(HOST, self.ports, *self.passwords())["TRACKER_STORE_URL"]

    def lock_store(self) -> RecoveringRedisLockStore:
        """The lock store the replicas share, as they connect to it."""
        settings = dict(cluster_script.rasa_variables(HOST, self.ports, *self.passwords()))
        return RecoveringRedisLockStore(EndpointConfig(url=settings["REDIS_HOST"], port=settings["REDIS_PORT"],
                                                       password=settings["REDIS_PASSWORD"], db=1, key_prefix=ENDPOINTS["lock_store"]["key_prefix"]))

    def passwords(self) -> Tuple[str, str]:
        return cluster_script.load_or_create_secrets(self.directory / "secrets.env")

    def replica_pid(self, number: int) -> int:
        """The Rasa replica's process (its own process group, as the supervisor starts it)."""
        port = str(self.ports["RASA_PORT" if number == 1 else "RASA_PORT_2"]).encode()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"run" in command and b"--port" in command and port in command and b"actions" not in command \
                    and os.getpgid(int(entry.name)) == int(entry.name):
                return int(entry.name)
        raise AssertionError(f"no Rasa replica {number} process found")

    def kill_replica(self, number: int) -> None:
        """SIGKILL to the replica and everything it started: a crash, not a clean stop."""
        os.killpg(self.replica_pid(number), signal.SIGKILL)

    def replica_ready(self, number: int) -> bool:
        return wait_for.rasa_server_ready(self.replica_url(number))

    def set_replica_in_rotation(self, number: int, in_rotation: bool) -> None:
        """Takes a replica out of nginx's rotation (`down`) or puts it back, as an operator drains one."""
        config = self.directory / "nginx" / "assistant.conf"
        address = f"{HOST}:{self.ports['RASA_PORT' if number == 1 else 'RASA_PORT_2']}"
        text = re.sub(rf"server {re.escape(address)}( down)?", f"server {address}{'' if in_rotation else ' down'}",
                      config.read_text(encoding="utf-8"))
        config.write_text(text, encoding="utf-8")
        master = int((self.directory / "nginx" / "nginx.pid").read_text().strip())
        os.kill(master, signal.SIGHUP)
        time.sleep(1.0)  # nginx starts new workers and lets the old ones finish


@pytest.fixture(scope="session")
def running_cluster() -> RunningCluster:
    # Outside pytest's private temporary folder: PostgreSQL runs as its own account when the tests run
    # as root, and must reach its data directory.
    workdir = Path(tempfile.mkdtemp(prefix="bts-mos-cluster-"))
    workdir.chmod(0o755)
    ports = dict(zip(cluster_script.CLUSTER_PORT_VARIABLES, free_ports(len(cluster_script.CLUSTER_PORT_VARIABLES))))
    env = {**os.environ, "HOST": HOST, **{name: str(port) for name, port in ports.items()},
           "CLUSTER_DIR": str(workdir / "data"), "LOGS_DIR": str(workdir / "logs"),
           # Every test message comes from one address: the limits would measure themselves.
           "RATE_LIMIT_PER_CONVERSATION": "0", "RATE_LIMIT_PER_CLIENT": "0",
           "STARTUP_TIMEOUT": str(START_TIMEOUT_SECONDS)}
    for name in ("ACTION_SERVER_URL", "TRACKER_STORE_URL", "CORS_ORIGINS"):
        env.pop(name, None)
    process = subprocess.Popen([sys.executable, str(REPO / "scripts" / "cluster.py")], cwd=REPO, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    running = RunningCluster(process, ports, workdir / "data", workdir / "logs")
    ready = threading.Event()

    def read_output() -> None:
        for line in process.stdout:
            running.output.append(line)
            if "L'assistant est prêt" in line:
                ready.set()

    threading.Thread(target=read_output, daemon=True).start()
    began = time.monotonic()
    while not ready.wait(0.5):
        if process.poll() is not None or time.monotonic() - began > START_TIMEOUT_SECONDS:
            process.kill()
            pytest.fail("the cluster did not start:\n" + "".join(running.output))
    running.ready_seconds = time.monotonic() - began
    yield running
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("the cluster did not stop within 30 s of Ctrl-C:\n" + "".join(running.output[-30:]))
    finally:
        # The logs stay for whoever reads a failure; the data (and its passwords) go.
        shutil.rmtree(LOGS_COPY, ignore_errors=True)
        shutil.copytree(workdir / "logs", LOGS_COPY, dirs_exist_ok=True)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def cluster_report(running_cluster: RunningCluster):
    """Lines of results/cluster/report.md, written when the cluster tests end (`make test-cluster` shows it)."""
    lines = ["# Profil cluster : mesures de `make test-cluster`", "",
             f"Profil prêt en {running_cluster.ready_seconds:.1f} s (PostgreSQL, Redis, 2 serveurs Rasa, "
             "2 serveurs d'actions, nginx ; 2 cœurs, boucle locale).", ""]
    yield lines
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")

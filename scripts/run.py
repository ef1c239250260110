"""Start the assistant: action server, Rasa server and web page, supervised together.

`make run` starts the three and keeps them running until Ctrl-C (or SIGTERM); a server that stops by
itself is restarted after a growing delay while the others keep serving. `--shell` and
`--interactive` start only the action server and run `rasa shell` / `rasa interactive` in the
foreground. Each server runs in its own process group, so that stopping the stack also stops whatever
a server spawned and leaves every port free.

Settings come from the environment (the Makefile exports them). Missing ones get the defaults below,
because Rasa refuses to read endpoints.yml while one of its ${VARIABLES} is unset.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import purge
import wait_for

DEFAULTS = {
    "HOST": "127.0.0.1",
    "RASA_PORT": "5005",
    "ACTION_PORT": "5055",
    "WEB_PORT": "8080",
    "TRACKER_DB": "var/tracker.db",
    "MODELS_DIR": "models",
    "LOGS_DIR": "logs",
    "STARTUP_TIMEOUT": "180",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "RASA_TELEMETRY_ENABLED": "false",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "RETENTION_DAYS": "30",
    # One Rasa server: its locks in memory. Several share Redis (`make run-cluster`, README).
    "LOCK_STORE_TYPE": "in_memory",
    "REDIS_HOST": "127.0.0.1",
    "REDIS_PORT": "6379",
    "REDIS_PASSWORD": "",
}
PORT_VARIABLES = ("RASA_PORT", "ACTION_PORT", "WEB_PORT")
# Read by endpoints.yml; derived from HOST, ACTION_PORT and TRACKER_DB when not set.
DERIVED_VARIABLES = ("ACTION_SERVER_URL", "TRACKER_STORE_URL")
WEB_DIR = Path("web")
WEB_PAGE = WEB_DIR / "index.html"
READY_MARKER = "L'assistant est prêt"
STOP_GRACE_SECONDS = 10.0
# A service that stops by itself is restarted after these delays (seconds), one per restart within the
# window; one more stop in the window stops the assistant (a service that cannot run is not hidden).
RESTART_DELAYS = (1.0, 2.0, 4.0, 8.0, 16.0)
RESTART_WINDOW_SECONDS = 600
PURGE_EVERY_SECONDS = 86_400
LOG_TAIL_LINES = 20
POLL_SECONDS = 0.25
RASA = str(Path(sys.executable).parent / "rasa")


class StartupError(Exception):
    """Why the assistant cannot start or stopped, in French, for the person who typed the command."""


def inform(message: str, stream=None) -> None:
    """Prints for the person at the terminal. A closed terminal or pipe must not stop the clean-up."""
    try:
        print(message, file=stream or sys.stdout, flush=True)
    except OSError:
        pass


def report(error: StartupError) -> None:
    inform(f"ERREUR : {error}", sys.stderr)


def seconds(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") + " s"


@dataclass(frozen=True)
class Settings:
    host: str
    ports: dict[str, int]
    # SQLAlchemy URL of the tracker store (endpoints.yml): TRACKER_STORE_URL, else the SQLite file TRACKER_DB.
    tracker_store_url: str
    models_dir: Path
    logs_dir: Path
    startup_timeout: float
    cors_origins: list[str]
    env: dict[str, str]

    @classmethod
    def from_environment(cls, environ: dict[str, str]) -> Settings:
        env = {**DEFAULTS, **environ}
        ports = {name: _port(env, name) for name in PORT_VARIABLES}
        if len(set(ports.values())) < len(ports):
            raise StartupError("RASA_PORT, ACTION_PORT et WEB_PORT doivent désigner trois ports différents.")
        host = env["HOST"]
        custom_origins = env.get("CORS_ORIGINS", "").strip()
        if custom_origins:
            cors_origins = re.split(r"[\s,]+", custom_origins)
        else:
            page_hosts = dict.fromkeys([host, "localhost"])
            cors_origins = [f"http://{page_host}:{ports['WEB_PORT']}" for page_host in page_hosts]
        try:
            startup_timeout = float(env["STARTUP_TIMEOUT"])
        except ValueError:
            raise StartupError("STARTUP_TIMEOUT doit être un nombre de secondes.") from None
        # endpoints.yml reads these two; they follow HOST, ACTION_PORT and TRACKER_DB unless set.
        env.setdefault("ACTION_SERVER_URL", f"http://{host}:{ports['ACTION_PORT']}/webhook")
        env.setdefault("TRACKER_STORE_URL", purge.database_url(env["TRACKER_DB"]))
        # The staff console (STAFF_TOKEN) reads each turn through Rasa's HTTP API, which needs a token: one
        # is made for this run when none is given, known only to the Rasa server and the web server.
        if env.get("STAFF_TOKEN", "").strip() and not env.get("RASA_API_TOKEN", "").strip():
            env["RASA_API_TOKEN"] = secrets.token_urlsafe(32)
        return cls(
            host=host,
            ports=ports,
            tracker_store_url=env["TRACKER_STORE_URL"],
            models_dir=Path(env["MODELS_DIR"]),
            logs_dir=Path(env["LOGS_DIR"]),
            startup_timeout=startup_timeout,
            cors_origins=cors_origins,
            env=env,
        )

    def url(self, port_variable: str) -> str:
        return f"http://{self.host}:{self.ports[port_variable]}"


def _port(env: dict[str, str], name: str) -> int:
    value = env[name]
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise StartupError(f"{name} doit être un numéro de port entre 1 et 65535.")
    return int(value)


class StopSignals:
    """Turns SIGINT (Ctrl-C), SIGTERM and SIGHUP (terminal closed) into a flag the supervisor polls.

    A flag rather than an exception: a signal must never interrupt a start half done, which would
    leave a server running that nobody stops.
    """

    def __init__(self) -> None:
        self.received: int | None = None

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._record)

    def _record(self, signum: int, _frame) -> None:
        self.received = signum


@dataclass
class Service:
    label: str
    log_name: str
    command: list[str]
    url: str
    is_ready: Callable[[str], bool]
    extra_env: dict[str, str]
    # Log messages meaning that the service answers but cannot work (Rasa keeps serving without a model).
    fatal_log_messages: tuple[str, ...] = ()
    # The account to run as, when started by root (PostgreSQL refuses to run as root).
    user: str | None = None
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    log_path: Path | None = None
    # When it was restarted after stopping by itself (within RESTART_WINDOW_SECONDS), and when the next
    # restart is due.
    restarts: list[float] = field(default_factory=list)
    restart_due: float | None = None

    def start(self, settings: Settings, append_log: bool = False) -> None:
        self.log_path = settings.logs_dir / f"{self.log_name}.log"
        # A restart keeps the log of the run that crashed: it says why.
        with open(self.log_path, "ab" if append_log else "wb") as log:
            self.process = subprocess.Popen(
                self.command,
                env={**settings.env, **self.extra_env},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                user=self.user,
                group=self.user,
                extra_groups=[] if self.user else None,
            )
        self.started_at = time.monotonic()

    def fatal_log_message(self) -> str | None:
        log = self.log_path.read_text(encoding="utf-8", errors="replace")
        return next((message for message in self.fatal_log_messages if message in log), None)

    def log_tail(self) -> str:
        lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        tail = "\n".join(lines[-LOG_TAIL_LINES:]) or "(journal vide)"
        return f"Dernières lignes de {self.log_path} :\n{tail}"


def action_service(settings: Settings, port: int | None = None, name: str = "") -> Service:
    """The action server on ACTION_PORT, or on `port` for one of several (`name` tells it apart)."""
    port = port or settings.ports["ACTION_PORT"]
    return Service(
        label=f"serveur d'actions{name and ' ' + name}",
        log_name=f"action-server{name and '-' + name}",
        command=[
            RASA, "run", "actions",
            "--port", str(port),
            "--actions", "actions",
        ],
        url=f"http://{settings.host}:{port}",
        is_ready=wait_for.action_server_ready,
        # rasa_sdk binds the address in SANIC_HOST, and every interface without it.
        extra_env={"SANIC_HOST": settings.host},
    )


def rasa_service(settings: Settings, port: int | None = None, name: str = "") -> Service:
    """The Rasa server on RASA_PORT, or on `port` for one of several replicas (`name` tells it apart)."""
    port = port or settings.ports["RASA_PORT"]
    # Rasa's HTTP API (conversations, model, /status) is off unless RASA_API_TOKEN is set; then every call
    # needs ?token=… Only the channels (/webhooks/…) and the health routes are served otherwise.
    token = settings.env.get("RASA_API_TOKEN", "").strip()
    # « --auth-token=… » in one word: a token may begin with « - » (secrets.token_urlsafe does, one time in
    # 32), which argparse would read as another option and Rasa would not start.
    api = ["--enable-api", f"--auth-token={token}"] if token else []
    return Service(
        label=f"serveur Rasa{name and ' ' + name}",
        log_name=f"rasa-server{name and '-' + name}",
        command=[
            RASA, "run",
            "--model", str(settings.models_dir),
            "--port", str(port),
            "--interface", settings.host,
            "--endpoints", "endpoints.yml",
            "--credentials", "credentials.yml",
            "--cors", *settings.cors_origins,
            *api,
        ],
        url=f"http://{settings.host}:{port}",
        is_ready=wait_for.rasa_server_ready,
        extra_env={},
        fatal_log_messages=("No valid model found", "Could not load model"),
    )


def web_service(settings: Settings) -> Service:
    rasa_port = settings.ports["RASA_PORT"]
    # The page calls the Rasa server on the host it was loaded from: one origin per allowed page origin.
    rasa_origins = []
    for origin in settings.cors_origins:
        page = urlsplit(origin)
        host = re.sub(r":\d+$", "", page.netloc)
        socket_scheme = "wss" if page.scheme == "https" else "ws"
        rasa_origins += [f"{page.scheme}://{host}:{rasa_port}", f"{socket_scheme}://{host}:{rasa_port}"]
    return Service(
        label="serveur web",
        log_name="web",
        command=[
            sys.executable, str(Path(__file__).with_name("web_server.py")),
            "--bind", settings.host,
            "--port", str(settings.ports["WEB_PORT"]),
            "--directory", str(WEB_DIR),
            "--rasa-port", str(rasa_port),
            "--rasa-url", settings.url("RASA_PORT"),
            "--retention-days", f"{purge.retention_days(settings.env.get('RETENTION_DAYS')):g}",
            *[argument for origin in rasa_origins for argument in ("--rasa-origin", origin)],
        ],
        url=settings.url("WEB_PORT"),
        is_ready=wait_for.web_server_ready,
        extra_env={},
    )


class Supervisor:
    """Starts services, waits until they answer, watches them and stops them, group by group.

    Services start in stages: those of a stage start together once every service of the previous
    stages answers (the stores before the servers that use them).
    """

    def __init__(self, stages: list[list[Service]], signals: StopSignals, settings: Settings):
        self.stages = stages
        self.services = [service for stage in stages for service in stage]
        self.signals = signals
        self.settings = settings

    def start_and_wait(self) -> bool:
        """Starts every service and waits until all answer; False when a stop was asked meanwhile."""
        deadline = time.monotonic() + self.settings.startup_timeout
        return all(self._start_stage(stage, deadline) for stage in self.stages)

    def _start_stage(self, stage: list[Service], deadline: float) -> bool:
        for service in stage:
            service.start(self.settings)
        waiting = list(stage)
        while waiting:
            if self.signals.received is not None:
                return False
            for service in list(waiting):
                self._raise_if_dead(service, "pendant le démarrage")
                if service.is_ready(service.url):
                    self._raise_if_unusable(service)
                    waiting.remove(service)
                    inform(f"  {service.label} : prêt en {seconds(time.monotonic() - service.started_at)}")
            if waiting and time.monotonic() > deadline:
                late = waiting[0]
                raise StartupError(
                    f"le {late.label} ne répond toujours pas sur {late.url} après "
                    f"{seconds(self.settings.startup_timeout)} (variable STARTUP_TIMEOUT).\n{late.log_tail()}"
                )
            if waiting:
                time.sleep(POLL_SECONDS)
        return True

    def watch(self) -> None:
        """Returns when a stop is asked. A service that stops by itself is restarted after a growing delay
        while the others keep serving; one that keeps stopping (more than len(RESTART_DELAYS) times in
        RESTART_WINDOW_SECONDS) stops the assistant. Old conversations are purged once a day."""
        next_purge = time.monotonic() + PURGE_EVERY_SECONDS
        while self.signals.received is None:
            for service in self.services:
                if service.process.poll() is not None:
                    self._restart(service)
            if time.monotonic() >= next_purge:
                purge_old_conversations(self.settings)
                next_purge = time.monotonic() + PURGE_EVERY_SECONDS
            time.sleep(POLL_SECONDS)

    def _restart(self, service: Service) -> None:
        now = time.monotonic()
        if service.restart_due is None:
            service.restarts = [when for when in service.restarts if now - when < RESTART_WINDOW_SECONDS]
            if len(service.restarts) >= len(RESTART_DELAYS):
                self._raise_if_dead(service, f"{len(service.restarts) + 1} fois en "
                                             f"{RESTART_WINDOW_SECONDS // 60} minutes")
            delay = RESTART_DELAYS[len(service.restarts)]
            inform(f"Le {service.label} s'est arrêté (code {service.process.returncode}) : redémarrage dans "
                   f"{seconds(delay)}. Journal : {service.log_path}", sys.stderr)
            service.restart_due = now + delay
        elif now >= service.restart_due:
            # Helpers the crashed server spawned share its group and may still hold its port.
            _signal_group(service.process.pid, signal.SIGKILL)
            service.restarts.append(now)
            service.restart_due = None
            service.start(self.settings, append_log=True)
            inform(f"Le {service.label} redémarre.")

    @staticmethod
    def _raise_if_dead(service: Service, when: str) -> None:
        code = service.process.poll()
        if code is not None:
            raise StartupError(
                f"le {service.label} s'est arrêté {when} (code {code}).\n{service.log_tail()}"
            )

    @staticmethod
    def _raise_if_unusable(service: Service) -> None:
        message = service.fatal_log_message()
        if message is not None:
            raise StartupError(
                f"le {service.label} répond mais signale « {message} » : vérifiez le modèle "
                f"(`make train`).\n{service.log_tail()}"
            )

    def stop(self) -> None:
        """SIGTERM to every group, SIGKILL to what is left after the grace period."""
        started = [service for service in self.services if service.process is not None]
        began = time.monotonic()
        inform("Arrêt en cours…")
        for service in started:
            _signal_group(service.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for service in started:
            try:
                service.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                inform(f"  le {service.label} ne s'arrête pas : arrêt forcé.", sys.stderr)
            # Helpers a server spawned share its group and may outlive it.
            while _group_alive(service.process.pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            _signal_group(service.process.pid, signal.SIGKILL)
            service.process.wait()
        inform(f"Arrêt terminé en {seconds(time.monotonic() - began)}.")


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        pass


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def check_ports_free(settings: Settings, port_variables: tuple[str, ...]) -> None:
    for name in port_variables:
        port = settings.ports[name]
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            # Same option as the servers: a port left in TIME_WAIT by a previous run counts as free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((settings.host, port))
            except OSError:
                raise StartupError(
                    f"le port {port} ({name}) est déjà utilisé sur {settings.host}. Arrêtez le programme "
                    f"qui l'occupe (un autre `make run` ?) ou choisissez un autre port, par exemple "
                    f"`{name}={port + 1} make run`."
                ) from None


def check_model_exists(settings: Settings) -> None:
    if not any(settings.models_dir.glob("*.tar.gz")):
        raise StartupError(f"aucun modèle entraîné dans {settings.models_dir}/ : lancez `make train`.")


def check_web_page_exists() -> None:
    if not WEB_PAGE.is_file():
        raise StartupError(
            f"la page web {WEB_PAGE} est introuvable : lancez la commande depuis le dossier du projet."
        )


def purge_old_conversations(settings: Settings) -> None:
    """Deletes what the tracker store holds beyond RETENTION_DAYS; a failure is said, never fatal."""
    days = purge.retention_days(settings.env.get("RETENTION_DAYS"))
    try:
        count = purge.purge(settings.tracker_store_url, days)
    except Exception as error:  # noqa: BLE001 - a purge that fails must not stop the assistant
        inform(f"  conversations : purge impossible ({type(error).__name__}), nouvel essai dans 24 h.", sys.stderr)
        return
    inform(f"  conversations de plus de {days:g} jours effacées ({count} événement(s)).")


def prepare_folders(settings: Settings) -> None:
    sqlite_file = purge.sqlite_path(settings.tracker_store_url)
    if sqlite_file is not None:
        sqlite_file.parent.mkdir(parents=True, exist_ok=True)
    settings.logs_dir.mkdir(parents=True, exist_ok=True)


def supervise(supervisor: Supervisor, while_ready: Callable[[], int]) -> int:
    """Starts the services, runs `while_ready` once they all answer, and always stops them."""
    try:
        if not supervisor.start_and_wait():
            return 0
        return while_ready()
    except StartupError as error:
        report(error)
        return 1
    finally:
        supervisor.stop()


def run_stack(settings: Settings, signals: StopSignals) -> int:
    check_ports_free(settings, PORT_VARIABLES)
    check_model_exists(settings)
    check_web_page_exists()
    prepare_folders(settings)
    purge_old_conversations(settings)
    services = [action_service(settings), rasa_service(settings), web_service(settings)]
    supervisor = Supervisor([services], signals, settings)
    began = time.monotonic()

    def announce_and_watch() -> int:
        inform(
            f"{READY_MARKER} en {seconds(time.monotonic() - began)} : "
            f"ouvrez {settings.url('WEB_PORT')}/ dans votre navigateur."
        )
        inform(f"Journaux : {', '.join(str(service.log_path) for service in services)}")
        inform("Ctrl-C pour arrêter.")
        supervisor.watch()
        return 0

    inform(f"Démarrage de l'assistant (délai maximal : {seconds(settings.startup_timeout)})…")
    return supervise(supervisor, announce_and_watch)


def run_with_action_server(settings: Settings, signals: StopSignals, rasa_command: list[str]) -> int:
    """Runs a Rasa command in the foreground (it owns the terminal) beside an action server."""
    check_ports_free(settings, ("ACTION_PORT", "RASA_PORT"))
    check_model_exists(settings)
    prepare_folders(settings)
    action = action_service(settings)
    command = [
        RASA, *rasa_command,
        "--model", str(settings.models_dir),
        "--endpoints", "endpoints.yml",
        "--port", str(settings.ports["RASA_PORT"]),
    ]

    def run_command() -> int:
        inform(f"Lancement de `rasa {rasa_command[0]}` (journal du serveur d'actions : {action.log_path})")
        return run_in_foreground(command, settings, signals)

    return supervise(Supervisor([[action]], signals, settings), run_command)


def run_in_foreground(command: list[str], settings: Settings, signals: StopSignals) -> int:
    # Same process group as this script: Ctrl-C in the terminal reaches the command directly, and it
    # decides what to do (rasa interactive opens a menu). Other stop signals may have reached this
    # script only: they are passed on.
    process = subprocess.Popen(command, env=settings.env)
    kill_deadline = None
    while process.poll() is None:
        if kill_deadline is None and signals.received not in (None, signal.SIGINT):
            process.terminate()
            kill_deadline = time.monotonic() + STOP_GRACE_SECONDS
        if kill_deadline is not None and time.monotonic() > kill_deadline:
            process.kill()
        time.sleep(POLL_SECONDS)
    return 0 if signals.received is not None else process.returncode


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Démarre l'assistant BTS MOS.")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--shell", action="store_true", help="discuter dans le terminal (rasa shell)")
    mode.add_argument(
        "--interactive", action="store_true", help="apprentissage interactif (rasa interactive)"
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    signals = StopSignals()
    signals.install()
    try:
        settings = Settings.from_environment(dict(os.environ))
        if args.shell:
            return run_with_action_server(settings, signals, ["shell", "--interface", settings.host])
        if args.interactive:
            return run_with_action_server(settings, signals, ["interactive", "--domain", "domain"])
        return run_stack(settings, signals)
    except StartupError as error:
        report(error)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

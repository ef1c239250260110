"""The cluster profile on this machine: how Rasa deployments grow, on loopback, started by the project.

`make run-cluster` starts, supervised together as `make run` does (restart after a crash, Ctrl-C stops
everything):
  PostgreSQL (tracker store) and Redis (lock store), from Debian's packages, data in CLUSTER_DIR;
  2 action servers and 2 Rasa replicas, with the same endpoints.yml and credentials.yml as `make run`;
  nginx in front: the web page, the channels balanced over the replicas, the action calls balanced
  over the action servers (deploy/nginx.conf.template, also used by compose.yaml).
The single-process profile and this one differ only by environment variables (rasa_variables).

The packages are installed with apt-get when missing and this runs as root (as `make test` does for
Chromium); otherwise the script says what to install. Passwords are generated at the first start and
kept in CLUSTER_DIR/secrets.env (never in the repository); nothing listens beyond 127.0.0.1.
"""

from __future__ import annotations

import dataclasses
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import purge
import run
import wait_for
from run import Service, Settings, StartupError, inform, seconds

REPO = Path(__file__).resolve().parent.parent
NGINX_TEMPLATE = REPO / "deploy" / "nginx.conf.template"
CLUSTER_DEFAULTS = {
    "CLUSTER_DIR": "var/cluster",
    # nginx: the page and the channels (the only port a browser needs), and the action servers' balancer.
    "WEB_PORT": "8080",
    "ACTION_PORT": "5055",
    # The two Rasa replicas and the two action servers, behind nginx.
    "RASA_PORT": "5005",
    "RASA_PORT_2": "5006",
    "ACTION_SERVER_PORT_1": "5056",
    "ACTION_SERVER_PORT_2": "5057",
    # Not the usual 5432 and 6379: a school's server may already run PostgreSQL or Redis.
    "POSTGRES_PORT": "5433",
    "REDIS_PORT": "6380",
    # A replica that dies holding a conversation's lock: the next message of that conversation waits at
    # most this long (seconds; Rasa's default is 60, longer than the reply timeout of the channels).
    "TICKET_LOCK_LIFETIME": "5",
}
CLUSTER_PORT_VARIABLES = ("WEB_PORT", "ACTION_PORT", "RASA_PORT", "RASA_PORT_2", "ACTION_SERVER_PORT_1",
                          "ACTION_SERVER_PORT_2", "POSTGRES_PORT", "REDIS_PORT")
LOCK_STORE_CLASS = "stores.lock_store.RecoveringRedisLockStore"
DATABASE = "rasa"
DATABASE_USER = "rasa"
# Debian's packages and the programs this profile needs from them.
PACKAGES = {"postgresql": "postgres", "redis-server": "redis-server", "nginx": "nginx"}
POSTGRES_ACCOUNT = "postgres"
NGINX_ACCOUNT = "www-data"


@dataclasses.dataclass(frozen=True)
class ClusterSettings:
    base: Settings
    ports: dict[str, int]
    directory: Path
    postgres_password: str
    redis_password: str

    @classmethod
    def from_environment(cls, environ: dict[str, str]) -> ClusterSettings:
        env = {**CLUSTER_DEFAULTS, **environ}
        ports = {name: run._port(env, name) for name in CLUSTER_PORT_VARIABLES}
        if len(set(ports.values())) < len(ports):
            raise StartupError(f"les ports {', '.join(CLUSTER_PORT_VARIABLES)} doivent être tous différents.")
        directory = Path(env["CLUSTER_DIR"]).resolve()
        postgres_password, redis_password = load_or_create_secrets(directory / "secrets.env")
        host = env.get("HOST") or run.DEFAULTS["HOST"]
        env.update(rasa_variables(host, ports, postgres_password, redis_password))
        return cls(run.Settings.from_environment(env), ports, directory, postgres_password, redis_password)

    @property
    def host(self) -> str:
        return self.base.host

    def address(self, port_variable: str) -> str:
        return f"{self.host}:{self.ports[port_variable]}"

    def url(self, port_variable: str) -> str:
        return f"http://{self.address(port_variable)}"


def rasa_variables(host: str, ports: dict[str, int], postgres_password: str, redis_password: str) -> dict[str, str]:
    """What turns the single-process settings into the cluster's: the variables endpoints.yml reads, and
    nginx as the proxy whose X-Forwarded-For the channels believe."""
    return {
        "ACTION_SERVER_URL": f"http://{host}:{ports['ACTION_PORT']}/webhook",
        "TRACKER_STORE_URL": f"postgresql://{DATABASE_USER}:{postgres_password}@{host}:{ports['POSTGRES_PORT']}/{DATABASE}",
        # Rasa's Redis lock store, able to carry on after a replica died holding a lock (stores/).
        "LOCK_STORE_TYPE": LOCK_STORE_CLASS,
        "REDIS_HOST": host,
        "REDIS_PORT": str(ports["REDIS_PORT"]),
        "REDIS_PASSWORD": redis_password,
        "TRUSTED_PROXIES": host,
    }


def load_or_create_secrets(path: Path) -> tuple[str, str]:
    """The PostgreSQL and Redis passwords of this cluster directory, generated at its first start."""
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(f"POSTGRES_PASSWORD={secrets.token_hex(16)}\nREDIS_PASSWORD={secrets.token_hex(16)}\n")
    values = dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").split())
    return values["POSTGRES_PASSWORD"], values["REDIS_PASSWORD"]


def render(template: str, values: dict[str, str]) -> str:
    """Fills ${NAME} as envsubst does in the nginx image; nginx's own $variables are left alone."""
    def value(match: re.Match) -> str:
        if match.group(1) not in values:
            raise StartupError(f"{NGINX_TEMPLATE.name} : aucune valeur pour ${{{match.group(1)}}}.")
        return values[match.group(1)]
    return re.sub(r"\$\{([A-Z0-9_]+)\}", value, template)


# --- Debian packages ---------------------------------------------------------------------------------

def postgres_bin_dir() -> Path | None:
    """The newest installed PostgreSQL's programs (Debian: /usr/lib/postgresql/<version>/bin)."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"),
                        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0)
    return candidates[-1].parent if candidates else None


def missing_packages() -> list[str]:
    found = {"postgresql": postgres_bin_dir() is not None}
    return [package for package, program in PACKAGES.items()
            if not found.get(package, shutil.which(program) or Path(f"/usr/sbin/{program}").exists())]


def install_packages() -> None:
    missing = missing_packages()
    if not missing:
        return
    if os.geteuid() != 0:
        raise StartupError(f"paquets Debian manquants : installez-les (sudo apt-get install {' '.join(missing)}).")
    inform(f"Installation des paquets Debian : {', '.join(missing)}…")
    # Debian starts a freshly installed service by default; this profile runs its own on other ports.
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive", "RUNLEVEL": "1"}
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", *missing]):
        completed = subprocess.run(command, env=environment, capture_output=True, text=True)
        if completed.returncode != 0:
            raise StartupError(f"`{' '.join(command)}` a échoué :\n{completed.stderr[-2000:]}")


def account() -> str | None:
    """Whom the database runs as: its own account when started by root, else the current user."""
    return POSTGRES_ACCOUNT if os.geteuid() == 0 else None


def owned_directory(path: Path, owner: str | None) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    if owner:
        shutil.chown(path, owner, owner)
    return path


# --- PostgreSQL --------------------------------------------------------------------------------------

def prepare_postgres(cluster: ClusterSettings) -> Path:
    """A database cluster in CLUSTER_DIR/postgres, created at the first start, password-protected."""
    data = cluster.directory / "postgres"
    if (data / "PG_VERSION").is_file():
        return data
    owner = account()
    owned_directory(data, owner)
    data.chmod(0o700)
    password_file = owned_directory(cluster.directory / "tmp", owner) / "pgpass"
    password_file.write_text(cluster.postgres_password + "\n", encoding="utf-8")
    if owner:
        shutil.chown(password_file, owner, owner)
    try:
        completed = subprocess.run(
            [str(postgres_bin_dir() / "initdb"), "-D", str(data), "-U", DATABASE_USER,
             "--pwfile", str(password_file), "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"],
            user=owner, group=owner, extra_groups=[] if owner else None, capture_output=True, text=True,
        )
    finally:
        password_file.unlink()
    if completed.returncode != 0:
        raise StartupError(f"initdb a échoué :\n{completed.stdout[-1000:]}{completed.stderr[-1000:]}")
    return data


def postgres_service(cluster: ClusterSettings, data: Path) -> Service:
    socket_dir = owned_directory(cluster.directory / "run", account())
    return Service(
        label="serveur PostgreSQL",
        log_name="postgres",
        command=[str(postgres_bin_dir() / "postgres"), "-D", str(data), "-p", str(cluster.ports["POSTGRES_PORT"]),
                 "-h", cluster.host, "-k", str(socket_dir)],
        url=f"postgresql://{cluster.address('POSTGRES_PORT')}",
        is_ready=lambda _url: database_ready(cluster),
        extra_env={},
        user=account(),
    )


def database_ready(cluster: ClusterSettings) -> bool:
    """True once PostgreSQL accepts the assistant's user; creates the assistant's database the first time."""
    import psycopg2

    try:
        connection = psycopg2.connect(host=cluster.host, port=cluster.ports["POSTGRES_PORT"], user=DATABASE_USER,
                                      password=cluster.postgres_password, dbname="postgres", connect_timeout=2)
    except psycopg2.OperationalError:
        return False
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,))
            if cursor.fetchone() is None:
                cursor.execute(f"CREATE DATABASE {DATABASE}")
    finally:
        connection.close()
    return True


# --- Redis -------------------------------------------------------------------------------------------

def redis_service(cluster: ClusterSettings) -> Service:
    # The password goes in a file, not on the command line (visible to every user in `ps`). The locks
    # live seconds: nothing to save on disk.
    directory = owned_directory(cluster.directory / "redis", None)
    config = directory / "redis.conf"
    config.write_text(
        f"bind {cluster.host}\nport {cluster.ports['REDIS_PORT']}\nrequirepass {cluster.redis_password}\n"
        f"dir {directory}\nsave \"\"\nappendonly no\ndaemonize no\nprotected-mode yes\n",
        encoding="utf-8",
    )
    config.chmod(0o600)
    return Service(
        label="serveur Redis",
        log_name="redis",
        command=[shutil.which("redis-server") or "/usr/bin/redis-server", str(config)],
        url=f"redis://{cluster.address('REDIS_PORT')}",
        is_ready=lambda _url: redis_ready(cluster),
        extra_env={},
    )


def redis_ready(cluster: ClusterSettings) -> bool:
    import redis

    try:
        return bool(redis.Redis(host=cluster.host, port=cluster.ports["REDIS_PORT"], password=cluster.redis_password,
                                socket_timeout=2).ping())
    except redis.RedisError:
        return False


# --- nginx -------------------------------------------------------------------------------------------

def nginx_values(cluster: ClusterSettings, access_log: Path) -> dict[str, str]:
    """The template's variables on loopback (compose.yaml gives the same ones for its containers)."""
    return {
        "RASA_1_ADDRESS": cluster.address("RASA_PORT"),
        "RASA_2_ADDRESS": cluster.address("RASA_PORT_2"),
        "ACTIONS_1_ADDRESS": cluster.address("ACTION_SERVER_PORT_1"),
        "ACTIONS_2_ADDRESS": cluster.address("ACTION_SERVER_PORT_2"),
        "PUBLIC_LISTEN": cluster.address("WEB_PORT"),
        "ACTIONS_LISTEN": cluster.address("ACTION_PORT"),
        "WEB_ROOT": str(REPO / run.WEB_DIR),
        "ACCESS_LOG": str(access_log),
        "RETENTION_DAYS": f"{purge.retention_days(cluster.base.env.get('RETENTION_DAYS')):g}",
    }


def nginx_service(cluster: ClusterSettings) -> Service:
    directory = owned_directory(cluster.directory / "nginx", None)
    worker = NGINX_ACCOUNT if os.geteuid() == 0 else None
    temp = owned_directory(directory / "temp", worker)
    (directory / "assistant.conf").write_text(
        render(NGINX_TEMPLATE.read_text(encoding="utf-8"), nginx_values(cluster, cluster.base.logs_dir / "nginx-access.log")),
        encoding="utf-8",
    )
    temp_paths = "\n".join(f"    {kind}_temp_path {owned_directory(temp / kind, worker)};"
                           for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (directory / "nginx.conf").write_text(
        (f"user {worker};\n" if worker else "")
        + f"worker_processes 2;\npid {directory / 'nginx.pid'};\nerror_log stderr;\n"
        + "events { worker_connections 2048; }\n"
        + f"http {{\n    include /etc/nginx/mime.types;\n{temp_paths}\n    include {directory / 'assistant.conf'};\n}}\n",
        encoding="utf-8",
    )
    return Service(
        label="serveur nginx",
        log_name="nginx",
        command=[shutil.which("nginx") or "/usr/sbin/nginx", "-p", str(directory), "-e", "stderr",
                 "-c", str(directory / "nginx.conf"), "-g", "daemon off;"],
        url=cluster.url("WEB_PORT"),
        is_ready=wait_for.web_server_ready,
        extra_env={},
    )


# --- the whole profile ---------------------------------------------------------------------------------

def cluster_stages(cluster: ClusterSettings) -> list[list[Service]]:
    """The stores first (Rasa would wait for PostgreSQL, but falls back to nothing for Redis), then the
    servers and their balancer."""
    settings = cluster.base
    return [
        [postgres_service(cluster, prepare_postgres(cluster)), redis_service(cluster)],
        [
            run.action_service(settings, cluster.ports["ACTION_SERVER_PORT_1"], "1"),
            run.action_service(settings, cluster.ports["ACTION_SERVER_PORT_2"], "2"),
            run.rasa_service(settings, cluster.ports["RASA_PORT"], "1"),
            run.rasa_service(settings, cluster.ports["RASA_PORT_2"], "2"),
            nginx_service(cluster),
        ],
    ]


def run_cluster(cluster: ClusterSettings, signals: run.StopSignals) -> int:
    settings = cluster.base
    check_ports_free(cluster)
    run.check_model_exists(settings)
    run.check_web_page_exists()
    settings.logs_dir.mkdir(parents=True, exist_ok=True)
    stages = cluster_stages(cluster)
    supervisor = run.Supervisor(stages, signals, settings)
    began = time.monotonic()

    def announce_and_watch() -> int:
        run.purge_old_conversations(settings)
        inform(f"{run.READY_MARKER} (profil cluster) en {seconds(time.monotonic() - began)} : "
               f"ouvrez {cluster.url('WEB_PORT')}/ dans votre navigateur.")
        inform(f"Journaux : {settings.logs_dir}/ ; données : {cluster.directory}/")
        inform("Ctrl-C pour arrêter.")
        supervisor.watch()
        return 0

    inform(f"Démarrage du profil cluster (délai maximal : {seconds(settings.startup_timeout)})…")
    return run.supervise(supervisor, announce_and_watch)


def check_ports_free(cluster: ClusterSettings) -> None:
    run.check_ports_free(dataclasses.replace(cluster.base, ports=cluster.ports), CLUSTER_PORT_VARIABLES)


def main() -> int:
    signals = run.StopSignals()
    signals.install()
    try:
        install_packages()
        cluster = ClusterSettings.from_environment(dict(os.environ))
        return run_cluster(cluster, signals)
    except StartupError as error:
        run.report(error)
        return 1


if __name__ == "__main__":
    sys.exit(main())

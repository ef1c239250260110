"""The Docker deployment (Dockerfile, compose.yaml, .dockerignore) against the repository it deploys.

No Docker daemon here: these tests read the files and check that they agree with endpoints.yml,
credentials.yml and deploy/nginx.conf.template, so that editing one cannot silently break a school's server.
"""
from __future__ import annotations

import ipaddress
import re
import shlex
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))

import cluster  # noqa: E402  (scripts/cluster.py: the profile `make test-cluster` tests)

COMPOSE = yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
NGINX = SERVICES["nginx"]
RASA = ("rasa-1", "rasa-2")
ACTIONS = ("actions-1", "actions-2")
BUILT = (*RASA, *ACTIONS, "purge")
TOPOLOGY = {"postgres", "redis", *RASA, *ACTIONS, "nginx", "purge"}
TEMPLATE = REPO / "deploy" / "nginx.conf.template"
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# A secret as compose.yaml must give it: a required variable of .env, never a value or a default.
SECRET_REFERENCE = re.compile(r"\$\{[A-Z_]*PASSWORD:\?[^}]+\}")


def env(name: str) -> dict:
    environment = SERVICES[name].get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {key: str(value) for key, value in environment.items()}


def command(name: str) -> list:
    value = SERVICES[name].get("command") or []
    return shlex.split(value) if isinstance(value, str) else [str(part) for part in value]


def option(name: str, flag: str) -> str | None:
    words = command(name)
    return words[words.index(flag) + 1] if flag in words else None


def strings(node) -> list:
    """Every string of a parsed YAML document: its comments are not part of it."""
    if isinstance(node, dict):
        return [text for value in node.values() for text in strings(value)]
    if isinstance(node, list):
        return [text for value in node for text in strings(value)]
    return [node] if isinstance(node, str) else []


def unmasked(url: str) -> str:
    """A URL with its ${…} references replaced, so that an error message in one cannot break the parse."""
    return re.sub(r"\$\{[^}]*\}", "secret", url)


def test_services_are_the_tested_topology():
    assert set(SERVICES) == TOPOLOGY, f"compose.yaml must mirror `make run-cluster`: {sorted(SERVICES)}"
    for name, service in SERVICES.items():
        assert service.get("restart") == "unless-stopped", f"{name}: no restart policy"
        if name != "purge":
            test = (service.get("healthcheck") or {}).get("test")
            assert test and test != ["NONE"], f"{name} serves something but has no healthcheck"
    for name in BUILT:
        assert SERVICES[name].get("build") in (".", {"context": "."}), f"{name} must run the Dockerfile's image"


@pytest.mark.parametrize("name", RASA)
def test_rasa_sets_every_variable_of_endpoints(name):
    endpoints = yaml.safe_load((REPO / "endpoints.yml").read_text(encoding="utf-8"))
    needed = {variable for text in strings(endpoints) for variable in VARIABLE.findall(text)}
    assert needed, "endpoints.yml reads no ${VARIABLE}: this test no longer checks anything"
    missing = needed - set(env(name))
    assert not missing, f"{name}: Rasa refuses to start without {sorted(missing)} (endpoints.yml)"


@pytest.mark.parametrize("name", RASA)
def test_rasa_stores_and_actions_point_at_the_services(name):
    values = env(name)
    tracker = urlsplit(unmasked(values["TRACKER_STORE_URL"]))
    assert tracker.scheme.startswith("postgresql"), f"{name}: replicas must share PostgreSQL, not {tracker.scheme}"
    assert tracker.hostname == "postgres" and tracker.port == 5432, f"{name}: tracker store is not the postgres service"
    assert values["LOCK_STORE_TYPE"] == cluster.LOCK_STORE_CLASS, f"{name}: not the cluster profile's lock store"
    assert values["REDIS_HOST"] == "redis", f"{name}: locks not in the redis service"
    actions = urlsplit(values["ACTION_SERVER_URL"])
    assert (actions.hostname, str(actions.port)) == ("nginx", env("nginx")["ACTIONS_LISTEN"]), (
        f"{name}: ACTION_SERVER_URL must be nginx's action balancer (ACTIONS_LISTEN), not {actions.netloc}"
    )


def test_nginx_sets_every_template_variable():
    needed = set(VARIABLE.findall(TEMPLATE.read_text(encoding="utf-8")))
    missing = needed - set(env("nginx"))
    assert not missing, f"envsubst would leave ${{…}} in nginx's configuration: {sorted(missing)}"


@pytest.mark.parametrize("prefix, services", [("RASA", RASA), ("ACTIONS", ACTIONS)])
def test_nginx_balances_over_the_replicas_on_their_ports(prefix, services):
    addresses = [value for key, value in env("nginx").items() if re.fullmatch(rf"{prefix}_\d+_ADDRESS", key)]
    targets = {tuple(address.rsplit(":", 1)) for address in addresses}
    assert {host for host, _ in targets} == set(services), f"{prefix}_n_ADDRESS must name {services}: {addresses}"
    for host, port in targets:
        assert port == option(host, "--port"), f"nginx sends to {host}:{port}, {host} listens on {option(host, '--port')}"


def test_nginx_mounts_its_template_and_the_page():
    values = env("nginx")
    mounts = {}
    for volume in NGINX.get("volumes", []):
        source, target, *mode = volume.split(":")
        mounts[(REPO / source).resolve()] = (target, mode)
    template_target, _ = mounts.get(TEMPLATE, (None, None))
    assert template_target and re.fullmatch(r"/etc/nginx/templates/[^/]+\.conf\.template", template_target), (
        f"the nginx image's envsubst reads /etc/nginx/templates/*.template, not {template_target}"
    )
    assert mounts.get(REPO / "web") == (values["WEB_ROOT"], ["ro"]), "web/ must be mounted read-only at WEB_ROOT"


def test_only_the_public_port_is_published():
    published = [str(port).rsplit(":", 1)[-1] for port in NGINX.get("ports", [])]
    assert published == [env("nginx")["PUBLIC_LISTEN"]], f"nginx publishes {published}, only PUBLIC_LISTEN is public"
    exposed = [name for name, service in SERVICES.items() if name != "nginx" and service.get("ports")]
    assert not exposed, f"only nginx may publish a port: {exposed}"


@pytest.mark.parametrize("name", RASA)
def test_rasa_trusts_only_nginx(name):
    network, settings = next(iter(NGINX["networks"].items()))
    address = ipaddress.ip_address(settings["ipv4_address"])
    assert env(name)["TRUSTED_PROXIES"] == str(address), f"{name} must believe nginx's X-Forwarded-For only"
    ipam = COMPOSE["networks"][network]["ipam"]["config"][0]
    assert address in ipaddress.ip_network(ipam["subnet"]), "nginx's fixed address is outside its network"
    assert address not in ipaddress.ip_network(ipam["ip_range"]), "another container could take nginx's address"


@pytest.mark.parametrize("name", RASA)
def test_rasa_waits_for_healthy_stores(name):
    depends_on = SERVICES[name].get("depends_on") or {}
    for store in ("postgres", "redis"):
        assert (depends_on.get(store) or {}).get("condition") == "service_healthy", f"{name} must wait for {store}"


@pytest.mark.parametrize("name", RASA)
def test_rasa_command_uses_the_repository_files_and_no_api(name):
    words = command(name)
    assert words[:2] == ["rasa", "run"] and "--enable-api" not in words, f"{name}: channels only, no HTTP API"
    for flag, path in (("--endpoints", "endpoints.yml"), ("--credentials", "credentials.yml")):
        assert option(name, flag) == path and (REPO / path).is_file(), f"{name}: {flag} must be {path}"


@pytest.mark.parametrize("name", ACTIONS)
def test_action_servers_serve_the_actions_package(name):
    assert command(name)[:3] == ["rasa", "run", "actions"] and option(name, "--actions") == "actions"
    assert env(name).get("SANIC_HOST") == "0.0.0.0", f"{name} must listen beyond its own loopback"


def test_purge_cleans_the_tracker_store_of_the_replicas():
    assert "scripts/purge.py" in " ".join(command("purge")) and (REPO / "scripts" / "purge.py").is_file()
    assert env("purge")["TRACKER_STORE_URL"] == env("rasa-1")["TRACKER_STORE_URL"]
    assert env("purge")["RETENTION_DAYS"] == env("nginx")["RETENTION_DAYS"], "the page must announce what is kept"


def test_dockerfile_installs_the_pins_and_exposes_the_servers():
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.10[-.\w]*", dockerfile, re.M), "Rasa 3.6 runs on Python 3.10 only"
    assert re.search(r"pip install -r requirements\.txt -c constraints\.txt", dockerfile), "install with the pins"
    user = re.findall(r"^USER\s+(\S+)", dockerfile, re.M)
    assert user and user[-1] not in ("root", "0"), "the servers must not run as root"
    exposed = set(" ".join(re.findall(r"^EXPOSE\s+(.+)$", dockerfile, re.M)).split())
    ports = {option(name, "--port") for name in (*RASA, *ACTIONS)}
    assert ports <= exposed, f"the Dockerfile exposes {sorted(exposed)}, the services listen on {sorted(ports)}"


def test_every_channel_of_credentials_is_in_the_image():
    credentials = yaml.safe_load((REPO / "credentials.yml").read_text(encoding="utf-8"))
    ignored = {line.strip().rstrip("/") for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()}
    custom = [key for key in credentials if "." in key]
    assert custom, "credentials.yml names no channel class of the project"
    for key in custom:
        module, cls = key.rsplit(".", 1)
        path = REPO / (module.replace(".", "/") + ".py")
        assert path.is_file() and re.search(rf"^class {cls}\b", path.read_text(encoding="utf-8"), re.M), (
            f"credentials.yml names {key}, which {path.relative_to(REPO)} does not define"
        )
        assert path.relative_to(REPO).parts[0] not in ignored, f".dockerignore keeps {path.parent.name}/ out of the image"


def test_secrets_are_never_written_in_compose():
    text = (REPO / "compose.yaml").read_text(encoding="utf-8")
    references = re.findall(r"\$\{[A-Z_]*PASSWORD[^}]*\}", text)
    assert references and all(SECRET_REFERENCE.fullmatch(ref) for ref in references), (
        "passwords come from .env as ${NAME:?message}, without default"
    )
    for name in SERVICES:
        for key, value in env(name).items():
            if re.search(r"PASSWORD|AUTH|SECRET|TOKEN", key):
                assert SECRET_REFERENCE.fullmatch(value), f"{name}: {key} is written in compose.yaml"
            if "://" in value and urlsplit(unmasked(value)).password is not None:
                password = value.split("://", 1)[1].rsplit("@", 1)[0].split(":", 1)[1]
                assert SECRET_REFERENCE.fullmatch(password), f"{name}: {key} holds a literal password"
    redis = command("redis")
    assert SECRET_REFERENCE.fullmatch(redis[redis.index("--requirepass") + 1]), "Redis's password is literal"

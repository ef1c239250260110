"""`make run` (scripts/run.py): the stack answers, refuses what cannot work, and stops cleanly."""

from __future__ import annotations

import re
import socket
import urllib.request
from pathlib import Path

import pytest

from assistant_stack import (
    HOST,
    LOCAL_OPENER,
    port_is_free,
    run_command,
    run_to_completion,
    stack_environment,
)

FRENCH_WORD = re.compile(r"\b(je|vous|le|la|les|de|des|du|et|est|un|une|sur|pour|bonjour)\b", re.IGNORECASE)


def bot_texts(replies: list[dict]) -> list[str]:
    return [reply["text"] for reply in replies if reply.get("text", "").strip()]


def listening_addresses(port: int) -> set[str]:
    """Local addresses of the sockets listening on `port`, IPv4 and IPv6, from /proc/net."""
    addresses = set()
    for table, family in (("tcp", socket.AF_INET), ("tcp6", socket.AF_INET6)):
        for line in Path("/proc/net", table).read_text().splitlines()[1:]:
            fields = line.split()
            address, local_port = fields[1].split(":")
            if fields[3] == "0A" and int(local_port, 16) == port:  # 0A: LISTEN
                # The kernel prints the address as 32-bit words in host (little-endian) order.
                raw = b"".join(bytes.fromhex(address[i:i + 8])[::-1] for i in range(0, len(address), 8))
                addresses.add(socket.inet_ntop(family, raw))
    return addresses


@pytest.mark.parametrize("port_variable", run_command.PORT_VARIABLES)
def test_refuses_a_port_already_taken(tmp_path, port_variable):
    env = stack_environment(tmp_path)
    port = int(env[port_variable])
    with socket.create_server((HOST, port)):
        result = run_to_completion(env)
    assert result.returncode != 0
    assert f"le port {port} ({port_variable}) est déjà utilisé" in result.stderr
    assert f"`{port_variable}={port + 1} make run`" in result.stderr
    assert not Path(env["LOGS_DIR"]).exists(), "a server was started despite the busy port"


def test_refuses_to_start_without_a_trained_model(tmp_path):
    env = {**stack_environment(tmp_path), "MODELS_DIR": str(tmp_path / "models")}
    (tmp_path / "models").mkdir()
    result = run_to_completion(env)
    assert result.returncode != 0
    assert "aucun modèle entraîné" in result.stderr
    assert "lancez `make train`" in result.stderr
    assert not Path(env["LOGS_DIR"]).exists(), "a server was started without a model"


@pytest.mark.model
def test_rest_webhook_answers_bonjour_in_french(assistant):
    texts = bot_texts(assistant.say("run-command-bonjour", "Bonjour"))
    assert texts, "the bot gave no text answer to « Bonjour »"
    assert FRENCH_WORD.search(" ".join(texts)), texts


@pytest.mark.model
def test_a_conversation_logs_no_error(assistant):
    # Rasa answers even when it cannot reach the action server (e.g. a wrong URL in endpoints.yml):
    # only its log tells.
    sender = "run-command-log"
    assistant.say(sender, "Bonjour")
    assistant.say(sender, "c'est quoi le module gardiennage ?")
    for log_name in ("rasa-server.log", "action-server.log"):
        log = (assistant.logs_dir / log_name).read_text(encoding="utf-8", errors="replace")
        errors = [line for line in log.splitlines() if " ERROR " in line]
        assert errors == [], f"{log_name}:\n" + "\n".join(errors)


@pytest.mark.model
def test_every_server_listens_on_host_only(assistant):
    for port in assistant.ports.values():
        assert listening_addresses(port) == {HOST}


@pytest.mark.model
def test_web_page_is_served_with_security_headers(assistant):
    with LOCAL_OPENER.open(f"{assistant.web_url}/", timeout=10) as response:
        body = response.read().decode()
        headers = response.headers
    assert "<html" in body.lower()
    assert headers["X-Content-Type-Options"] == "nosniff"
    policy = dict(directive.strip().split(" ", 1) for directive in headers["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'"
    connect_sources = policy["connect-src"].split()
    assert assistant.rasa_url in connect_sources
    assert assistant.rasa_url.replace("http://", "ws://") in connect_sources
    rasa_port = assistant.ports["RASA_PORT"]
    page_hosts = (HOST, "localhost")
    allowed = {"'self'"} | {f"{scheme}://{host}:{rasa_port}" for scheme in ("http", "ws") for host in page_hosts}
    assert set(connect_sources) <= allowed


@pytest.mark.model
def test_rasa_server_accepts_calls_from_the_web_page_only(assistant):
    def allowed_origin(origin: str) -> str | None:
        request = urllib.request.Request(f"{assistant.rasa_url}/webhooks/rest/", headers={"Origin": origin})
        with LOCAL_OPENER.open(request, timeout=10) as response:
            return response.headers["Access-Control-Allow-Origin"]

    assert allowed_origin(assistant.web_url) == assistant.web_url
    assert allowed_origin("http://site-inconnu.example") is None


@pytest.mark.model
def test_ctrl_c_stops_every_server_and_frees_the_ports(stopped_assistant):
    assert bot_texts(stopped_assistant.replies[0]), "the stack did not answer before the Ctrl-C"
    assert len(stopped_assistant.server_pids) >= 3, stopped_assistant.server_pids

    assert stopped_assistant.exit_code == 0
    assert stopped_assistant.pids_left == []
    assert stopped_assistant.ports_left_busy == []
    assert "Arrêt terminé" in stopped_assistant.stack.output.text


@pytest.mark.model
def test_a_server_that_cannot_work_is_reported_and_the_others_stopped(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    (models / "corrompu.tar.gz").write_bytes(b"pas une archive")
    env = {**stack_environment(tmp_path), "MODELS_DIR": str(models)}

    result = run_to_completion(env)

    assert result.returncode == 1
    assert "ERREUR : le serveur Rasa répond mais signale « No valid model found »" in result.stderr
    assert f"Dernières lignes de {env['LOGS_DIR']}/rasa-server.log" in result.stderr
    ports = [int(env[name]) for name in run_command.PORT_VARIABLES]
    assert [port for port in ports if not port_is_free(port)] == []

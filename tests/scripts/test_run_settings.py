"""Security defaults of `make run` (scripts/run.py), read from the commands it starts."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import run  # noqa: E402  (scripts/ is not a package)


def settings(**environ):
    return run.Settings.from_environment(environ)


def test_rasa_http_api_is_off_unless_a_token_is_set():
    command = run.rasa_service(settings()).command
    assert "--enable-api" not in command and not any(word.startswith("--auth-token") for word in command)
    command = run.rasa_service(settings(RASA_API_TOKEN="s3cret")).command
    assert command[command.index("--enable-api") + 1] == "--auth-token=s3cret"


def test_rasa_reads_a_token_that_begins_with_a_dash():
    from rasa.__main__ import create_argument_parser
    command = run.rasa_service(settings(RASA_API_TOKEN="-Xy_token")).command
    arguments = create_argument_parser().parse_args(command[1:])
    assert arguments.auth_token == "-Xy_token" and arguments.enable_api


def test_servers_listen_on_the_configured_host_only():
    chosen = settings(HOST="127.0.0.1")
    assert run.action_service(chosen).extra_env["SANIC_HOST"] == "127.0.0.1"
    rasa = run.rasa_service(chosen).command
    assert rasa[rasa.index("--interface") + 1] == "127.0.0.1"


def test_telemetry_is_off_and_conversations_are_kept_30_days_by_default():
    env = settings().env
    assert env["RASA_TELEMETRY_ENABLED"] == "false"
    assert env["RETENTION_DAYS"] == "30"
    web = run.web_service(settings(RETENTION_DAYS="7")).command
    assert web[web.index("--retention-days") + 1] == "7"

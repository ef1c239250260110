"""The cluster profile's settings (scripts/cluster.py): the same endpoints.yml as `make run`, other values."""
from __future__ import annotations

import re
import stat
import sys
from pathlib import Path

import pytest
from rasa.core.utils import AvailableEndpoints

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))

import cluster  # noqa: E402  (scripts/ is not a package)
import run  # noqa: E402


def cluster_settings(tmp_path, **environ) -> cluster.ClusterSettings:
    return cluster.ClusterSettings.from_environment({"CLUSTER_DIR": str(tmp_path / "cluster"), **environ})


def endpoints_under(env: dict, monkeypatch) -> AvailableEndpoints:
    """endpoints.yml as Rasa reads it with `env` in the environment."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return AvailableEndpoints.read_endpoints(str(REPO / "endpoints.yml"))


def test_make_run_reads_endpoints_as_a_single_sqlite_server(monkeypatch):
    endpoints = endpoints_under(run.Settings.from_environment({"TRACKER_DB": "var/t.db"}).env, monkeypatch)
    assert endpoints.tracker_store.url == "sqlite:///var/t.db"
    assert endpoints.lock_store.type == "in_memory"
    assert endpoints.action.url == "http://127.0.0.1:5055/webhook"


def test_the_cluster_reads_the_same_endpoints_with_postgresql_redis_and_nginx(tmp_path, monkeypatch):
    settings = cluster_settings(tmp_path)
    endpoints = endpoints_under(settings.base.env, monkeypatch)
    assert re.fullmatch(r"postgresql://rasa:[0-9a-f]{32}@127\.0\.0\.1:5433/rasa", endpoints.tracker_store.url)
    assert endpoints.lock_store.type == "stores.lock_store.RecoveringRedisLockStore"
    assert (endpoints.lock_store.url, endpoints.lock_store.kwargs["port"]) == ("127.0.0.1", "6380")
    assert endpoints.lock_store.kwargs["password"] == settings.redis_password
    # The action calls go to nginx, which balances them over the two action servers.
    assert endpoints.action.url == f"http://127.0.0.1:{settings.ports['ACTION_PORT']}/webhook"
    assert settings.base.env["TRUSTED_PROXIES"] == "127.0.0.1"


def test_passwords_are_made_once_per_cluster_and_readable_by_the_owner_only(tmp_path):
    first, again = cluster_settings(tmp_path), cluster_settings(tmp_path)
    assert (first.postgres_password, first.redis_password) == (again.postgres_password, again.redis_password)
    assert first.postgres_password != first.redis_password
    secrets_file = tmp_path / "cluster" / "secrets.env"
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    assert first.postgres_password not in (REPO / "endpoints.yml").read_text()


def test_every_port_must_differ(tmp_path):
    with pytest.raises(run.StartupError, match="tous différents"):
        cluster_settings(tmp_path, RASA_PORT_2="5005")


def test_the_nginx_template_is_filled_completely_and_keeps_nginx_variables(tmp_path):
    settings = cluster_settings(tmp_path)
    template = cluster.NGINX_TEMPLATE.read_text(encoding="utf-8")
    config = cluster.render(template, cluster.nginx_values(settings, tmp_path / "access.log"))
    assert "${" not in config
    assert "server 127.0.0.1:5005 " in config and "server 127.0.0.1:5006 " in config
    assert "server 127.0.0.1:5056 " in config and "server 127.0.0.1:5057 " in config
    assert "listen 127.0.0.1:8080;" in config and "listen 127.0.0.1:5055;" in config
    assert "$request_id" in config and "$http_upgrade" in config
    with pytest.raises(run.StartupError, match="WEB_ROOT"):
        cluster.render("root ${WEB_ROOT};", {})


def test_the_stores_start_before_the_servers_that_use_them(tmp_path, monkeypatch):
    settings = cluster_settings(tmp_path)
    monkeypatch.setattr(cluster, "prepare_postgres", lambda _settings: tmp_path / "pg")
    monkeypatch.setattr(cluster, "postgres_bin_dir", lambda: Path("/usr/lib/postgresql/15/bin"))
    stores, servers = cluster.cluster_stages(settings)
    assert [service.log_name for service in stores] == ["postgres", "redis"]
    assert sorted(service.log_name for service in servers) == [
        "action-server-1", "action-server-2", "nginx", "rasa-server-1", "rasa-server-2"]
    rasa_ports = [service.command[service.command.index("--port") + 1] for service in servers
                  if service.log_name.startswith("rasa")]
    assert rasa_ports == ["5005", "5006"]

"""Readiness probes: small HTTP checks telling whether a freshly started server answers yet."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request

PROBE_TIMEOUT_SECONDS = 2.0

# The servers are local: a proxy configured in the environment (http_proxy) must never see these calls.
_LOCAL_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_get(url: str) -> tuple[int, str] | None:
    """Status and body of GET `url`, or None while nothing answers at that address."""
    try:
        with _LOCAL_OPENER.open(url, timeout=PROBE_TIMEOUT_SECONDS) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")
    except (urllib.error.URLError, http.client.HTTPException, OSError):
        return None


def _status_is_ok(url: str) -> bool:
    answer = http_get(url)
    if answer is None or answer[0] != 200:
        return False
    try:
        return json.loads(answer[1]).get("status") == "ok"
    except (ValueError, AttributeError):
        return False


def action_server_ready(base_url: str) -> bool:
    return _status_is_ok(f"{base_url}/health")


def rasa_server_ready(base_url: str) -> bool:
    # The root route answers once the model is loaded; the REST channel's health route proves that
    # the channels from credentials.yml are mounted too.
    root = http_get(f"{base_url}/")
    return (
        root is not None
        and root[0] == 200
        and root[1].startswith("Hello from Rasa")
        and _status_is_ok(f"{base_url}/webhooks/rest/")
    )


def web_server_ready(base_url: str) -> bool:
    answer = http_get(f"{base_url}/")
    return answer is not None and answer[0] == 200

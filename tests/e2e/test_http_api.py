"""`make run` leaves Rasa's HTTP API off: only the channels and the health routes answer."""
from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from assistant_stack import LOCAL_OPENER

pytestmark = pytest.mark.model


def status_of(url: str) -> int:
    try:
        with LOCAL_OPENER.open(urllib.request.Request(url), timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_rasa_http_api_is_off_by_default(assistant):
    for path in ("/status", "/version", "/conversations/someone/tracker", "/model/parse"):
        assert status_of(assistant.rasa_url + path) == 404, path
    assert status_of(assistant.rasa_url + "/webhooks/rest/") == 200

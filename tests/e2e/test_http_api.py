"""`make run` leaves Rasa's HTTP API off: only the channels and the health routes answer."""
from __future__ import annotations

import pytest

from assistant_stack import http_status

pytestmark = pytest.mark.model


def test_rasa_http_api_is_off_by_default(assistant):
    for path in ("/status", "/version", "/conversations/someone/tracker", "/model/parse"):
        assert http_status(assistant.rasa_url + path) == 404, path
    assert http_status(assistant.rasa_url + "/webhooks/rest/") == 200

"""The website widget in headless Chromium through nginx: the page, its settings and socket.io (websocket
only) from one origin, answered by the Rasa replicas behind it."""
from __future__ import annotations

import pytest

from test_browser_widget import REPO, run_browser_suite  # tests/e2e, put on the path by conftest.py

pytestmark = pytest.mark.cluster


def test_widget_through_nginx_in_a_real_browser(running_cluster):
    result = run_browser_suite(running_cluster.url, running_cluster.url, target="tests/web/test_widget_browser.py",
                               log_name="browser-test-cluster.log",
                               screenshot=REPO / "results" / "cluster" / "widget-through-nginx.png")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]

"""The website widget in headless Chromium against the running assistant (tests/web, own virtualenv).

Playwright lives in .venv-browser so that its dependencies never touch Rasa's pins; this test runs that
suite against the shared stack and fails with its output when it fails.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.model

REPO = Path(__file__).resolve().parents[2]
BROWSER_PYTHON = REPO / ".venv-browser" / "bin" / "python"


# The widget's suite; the staff console's (tests/web/staff) needs a stack started with STAFF_TOKEN.
WIDGET_SUITE = ("tests/web", "--ignore=tests/web/staff")


def run_browser_suite(web_url: str, rasa_url: str, target: str | tuple = WIDGET_SUITE,
                      log_name: str = "browser-test.log", screenshot: Path | None = None,
                      extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Runs the browser suite `target` against a running stack; its output is kept in results/web/."""
    assert BROWSER_PYTHON.exists(), "run `make browser-deps` first (Chromium and Playwright)"
    env = {**os.environ, "WEB_URL": web_url, "RASA_URL": rasa_url,
           **({"WIDGET_SCREENSHOT": str(screenshot)} if screenshot else {}), **(extra_env or {})}
    targets = [target] if isinstance(target, str) else list(target)
    result = subprocess.run(
        [str(BROWSER_PYTHON), "-m", "pytest", *targets, "--confcutdir=tests/web", "-p", "no:cacheprovider",
         "-o", "addopts=", "-q", "-s"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
    )
    # The suite prints the widget's transfer size and its own duration: keep them with the screenshot.
    log = REPO / "results" / "web" / log_name
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(result.stdout + result.stderr, encoding="utf-8")
    return result


def test_widget_in_a_real_browser(assistant):
    result = run_browser_suite(assistant.web_url, assistant.rasa_url)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]

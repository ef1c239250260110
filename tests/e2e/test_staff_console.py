"""The staff console in headless Chromium against an assistant started with STAFF_TOKEN (tests/web/staff,
own virtualenv): log in with the token, ask three questions, read why, flag one, find it in the review
store; without the token, the page and its API answer 401."""
from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from assistant_stack import start_assistant
from test_browser_widget import REPO, run_browser_suite

pytestmark = pytest.mark.model


def test_staff_console_in_a_real_browser(tmp_path: Path):
    token, review_file = secrets.token_urlsafe(24), tmp_path / "review" / "reviews.jsonl"
    stack = start_assistant(tmp_path, extra_env={"STAFF_TOKEN": token, "REVIEW_FILE": str(review_file)})
    try:
        result = run_browser_suite(stack.web_url, stack.rasa_url, target="tests/web/staff",
                                   log_name="staff-console-test.log",
                                   extra_env={"STAFF_TOKEN": token, "REVIEW_FILE": str(review_file),
                                              "STAFF_SCREENSHOT": str(REPO / "results" / "web" / "staff-console.png")})
    finally:
        stack.shut_down()
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert review_file.read_text(encoding="utf-8").count("\n") == 1
    assert token not in (stack.logs_dir / "web.log").read_text(encoding="utf-8")

"""The chat widget in a real browser against the running stack (static web server + Rasa server).

The stack is started by the caller, who passes its addresses:
    WEB_URL=http://127.0.0.1:8080 RASA_URL=http://127.0.0.1:5005 \
        .venv-browser/bin/python -m pytest tests/web -m model -s
"""

import gzip
import json
import os
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.model

SCREENSHOT = Path(os.environ.get("WIDGET_SCREENSHOT") or Path(__file__).resolve().parents[2] / "results" / "web" / "widget.png")
WIDGET_FILES = ("widget/chat-widget.js", "widget/chat-widget.css", "widget/vendor/socket.io.min.js")
HOSTILE_INPUT = "<img src=x onerror=alert(1)>"


def required_url(name: str) -> str:
    value = os.environ.get(name, "").strip().rstrip("/")
    if not value:
        pytest.fail(f"{name} is not set: this test needs the running stack, e.g. "
                    "WEB_URL=http://127.0.0.1:8080 RASA_URL=http://127.0.0.1:5005")
    return value


def test_conversation_in_the_browser_with_the_running_stack(open_guarded_page):
    started = time.monotonic()
    web_url, rasa_url = required_url("WEB_URL"), required_url("RASA_URL")
    session = open_guarded_page(
        allowed_hosts=[urlsplit(web_url).netloc, urlsplit(rasa_url).netloc],
        init_script=f"window.ChatWidgetConfig = {{serverUrl: {json.dumps(rasa_url)}}};",
    )
    page, widget = session.page, session.widget
    dialogs, rest_calls, widget_bytes = [], [], {}
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("request", lambda request: "/webhooks/rest/" in request.url and rest_calls.append(request.url))

    def record_widget_file(response):
        name = response.url[len(web_url) + 1:]
        if name.startswith("widget/") and name not in widget_bytes:
            widget_bytes[name] = response.body()

    page.on("response", record_widget_file)

    page.goto(f"{web_url}/")
    widget.open()
    widget.wait_until_connected()
    expect(widget.input).to_be_focused()

    # 1. A greeting that offers quick-reply buttons.
    greeting = ask(widget, lambda: widget.type_and_send("Bonjour"))
    offered = [reply for message in greeting for reply in message["replies"]]
    assert offered, f"the greeting offers no button: {greeting}"

    # 2. A question asked by clicking the first button.
    choice = offered[0]["title"]
    reply_groups = widget.log.locator(".cw-replies")
    chosen = reply_groups.nth(reply_groups.count() - 1).get_by_role("button", name=choice, exact=True)
    ask(widget, chosen.click)
    assert [m["text"] for m in widget.messages() if m["role"] == "user"][-1] == choice
    expect(chosen).to_be_disabled()

    # 3. A typed question whose answer comes from the knowledge base.
    duration = ask(widget, lambda: widget.type_and_send("Combien de temps dure la formation ?"))
    assert any(re.search(r"\bans\b", message["text"]) for message in duration), duration

    # 4. A short sourced answer: its source is a link (sent over socket.io beside the text), the rest is
    # behind « En savoir plus ».
    links_before = widget.log.locator("a.cw-link").count()
    record = ask(widget, lambda: widget.type_and_send("Faut-il un casier judiciaire vierge ?"))
    assert sum(len(message["text"]) for message in record) <= 700, record
    new_links = widget.log.locator("a.cw-link")
    expect(new_links).to_have_count(links_before + 1)
    source = new_links.nth(links_before)
    assert source.get_attribute("href").startswith("https://") and source.get_attribute("target") == "_blank"
    assert source.text_content() and "http" not in " ".join(message["text"] for message in record)
    more_button = widget.log.get_by_role("button", name="En savoir plus", exact=True).last
    more = ask(widget, more_button.click)
    assert all(message["text"].startswith("Hors fiche de la formation") for message in more if message["text"])

    conversation = widget.messages()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))

    # The conversation survives a reload, and the panel reopens by itself.
    page.reload()
    widget.panel.wait_for(state="visible")
    assert widget.messages() == conversation
    widget.wait_until_connected()

    # Markup typed by the user is shown as text, never interpreted.
    ask(widget, lambda: widget.type_and_send(HOSTILE_INPUT))
    assert [m["text"] for m in widget.messages() if m["role"] == "user"][-1] == HOSTILE_INPUT
    assert widget.log.locator("img").count() == 0
    assert dialogs == []

    # Keyboard: Escape closes the panel and gives the focus back to the launcher.
    widget.input.press("Escape")
    expect(widget.panel).to_be_hidden()
    expect(widget.launcher).to_be_focused()

    assert session.guard.blocked == [], f"requests outside the two local servers: {session.guard.blocked}"
    assert any(urlsplit(url).netloc == urlsplit(rasa_url).netloc and "/socket.io/" in url
               for url in session.guard.websockets), session.guard.websockets
    assert rest_calls == [], "socket.io was connected, the REST fallback should not have been used"
    assert sorted(widget_bytes) == sorted(WIDGET_FILES)

    total = sum(len(body) for body in widget_bytes.values())
    compressed = sum(len(gzip.compress(body, 9)) for body in widget_bytes.values())
    print(f"\nwidget transfer: {total} bytes ({compressed} bytes gzipped) for {', '.join(sorted(widget_bytes))}")
    print(f"browser test duration: {time.monotonic() - started:.1f} s")


def ask(widget, send):
    """Sends a question and returns the bot messages that answer it, checking there is one with text."""
    before = len(widget.bot_messages())
    send()
    answer = widget.wait_for_bot_answer(before)
    assert any(message["text"].strip() for message in answer), f"empty answer: {answer}"
    return answer

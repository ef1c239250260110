"""Browser fixtures for the chat widget tests.

These tests run with the Playwright virtualenv (.venv-browser, requirements-browser.txt) and drive
Debian's Chromium: Playwright's own browser download is never used. Every request a page makes to a
host outside the allowed ones is aborted and recorded, so a test can prove the widget stays local.
"""

import os
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, WebSocket, sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ANSWER_TIMEOUT_MS = 30_000
# A multi-part bot answer arrives as several events in quick succession.
ANSWER_SETTLE_MS = 800

# Reads the conversation as a person sees it: text of each bubble without the screen-reader prefixes.
READ_MESSAGES_JS = """
() => Array.from(document.querySelectorAll('.cw-log .cw-message')).map((row) => {
  const bubble = row.querySelector('.cw-bubble');
  let text = '';
  if (bubble) {
    const copy = bubble.cloneNode(true);
    copy.querySelectorAll('.cw-visually-hidden').forEach((hidden) => hidden.remove());
    text = copy.textContent;
  }
  return {
    role: row.className.match(/cw-message--(\\w+)/)[1],
    text: text,
    replies: Array.from(row.querySelectorAll('.cw-reply'))
      .map((button) => ({title: button.textContent, disabled: button.disabled})),
  };
})
"""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "model: needs a trained model or running servers")


@pytest.fixture(scope="session")
def browser() -> Browser:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make browser-deps` installs Debian's chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class RequestGuard:
    """Lets requests to the allowed hosts (host:port) through and aborts and records all others."""

    allowed_hosts: Iterable[str]
    blocked: List[str] = field(default_factory=list)
    websockets: List[str] = field(default_factory=list)

    def allows(self, url: str) -> bool:
        return urlsplit(url).netloc in set(self.allowed_hosts)

    def route(self, route: Route) -> None:
        if self.allows(route.request.url):
            route.fallback()
        else:
            self.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    # page.route does not see WebSocket connections: they are checked once opened.
    def watch_websocket(self, websocket: WebSocket) -> None:
        self.websockets.append(websocket.url)
        if not self.allows(websocket.url):
            self.blocked.append(websocket.url)


class WidgetDriver:
    """What a person does with the widget, and what they see of it."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.launcher = page.get_by_role("button", name="Ouvrir la discussion avec l'assistant")
        self.panel = page.get_by_role("dialog")
        self.input = page.get_by_role("textbox", name="Votre message")
        self.log = page.get_by_role("log")

    def open(self) -> None:
        self.launcher.click()
        self.panel.wait_for(state="visible")

    def wait_until_connected(self) -> None:
        self.page.wait_for_selector(".cw-root[data-connection='ready']", state="attached",
                                    timeout=ANSWER_TIMEOUT_MS)

    def messages(self) -> List[Dict]:
        return self.page.evaluate(READ_MESSAGES_JS)

    def bot_messages(self) -> List[Dict]:
        return [message for message in self.messages() if message["role"] == "bot"]

    def type_and_send(self, text: str) -> None:
        self.input.fill(text)
        self.input.press("Enter")

    def wait_for_bot_answer(self, bot_count_before: int) -> List[Dict]:
        """Waits for the bot messages that follow the first `bot_count_before` ones; returns them."""
        self.page.wait_for_function(
            "([count]) => document.querySelectorAll('.cw-log .cw-message--bot').length > count",
            arg=[bot_count_before], timeout=ANSWER_TIMEOUT_MS)
        count = -1
        while count != len(self.bot_messages()):
            count = len(self.bot_messages())
            self.page.wait_for_timeout(ANSWER_SETTLE_MS)
        return self.bot_messages()[bot_count_before:]


@dataclass
class GuardedPage:
    page: Page
    guard: RequestGuard
    widget: WidgetDriver


@pytest.fixture
def open_guarded_page(browser: Browser) -> Callable[..., GuardedPage]:
    """Opens a page in a fresh browser context whose requests are limited to `allowed_hosts`."""
    contexts = []

    def open_page(allowed_hosts: Iterable[str], init_script: Optional[str] = None,
                  viewport: Optional[Dict[str, int]] = None) -> GuardedPage:
        context = browser.new_context(viewport=viewport or {"width": 1280, "height": 800}, locale="fr-FR")
        contexts.append(context)
        guard = RequestGuard(allowed_hosts=list(allowed_hosts))
        context.route("**/*", guard.route)
        if init_script:
            context.add_init_script(init_script)
        page = context.new_page()
        page.on("websocket", guard.watch_websocket)
        return GuardedPage(page=page, guard=guard, widget=WidgetDriver(page))

    yield open_page
    for context in contexts:
        context.close()

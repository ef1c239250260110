"""The staff console (/staff/) in a real browser against the running stack, started with STAFF_TOKEN.

The caller (tests/e2e/test_staff_console.py) starts the stack and passes:
    WEB_URL=http://127.0.0.1:8080 STAFF_TOKEN=… REVIEW_FILE=…/reviews.jsonl \
        [STAFF_SCREENSHOT=results/web/staff-console.png] \
        .venv-browser/bin/python -m pytest tests/web/staff --confcutdir=tests/web -p no:cacheprovider -o addopts= -q -s

This virtualenv has only Playwright and pytest: the knowledge base is read as plain JSON.
"""

import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, expect

pytestmark = pytest.mark.model

REPO = Path(__file__).resolve().parents[3]
KB_FILE = REPO / "knowledge" / "build" / "kb.json"
ANSWER_TIMEOUT_MS = 30_000
FLAG_TIMEOUT_MS = 10_000
PHONE_WIDTH = 360
STAFF_USER = "equipe"
QUESTIONS = ("Bonjour", "ça dure combien de temps ?", "quels bacs sont acceptés ?")
EXPECTED_TOPIC = "selection"
COMMENT = "test console : réponse à vérifier"
REVIEW_FIELDS = {"message", "reply", "expected_topic", "comment"}
# The bubbles' text as a person sees it, without the screen-reader prefixes (« Assistant : »).
READ_BUBBLES_JS = """
(bubbles) => bubbles.map((bubble) => {
  const copy = bubble.cloneNode(true);
  copy.querySelectorAll('.staff-visually-hidden').forEach((hidden) => hidden.remove());
  return copy.textContent;
})
"""


@dataclass(frozen=True)
class Stack:
    web_url: str
    token: str
    review_file: Path
    screenshot: Path


def required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        pytest.fail(f"{name} is not set: this test needs the running stack started with a staff token, e.g. "
                    "WEB_URL=http://127.0.0.1:8080 STAFF_TOKEN=<token> REVIEW_FILE=<path of reviews.jsonl>")
    return value


@pytest.fixture(scope="module")
def stack() -> Stack:
    web_url, token, review_file = required("WEB_URL").rstrip("/"), required("STAFF_TOKEN"), required("REVIEW_FILE")
    screenshot = os.environ.get("STAFF_SCREENSHOT", "").strip()
    return Stack(web_url=web_url, token=token, review_file=Path(review_file),
                 screenshot=Path(screenshot) if screenshot else REPO / "results" / "web" / "staff-console.png")


@pytest.fixture
def new_context(browser: Browser):
    contexts: List[BrowserContext] = []

    def open_context(**options) -> BrowserContext:
        context = browser.new_context(locale="fr-FR", **options)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


def bacs_sentence() -> str:
    """The fiche's sentence on which bacs give access, as the knowledge base the assistant uses quotes it."""
    if not KB_FILE.is_file():
        pytest.fail(f"{KB_FILE} is missing: build the knowledge base first (make kb)")
    kb = json.loads(KB_FILE.read_text(encoding="utf-8"))
    return kb["formations"][kb["default_formation"]]["access"]["bacs"]["source"]["sentence"]


def assert_denied(response, what: str) -> None:
    assert response.status == 401, f"{what}: expected 401, got {response.status}"
    challenge = response.headers.get("www-authenticate", "")
    assert challenge.lower().startswith("basic realm="), f"{what}: no Basic challenge ({challenge!r})"


def test_console_and_its_api_need_the_staff_token(stack: Stack, new_context):
    say = {"conversation": "a" * 20, "text": "Bonjour"}

    anonymous = new_context().request
    for path in ("/staff/", "/staff/staff.js", "/staff/staff.css", "/staff/api/topics"):
        assert_denied(anonymous.get(f"{stack.web_url}{path}"), f"GET {path} without credentials")
    assert_denied(anonymous.post(f"{stack.web_url}/staff/api/say", data=say), "POST /staff/api/say without credentials")
    assert_denied(anonymous.post(f"{stack.web_url}/staff/api/flag",
                                 data={"message": "m", "reply": "r", "expected_topic": EXPECTED_TOPIC, "comment": ""}),
                  "POST /staff/api/flag without credentials")

    wrong = new_context(http_credentials={"username": STAFF_USER, "password": stack.token + "-faux"}).request
    assert_denied(wrong.get(f"{stack.web_url}/staff/"), "GET /staff/ with a wrong password")
    assert_denied(wrong.post(f"{stack.web_url}/staff/api/say", data=say), "POST /staff/api/say with a wrong password")
    bearer = anonymous.post(f"{stack.web_url}/staff/api/say", data=say,
                            headers={"Authorization": f"Bearer {stack.token}-faux"})
    assert_denied(bearer, "POST /staff/api/say with a wrong Bearer token")


def wait_for_turn(page, index: int) -> Locator:
    """The index-th turn once answered (its explanation shown); fails with the page's error otherwise."""
    turn = page.locator(".staff-turn").nth(index)
    turn.locator(".staff-explanation, .staff-message--error").first.wait_for(timeout=ANSWER_TIMEOUT_MS)
    error = turn.locator(".staff-message--error")
    if error.count():
        pytest.fail(f"turn {index + 1} ({QUESTIONS[index]!r}) failed: {error.first.text_content()}")
    return turn


def test_ask_explain_and_flag(stack: Stack, new_context):
    started = time.monotonic()
    sentence = bacs_sentence()
    lines_before = len(stack.review_file.read_text(encoding="utf-8").splitlines()) if stack.review_file.exists() else 0

    context = new_context(http_credentials={"username": STAFF_USER, "password": stack.token},
                          viewport={"width": 1280, "height": 900})
    # The console only talks to its own server: anything else is aborted and reported.
    own_host, foreign = urlsplit(stack.web_url).netloc, []

    def guard(route):
        if urlsplit(route.request.url).netloc == own_host:
            route.fallback()
        else:
            foreign.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    page = context.new_page()
    problems, dialogs = [], []
    page.on("console", lambda message: "Content Security Policy" in message.text and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    response = page.goto(f"{stack.web_url}/staff/")
    assert response is not None and response.status == 200, f"/staff/ answered {response and response.status}"
    expect(page.get_by_role("heading", level=1)).to_have_text("Console de l'équipe — tester l'assistant")
    log = page.get_by_role("log")
    expect(log).to_have_attribute("aria-live", "polite")
    conversation = page.evaluate("window.staffConsole.conversation")
    assert re.fullmatch(r"[a-z0-9]{16,32}", conversation), conversation

    message = page.get_by_label("Votre message")
    for index, question in enumerate(QUESTIONS):
        message.fill(question)
        message.press("Enter")
        turn = wait_for_turn(page, index)
        expect(turn.locator(".staff-message--user")).to_contain_text(question)
        assert turn.locator(".staff-message--bot .staff-bubble").count() >= 1, f"no reply to {question!r}"
        expect(turn.locator(".staff-explanation")).to_be_visible()
    expect(page.locator(".staff-turn")).to_have_count(len(QUESTIONS))

    turns = page.locator(".staff-turn")
    top_intent = turns.nth(1).locator(".staff-intent--top")
    expect(top_intent).to_have_count(1)
    top_text = top_intent.text_content()
    assert "ask_duration" in top_text and re.search(r"\d+ %", top_text), f"top intent of turn 2: {top_text!r}"

    third = turns.nth(2)
    facts = third.locator(".staff-fact").all_text_contents()
    assert any(sentence in fact for fact in facts), f"the fiche's sentence {sentence!r} is not among the facts {facts}"
    replies = third.locator(".staff-message--bot .staff-bubble").evaluate_all(READ_BUBBLES_JS)

    # Flag the third answer.
    third.get_by_role("button", name="Réponse incorrecte").click()
    third.get_by_label("Sujet attendu").select_option(EXPECTED_TOPIC)
    third.get_by_label("Commentaire").fill(COMMENT)
    third.get_by_role("button", name="Enregistrer le signalement").click()
    flagged = third.locator(".staff-flagged")
    flagged.wait_for(timeout=FLAG_TIMEOUT_MS)
    expect(flagged).to_have_text("Signalement enregistré.")
    expect(flagged).to_have_attribute("role", "status")

    lines = stack.review_file.read_text(encoding="utf-8").splitlines() if stack.review_file.exists() else []
    assert len(lines) == lines_before + 1, f"expected one new record in {stack.review_file}, found {len(lines) - lines_before}"
    record = json.loads(lines[-1])
    assert REVIEW_FIELDS <= set(record), record
    assert record["message"] == QUESTIONS[2], record
    assert record["expected_topic"] == EXPECTED_TOPIC, record
    assert record["comment"] == COMMENT, record
    assert record["reply"].strip(), record
    assert record["reply"] == "\n".join(reply for reply in replies if reply).strip(), (record["reply"], replies)
    stored = json.dumps(record, ensure_ascii=False).lower()
    assert conversation not in stored, "the review record holds the conversation id"
    assert "sender" not in stored, "the review record names a sender"

    stack.screenshot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(stack.screenshot), full_page=True)

    # On a phone: nothing wider than the screen.
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= PHONE_WIDTH, f"the page is {overflow} px wide at {PHONE_WIDTH} px"
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.screenshot(path=str(stack.screenshot.with_name(f"{stack.screenshot.stem}-{PHONE_WIDTH}px.png")))

    assert not foreign, f"the console contacted other hosts: {foreign}"
    assert not dialogs, f"unexpected dialogs: {dialogs}"
    assert not problems, f"script errors or CSP violations in the page: {problems}"
    print(f"staff console test: {time.monotonic() - started:.1f} s, screenshot {stack.screenshot}")


def test_the_report_counts_students_not_staff(stack: Stack, new_context):
    """One student conversation through the assistant's REST channel (the staff conversations of the test
    above are not counted), then the console's report section."""
    rasa_url = required("RASA_URL").rstrip("/")
    student = new_context().request.post(f"{rasa_url}/webhooks/rest/webhook",
                                         data={"sender": f"eleve-{int(time.time())}", "message": QUESTIONS[1]})
    assert student.ok and student.json(), f"the REST channel answered {student.status}"

    page = new_context(http_credentials={"username": STAFF_USER, "password": stack.token},
                       viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{stack.web_url}/staff/")
    page.get_by_role("button", name="Afficher le rapport").click()
    report = page.locator("#staff-report")
    expect(report).to_contain_text("1 conversation(s), 1 message(s) dont 1 écrit(s)", timeout=FLAG_TIMEOUT_MS)
    topics = page.get_by_role("table", name="Sujets demandés")
    expect(topics.locator("tbody tr")).to_have_count(1)
    expect(topics.locator("tbody tr td").nth(1)).to_have_text("1")
    report_shot = stack.screenshot.with_name("staff-report.png")
    page.locator(".staff-report").screenshot(path=str(report_shot))

"""The chat widget in a real browser, with the Rasa server played by the test.

The page and the widget are served from web/ by request interception (no server needed); a fake
socket.io client (fake_socketio.js, served in place of the vendored one) lets the test emit exactly
the bot messages it wants, so the rendering, safety, keyboard and reconnection rules are checked
deterministically.
Run with the browser virtualenv, like test_widget_browser.py (the `model` marker keeps all of
tests/web together in the runs that have a browser).
"""

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.model

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
FAKE_SOCKETIO = (Path(__file__).parent / "fake_socketio.js").read_text(encoding="utf-8")
PAGE_HOST = "widget.test"
PAGE_URL = f"http://{PAGE_HOST}/index.html"
# Without data-server-url the widget talks to the page's host on port 5005.
DEFAULT_RASA = f"http://{PAGE_HOST}:5005"
REST_WEBHOOK = f"{DEFAULT_RASA}/webhooks/rest/webhook"
VENDORED_SOCKETIO = f"http://{PAGE_HOST}/widget/vendor/socket.io.min.js"
OFFLINE_NOTICE = "Impossible de joindre l'assistant"


def serve_web_dir(route):
    requested = (WEB_DIR / urlsplit(route.request.url).path.lstrip("/")).resolve()
    if requested.is_file() and WEB_DIR in requested.parents:
        route.fulfill(path=requested)
    else:
        route.fulfill(status=404)


@pytest.fixture
def open_widget_page(open_guarded_page):
    """Opens index.html with the fake socket.io; fails the test if any request left the allowed hosts."""
    sessions = []

    def open_page(init_script="", fake_socketio=True, extra_hosts=(), viewport=None):
        session = open_guarded_page(
            allowed_hosts=[PAGE_HOST, urlsplit(DEFAULT_RASA).netloc, *extra_hosts],
            init_script=init_script, viewport=viewport)
        session.page.route(f"http://{PAGE_HOST}/**", serve_web_dir)
        if fake_socketio:
            session.page.route(VENDORED_SOCKETIO, lambda route: route.fulfill(
                body=FAKE_SOCKETIO, content_type="text/javascript"))
        session.dialogs = []
        session.page.on("dialog", lambda dialog: (session.dialogs.append(dialog.message), dialog.dismiss()))
        sessions.append(session)
        session.page.goto(PAGE_URL)
        return session

    yield open_page
    for session in sessions:
        assert session.guard.blocked == [], f"requests outside the allowed hosts: {session.guard.blocked}"
        assert session.dialogs == []


def bot_says(page, message):
    page.evaluate("(message) => window.fakeServer.emit('bot_uttered', message)", message)


def emitted(page, event):
    return [packet["data"] for packet in page.evaluate("() => window.fakeServer.sent") if packet["event"] == event]


def open_connected(session):
    session.widget.open()
    session.widget.wait_until_connected()
    return session.page, session.widget


def test_bot_text_gets_safe_links_and_markup_stays_literal(open_widget_page):
    page, widget = open_connected(open_widget_page())
    bot_says(page, {"text": "Le référentiel : https://example.org/ref.pdf. [Écrire](mailto:contact@example.org) "
                            "[piège](javascript:alert(1)) <b>gras</b><img src=x onerror=alert(1)>"})

    assert widget.bot_messages()[-1]["text"] == (
        "Le référentiel : https://example.org/ref.pdf. Écrire piège <b>gras</b><img src=x onerror=alert(1)>")
    links = page.eval_on_selector_all(".cw-log a", "(links) => links.map((link) => "
                                      "({href: link.getAttribute('href'), target: link.target, rel: link.rel}))")
    assert links == [
        {"href": "https://example.org/ref.pdf", "target": "_blank", "rel": "noopener noreferrer"},
        {"href": "mailto:contact@example.org", "target": "", "rel": ""},
    ]
    assert widget.log.locator("img, b, script").count() == 0


def test_quick_reply_sends_its_payload_and_shows_its_title(open_widget_page):
    page, widget = open_connected(open_widget_page())
    bot_says(page, {"text": "Que voulez-vous savoir ?", "quick_replies": [
        {"content_type": "text", "title": "Les débouchés", "payload": "/ask_careers"},
        {"content_type": "text", "title": "La durée", "payload": "/ask_duration"},
    ]})

    widget.log.get_by_role("button", name="Les débouchés").click()

    session_id = emitted(page, "session_request")[0]["session_id"]
    assert emitted(page, "user_uttered") == [{"message": "/ask_careers", "session_id": session_id}]
    assert widget.messages()[-1] == {"role": "user", "text": "Les débouchés", "replies": []}
    assert [reply["disabled"] for reply in widget.messages()[-2]["replies"]] == [True, True]
    expect(widget.input).to_be_focused()


def test_typing_indicator_shows_until_the_answer_arrives(open_widget_page):
    page, widget = open_connected(open_widget_page())
    typing = page.locator(".cw-typing")

    widget.type_and_send("Bonjour")
    expect(typing).to_be_visible()
    assert emitted(page, "user_uttered")[-1]["message"] == "Bonjour"

    bot_says(page, {"text": "Bonjour !"})
    expect(typing).to_be_hidden()


def test_message_typed_while_connecting_goes_out_once_connected(open_widget_page):
    session = open_widget_page("window.fakeServerMode = 'wait';")
    page, widget = session.page, session.widget
    widget.open()

    widget.type_and_send("Bonjour")
    assert emitted(page, "user_uttered") == []

    page.evaluate("() => window.fakeServer.emit('connect')")
    widget.wait_until_connected()
    session_id = emitted(page, "session_request")[0]["session_id"]
    assert emitted(page, "user_uttered") == [{"message": "Bonjour", "session_id": session_id}]


def test_history_and_session_survive_a_reload(open_widget_page):
    page, widget = open_connected(open_widget_page())
    widget.type_and_send("Bonjour")
    bot_says(page, {"text": "Bonjour !", "quick_replies": [{"content_type": "text", "title": "La durée",
                                                              "payload": "/ask_duration"}]})
    widget.log.get_by_role("button", name="La durée").click()
    bot_says(page, {"text": "Voir https://example.org"})
    conversation = widget.messages()
    session_id = emitted(page, "session_request")[0]["session_id"]

    page.reload()

    widget.panel.wait_for(state="visible")
    assert widget.messages() == conversation
    widget.wait_until_connected()
    assert emitted(page, "session_request") == [{"session_id": session_id}]


def test_restart_clears_the_conversation_and_starts_a_new_session(open_widget_page):
    page, widget = open_connected(open_widget_page())
    welcome = widget.messages()
    widget.type_and_send("Bonjour")
    bot_says(page, {"text": "Bonjour !"})

    page.get_by_role("button", name="Recommencer la conversation").click()

    assert widget.messages() == welcome
    first, second = [request["session_id"] for request in emitted(page, "session_request")]
    assert first != second
    page.reload()
    assert widget.messages() == welcome


def test_unreachable_server_gets_a_french_notice_and_the_message_back(open_widget_page):
    session = open_widget_page("window.fakeServerMode = 'refuse';")
    page, widget = session.page, session.widget
    page.route(REST_WEBHOOK, lambda route: route.abort("connectionrefused"))
    widget.open()
    expect(page.locator(".cw-notice")).to_contain_text(OFFLINE_NOTICE)

    widget.type_and_send("Bonjour")

    expect(widget.log).to_contain_text("Votre message n'a pas pu être envoyé")
    expect(widget.input).to_have_value("Bonjour")
    assert [message for message in widget.messages() if message["role"] == "user"] == []

    page.evaluate("() => window.fakeServer.emit('connect')")  # the automatic reconnection succeeds
    widget.wait_until_connected()
    expect(page.locator(".cw-notice")).to_be_hidden()


def test_rest_channel_answers_when_socketio_cannot_connect(open_widget_page):
    session = open_widget_page("window.fakeServerMode = 'refuse';")
    page, widget = session.page, session.widget
    posted = []

    def rasa_rest(route):
        posted.append(json.loads(route.request.post_data))
        route.fulfill(json=[{"recipient_id": posted[-1]["sender"], "text": "Bonjour !",
                             "buttons": [{"title": "La durée", "payload": "/ask_duration"}]}],
                      headers={"Access-Control-Allow-Origin": "*"})

    page.route(REST_WEBHOOK, rasa_rest)
    widget.open()
    expect(page.locator(".cw-notice")).to_contain_text(OFFLINE_NOTICE)

    widget.type_and_send("Bonjour")

    expect(widget.log.get_by_role("button", name="La durée")).to_be_enabled()
    assert widget.bot_messages()[-1]["text"] == "Bonjour !"
    session_id = page.evaluate("() => Object.entries(localStorage).find(([key]) => key.endsWith(':session'))[1]")
    assert posted == [{"sender": json.loads(session_id), "message": "Bonjour"}]


def test_keyboard_only_use(open_widget_page):
    session = open_widget_page()
    page, widget = session.page, session.widget
    send_button = page.get_by_role("button", name="Envoyer")
    restart_button = page.get_by_role("button", name="Recommencer la conversation")

    widget.launcher.focus()
    page.keyboard.press("Enter")
    expect(widget.input).to_be_focused()
    page.keyboard.press("Tab")
    expect(send_button).to_be_focused()
    page.keyboard.press("Tab")  # the focus stays in the panel: back to its first control
    expect(restart_button).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(send_button).to_be_focused()
    page.keyboard.press("Escape")
    expect(widget.panel).to_be_hidden()
    expect(widget.launcher).to_be_focused()

    page_button = page.get_by_role("button", name="Discuter avec l'assistant")
    page_button.focus()
    page.keyboard.press("Enter")
    expect(widget.input).to_be_focused()
    page.keyboard.press("Escape")
    expect(page_button).to_be_focused()


def test_message_length_is_limited(open_widget_page):
    page, widget = open_connected(open_widget_page())

    widget.input.focus()
    page.keyboard.insert_text("a" * 520)

    assert len(widget.input.input_value()) == 500
    expect(page.locator(".cw-counter")).to_have_text("500 / 500")


def test_small_screen_gets_a_full_screen_panel(open_widget_page):
    page, widget = open_connected(open_widget_page(viewport={"width": 320, "height": 640}))

    assert widget.panel.bounding_box() == {"x": 0, "y": 0, "width": 320, "height": 640}
    send_box = page.get_by_role("button", name="Envoyer").bounding_box()
    assert send_box["x"] + send_box["width"] <= 320
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320


def test_script_attributes_configure_the_widget(open_widget_page):
    page, widget = open_connected(open_widget_page())
    script = page.locator("script[src$='chat-widget.js']")

    expect(widget.panel.get_by_role("heading")).to_have_text(script.get_attribute("data-title"))
    assert widget.bot_messages()[0]["text"] == script.get_attribute("data-welcome-message")
    assert page.evaluate("() => [window.fakeServer.url, window.fakeServer.options.path]") == [
        DEFAULT_RASA, "/socket.io"]


def test_config_object_wins_and_keeps_text_readable_on_a_light_colour(open_widget_page):
    page, widget = open_connected(open_widget_page(
        "window.ChatWidgetConfig = {serverUrl: 'http://rasa.test:7000/rasa/', title: 'Assistant du lycée',"
        " primaryColor: '#ffd700', welcomeMessage: 'Salut !'};", extra_hosts=["rasa.test:7000"]))

    expect(widget.panel.get_by_role("heading")).to_have_text("Assistant du lycée")
    assert widget.bot_messages()[0]["text"] == "Salut !"
    assert page.evaluate("() => [window.fakeServer.url, window.fakeServer.options.path]") == [
        "http://rasa.test:7000", "/rasa/socket.io"]
    send_colours = page.get_by_role("button", name="Envoyer").evaluate(
        "(button) => [getComputedStyle(button).backgroundColor, getComputedStyle(button).color]")
    assert send_colours == ["rgb(255, 215, 0)", "rgb(0, 0, 0)"]


def test_vendored_socketio_is_loaded_from_the_widget_folder(open_widget_page):
    session = open_widget_page("window.ChatWidgetConfig = {serverUrl: 'http://127.0.0.1:9'};",
                               fake_socketio=False, extra_hosts=["127.0.0.1:9"])
    loaded = []
    session.page.on("requestfinished", lambda request: loaded.append(request.url))

    session.widget.open()

    expect(session.page.locator(".cw-notice")).to_contain_text(OFFLINE_NOTICE)
    assert VENDORED_SOCKETIO in loaded
    assert session.guard.websockets[0] == "ws://127.0.0.1:9/socket.io/?EIO=4&transport=websocket"
    assert session.page.evaluate("() => window.io") is None  # the page's global is left alone

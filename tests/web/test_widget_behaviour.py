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
SMALL_SCREEN_SCREENSHOT = Path(__file__).resolve().parents[2] / "results" / "web" / "widget-320.png"
FAKE_SOCKETIO = (Path(__file__).parent / "fake_socketio.js").read_text(encoding="utf-8")
PAGE_HOST = "widget.test"
PAGE_URL = f"http://{PAGE_HOST}/index.html"
# Without data-server-url the widget talks to the page's host on port 5005.
DEFAULT_RASA = f"http://{PAGE_HOST}:5005"
REST_WEBHOOK = f"{DEFAULT_RASA}/webhooks/rest/webhook"
VENDORED_SOCKETIO = f"http://{PAGE_HOST}/widget/vendor/socket.io.min.js"
OFFLINE_NOTICE = "Impossible de joindre l'assistant"

# A short answer that cites its source, as the actions send it: the text, then a custom payload whose
# links carry the label found in the text.
SOURCE_LABEL = "Code de la sécurité intérieure, art. L612-20"
SOURCE_URL = "https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000043540334"
SOURCE_LINKS = [{"label": SOURCE_LABEL, "url": SOURCE_URL}]
CITING_TEXT = ("Hors fiche de la formation : Le CNAPS vérifie le bulletin n° 2 du casier judiciaire.\n"
               f"Source : {SOURCE_LABEL} (consultée en novembre 2026 ; à vérifier auprès du CNAPS)")
NEW_TAB = " (nouvel onglet)"
SOURCE_LINK = {"text": SOURCE_LABEL, "hidden": NEW_TAB, "href": SOURCE_URL, "target": "_blank",
               "rel": "noopener noreferrer"}

# The links of the conversation: visible text, screen-reader-only text and attributes.
READ_LINKS_JS = """
(links) => links.map((link) => {
  const copy = link.cloneNode(true);
  const hidden = Array.from(copy.querySelectorAll('.cw-visually-hidden'), (span) => span.textContent);
  copy.querySelectorAll('.cw-visually-hidden').forEach((span) => span.remove());
  return {text: copy.textContent, hidden: hidden.join(''), href: link.getAttribute('href'),
          target: link.target, rel: link.rel};
})
"""

# The lines of a bubble as laid out on screen (innerText follows the CSS white-space rule), read on a
# copy without the screen-reader-only texts, which innerText would put on lines of their own.
READ_LINES_JS = """
(bubble) => {
  const copy = bubble.cloneNode(true);
  copy.querySelectorAll('.cw-visually-hidden').forEach((hidden) => hidden.remove());
  bubble.after(copy);
  const lines = copy.innerText.split('\\n');
  copy.remove();
  return lines;
}
"""


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
        session.errors = []
        session.page.on("pageerror", lambda error: session.errors.append(str(error)))
        sessions.append(session)
        session.page.goto(PAGE_URL)
        return session

    yield open_page
    for session in sessions:
        assert session.guard.blocked == [], f"requests outside the allowed hosts: {session.guard.blocked}"
        assert session.dialogs == []
        assert session.errors == [], f"uncaught errors in the page: {session.errors}"


def bot_says(page, message):
    page.evaluate("(message) => window.fakeServer.emit('bot_uttered', message)", message)


def emitted(page, event):
    return [packet["data"] for packet in page.evaluate("() => window.fakeServer.sent") if packet["event"] == event]


def open_connected(session):
    session.widget.open()
    session.widget.wait_until_connected()
    return session.page, session.widget


def log_links(page):
    return page.eval_on_selector_all(".cw-log a", READ_LINKS_JS)


def rgb(css_colour):
    return [int(channel) for channel in css_colour[css_colour.index("(") + 1:-1].split(",")[:3]]


def contrast(first, second):
    def luminance(colour):
        linear = [c / 255 / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in colour]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted([luminance(first), luminance(second)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


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


# ---- sources: a custom payload {links: [{label, url}]} after the text that cites them ----------------


def test_source_label_in_the_text_becomes_a_link_over_socketio(open_widget_page):
    page, widget = open_connected(open_widget_page())
    widget.type_and_send("Il faut un casier vierge ?")
    bot_says(page, {"text": CITING_TEXT})
    before = widget.messages()

    # Rasa's socket.io channel emits the custom payload's `data` dict as a bot_uttered of its own.
    bot_says(page, {"links": SOURCE_LINKS})

    assert widget.messages() == before  # the same bubble, same text: the label just became a link
    assert log_links(page) == [SOURCE_LINK]
    bubble = page.locator(".cw-message--bot .cw-bubble").last
    assert bubble.evaluate(READ_LINES_JS) == CITING_TEXT.split("\n")  # the line break is kept

    # Readable (WCAG AA) in the bot bubble, and a visible focus ring when reached with the keyboard.
    link = widget.log.get_by_role("link", name=SOURCE_LABEL)
    colours = link.evaluate("(link) => [getComputedStyle(link).color,"
                            " getComputedStyle(link.closest('.cw-bubble')).backgroundColor]")
    assert contrast(rgb(colours[0]), rgb(colours[1])) >= 4.5, colours
    widget.log.focus()
    page.keyboard.press("Tab")
    expect(link).to_be_focused()
    outline = link.evaluate("(link) => [getComputedStyle(link).outlineStyle, getComputedStyle(link).outlineWidth,"
                            " getComputedStyle(link).outlineColor]")
    assert outline[:2] == ["solid", "3px"]
    assert contrast(rgb(outline[2]), rgb(colours[1])) >= 3, outline


def test_source_label_in_the_text_becomes_a_link_over_rest(open_widget_page):
    session = open_widget_page("window.fakeServerMode = 'refuse';")
    page, widget = session.page, session.widget

    def rasa_rest(route):
        sender = json.loads(route.request.post_data)["sender"]
        route.fulfill(json=[
            {"recipient_id": sender, "text": CITING_TEXT,
             "buttons": [{"title": "En savoir plus", "payload": "/ask_more"}]},
            {"recipient_id": sender, "custom": {"data": {"links": SOURCE_LINKS}}},
        ], headers={"Access-Control-Allow-Origin": "*"})

    page.route(REST_WEBHOOK, rasa_rest)
    widget.open()
    expect(page.locator(".cw-notice")).to_contain_text(OFFLINE_NOTICE)

    widget.type_and_send("Il faut un casier vierge ?")

    expect(widget.log.get_by_role("link", name=SOURCE_LABEL)).to_be_visible()
    assert log_links(page) == [SOURCE_LINK]
    assert widget.bot_messages()[-1] == {"role": "bot", "text": CITING_TEXT,
                                         "replies": [{"title": "En savoir plus", "disabled": False}]}


def test_every_occurrence_of_a_label_is_linked(open_widget_page):
    page, widget = open_connected(open_widget_page())
    bot_says(page, {"text": "Voir la fiche RNCP 38314. La fiche RNCP 38314 décrit les blocs."})
    bot_says(page, {"links": [{"label": "fiche RNCP 38314",
                               "url": "https://www.francecompetences.fr/recherche/rncp/38314/"}]})

    assert [link["text"] for link in log_links(page)] == ["fiche RNCP 38314", "fiche RNCP 38314"]
    assert widget.bot_messages()[-1]["text"] == "Voir la fiche RNCP 38314. La fiche RNCP 38314 décrit les blocs."


def test_source_missing_from_the_text_gets_its_own_line(open_widget_page):
    page, widget = open_connected(open_widget_page())
    widget.type_and_send("Il faut un casier vierge ?")
    bot_says(page, {"text": "Le CNAPS vérifie le bulletin n° 2 du casier judiciaire."})
    bot_says(page, {"links": SOURCE_LINKS})

    assert [message["text"] for message in widget.bot_messages()[-2:]] == [
        "Le CNAPS vérifie le bulletin n° 2 du casier judiciaire.", f"Source : {SOURCE_LABEL}"]
    assert log_links(page) == [SOURCE_LINK]

    # A payload that follows the user's message rather than a bot text: a source line as well.
    widget.type_and_send("Et pour la carte professionnelle ?")
    bot_says(page, {"links": [{"label": "Carte professionnelle (CNAPS)",
                               "url": "https://www.cnaps.interieur.gouv.fr/"}]})

    assert widget.messages()[-1]["text"] == "Source : Carte professionnelle (CNAPS)"
    assert log_links(page)[-1]["href"] == "https://www.cnaps.interieur.gouv.fr/"


def test_unsafe_or_malformed_links_are_ignored(open_widget_page):
    page, widget = open_connected(open_widget_page())
    bot_says(page, {"text": CITING_TEXT})
    before = widget.messages()

    for payload in [
        {"links": [{"label": SOURCE_LABEL, "url": "javascript:alert(1)"}]},
        {"links": [{"label": SOURCE_LABEL, "url": "JavaScript:alert(document.cookie)"}]},
        {"links": [{"label": SOURCE_LABEL, "url": "data:text/html,<script>alert(1)</script>"}]},
        {"links": [{"label": SOURCE_LABEL, "url": "mailto:contact@example.org"}]},
        {"links": [{"label": SOURCE_LABEL, "url": "/relative/page"}]},
        {"links": [{"label": SOURCE_LABEL}]},
        {"links": [{"label": SOURCE_LABEL, "url": 42}]},
        {"links": [{"label": ["not", "a", "string"], "url": SOURCE_URL}]},
        {"links": [{"label": 7, "url": SOURCE_URL}]},
        {"links": [{"label": "   ", "url": SOURCE_URL}]},
        {"links": [None, "https://example.org", 3]},
        {"links": {"label": SOURCE_LABEL, "url": SOURCE_URL}},
        {"links": "https://example.org"},
        {"links": None},
        {"custom": {"data": {"links": "nope"}}},
        {"custom": {"data": None}},
        {"custom": "nope"},
    ]:
        bot_says(page, payload)

    assert widget.messages() == before
    assert log_links(page) == []


def test_source_links_survive_a_reload(open_widget_page):
    page, widget = open_connected(open_widget_page())
    widget.type_and_send("Il faut un casier vierge ?")
    bot_says(page, {"text": CITING_TEXT})
    bot_says(page, {"links": SOURCE_LINKS + [{"label": "Carte professionnelle (CNAPS)",
                                              "url": "https://www.cnaps.interieur.gouv.fr/"}]})
    conversation, links = widget.messages(), log_links(page)
    assert [link["text"] for link in links] == [SOURCE_LABEL, "Carte professionnelle (CNAPS)"]

    page.reload()

    widget.panel.wait_for(state="visible")
    assert widget.messages() == conversation
    assert log_links(page) == links


def test_long_multiline_answer_fits_a_320px_screen(open_widget_page):
    page, widget = open_connected(open_widget_page(viewport={"width": 320, "height": 640}))
    widget.type_and_send("C'est quoi le BTS MOS ?")
    answer = [
        "Le BTS MOS (Management opérationnel de la sécurité) se prépare en deux ans, en formation initiale "
        "ou en alternance.\nIl forme des chefs d'équipe de la sécurité privée : surveillance, sûreté, "
        "prévention des risques et la gestion des incidents.",
        "Hors fiche de la formation : Le CNAPS vérifie le bulletin n° 2 du casier judiciaire avant de délivrer "
        "la carte professionnelle.\n"
        f"Source : {SOURCE_LABEL} (consultée en novembre 2026 ; à vérifier auprès du CNAPS)",
        "Après le BTS, on peut travailler comme chef de poste ou adjoint du responsable sûreté d'un site, "
        "ou poursuivre en licence professionnelle.\nQue voulez-vous savoir d'autre ?",
    ]
    assert 650 <= sum(len(text) for text in answer) <= 750
    bot_says(page, {"text": answer[0]})
    bot_says(page, {"text": answer[1]})
    bot_says(page, {"links": SOURCE_LINKS})
    bot_says(page, {"text": answer[2], "quick_replies": [
        {"content_type": "text", "title": "En savoir plus", "payload": "/ask_more"},
        {"content_type": "text", "title": "Les poursuites d'études après le BTS", "payload": "/ask_further_studies"},
    ]})

    assert [message["text"] for message in widget.bot_messages()[-3:]] == answer
    assert log_links(page) == [SOURCE_LINK]
    bubbles = page.locator(".cw-message--bot .cw-bubble")
    assert [bubbles.nth(index).evaluate(READ_LINES_JS) for index in range(1, 4)] == [
        text.split("\n") for text in answer]  # line breaks kept

    # Nothing is wider than the screen: no horizontal scrolling, neither of the page nor of the conversation.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    assert widget.log.evaluate("(log) => log.scrollWidth <= log.clientWidth")
    log_box = widget.log.bounding_box()
    for box in page.locator(".cw-log .cw-bubble, .cw-log .cw-reply, .cw-log a").evaluate_all(
            "(nodes) => nodes.map((node) => node.getBoundingClientRect().toJSON())"):
        assert log_box["x"] <= box["left"] and box["right"] <= log_box["x"] + log_box["width"], box
    # The two quick replies do not fit side by side: they wrap onto two rows.
    more = widget.log.get_by_role("button", name="En savoir plus")
    studies = widget.log.get_by_role("button", name="Les poursuites d'études après le BTS")
    assert studies.bounding_box()["y"] >= more.bounding_box()["y"] + more.bounding_box()["height"]

    SMALL_SCREEN_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SMALL_SCREEN_SCREENSHOT))

    more.click()

    assert emitted(page, "user_uttered")[-1]["message"] == "/ask_more"
    assert widget.messages()[-1] == {"role": "user", "text": "En savoir plus", "replies": []}


def test_a_privacy_notice_says_what_not_to_type_and_how_long_exchanges_are_kept(open_widget_page):
    page, widget = open_connected(open_widget_page("window.ChatWidgetConfig = {retentionDays: 30};"))
    expect(widget.panel.locator(".cw-privacy")).to_have_text(
        "Ne donnez pas d'informations personnelles (nom, adresse, téléphone). "
        "Les échanges sont effacés au bout de 30 jours.")


def test_a_rate_limited_rest_message_shows_the_polite_reply(open_widget_page):
    session = open_widget_page("window.fakeServerMode = 'refuse';")
    page, widget = session.page, session.widget
    page.route(REST_WEBHOOK, lambda route: route.fulfill(
        status=429, json=[{"recipient_id": "x", "text": "Patientez une minute."}],
        headers={"Access-Control-Allow-Origin": "*", "Retry-After": "60"}))
    widget.open()
    widget.type_and_send("Bonjour")
    expect(widget.log).to_contain_text("Patientez une minute.")

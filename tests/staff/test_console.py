"""The staff console's server side: off without STAFF_TOKEN, 401 without the token, the API on a fake Rasa
server, the explanation of a turn from its tracker events, and the review store without user ids."""
from __future__ import annotations

import base64
import json
import sys
import threading
import urllib.error
import urllib.request
from datetime import date
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from staff.console import StaffConsole, authorised, replies
from staff.explain import explanation
from staff.review import stored

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
import web_server  # noqa: E402  (scripts/ is not a package)

TOKEN = "jeton-de-test-0123456789"
CONVERSATION = "abcdefghijklmnop"
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
REPORT = {"period_days": 30, "conversations": 1, "messages": 2, "topics": [{"label": "La durée", "count": 2}]}


def basic(password: str, user: str = "equipe") -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def turn_events(kb):
    """A turn as Rasa's tracker API returns it: « quels bacs ? » answered by quoting the fiche."""
    sentence = kb.formation().access.bacs.source.sentence
    return [
        {"event": "action", "name": "action_listen", "policy": "RulePolicy", "confidence": 1.0},
        {"event": "user", "text": "quels bacs ?", "parse_data": {
            "intent": {"name": "ask_bac", "confidence": 0.93},
            "intent_ranking": [{"name": "ask_bac", "confidence": 0.93}, {"name": "ask_eligibility", "confidence": 0.04},
                               {"name": "ask_selection", "confidence": 0.02}, {"name": "greet", "confidence": 0.01}],
            "entities": [{"entity": "bac", "value": "bac général", "start": 0, "end": 3}]}},
        {"event": "action", "name": "action_answer_topic", "policy": "RulePolicy", "confidence": 1.0},
        {"event": "bot", "text": f"D'après la fiche de la formation : « {sentence} »"},
        {"event": "slot", "name": "last_topic", "value": "bac"},
        {"event": "action", "name": "action_listen", "policy": "RulePolicy", "confidence": 1.0},
    ]


def test_a_turn_is_explained_with_the_fiche_sentence_it_quotes(kb):
    explained = explanation(turn_events(kb), kb, "MOS")
    assert explained["intents"] == [
        {"name": "ask_bac", "label": "Quels bacs ?", "confidence": 0.93},
        {"name": "ask_eligibility", "label": "Puis-je y entrer ?", "confidence": 0.04},
        {"name": "ask_selection", "label": "La sélection", "confidence": 0.02}]
    assert explained["entities"] == [{"entity": "bac", "value": "bac général"}]
    assert explained["slots"] == [{"name": "last_topic", "value": "bac"}]
    assert explained["actions"] == [{"name": "action_answer_topic", "policy": "RulePolicy", "confidence": 1.0}]
    assert {"kind": "fiche", "file": "bts_mos.md", "section": "Accès",
            "sentence": kb.formation().access.bacs.source.sentence} in explained["facts"]


def test_complements_metier_fiches_and_stated_fields_are_facts_too(kb):
    from staff.explain import facts_used

    complement = kb.complements_for("exams")[0]
    metier = kb.metier_named("agent/e de sécurité")
    said = [f"Hors fiche de la formation : {complement.text}", f"« {metier.salary.value[0]} »",
            f"D'après la fiche de la formation, le BTS dure {kb.formation().identity.duration.value}."]
    kinds = {(fact["kind"], fact.get("source")) for fact in facts_used(said, kb, None)}
    assert ("complement", complement.source_label) in kinds and ("metier", metier.title.value) in kinds
    duration = kb.formation().identity.duration
    stated = [fact["sentence"] for fact in facts_used(said, kb, None) if duration.value in fact.get("sentence", "")]
    # The fiche's markdown line, as staff read it: « Durée: 2 ans », not « **Durée:** 2 ans ».
    assert stated == [duration.source.sentence.replace("**", "")] and "**" in duration.source.sentence


def test_the_token_is_accepted_as_basic_password_or_bearer_and_nothing_else():
    assert authorised(basic(TOKEN), TOKEN) and authorised(f"Bearer {TOKEN}", TOKEN)
    assert not authorised(basic("faux"), TOKEN) and not authorised(None, TOKEN)
    assert not authorised("Basic %%%", TOKEN) and not authorised(f"Token {TOKEN}", TOKEN)
    assert not authorised(basic(""), "")


def test_rest_messages_become_replies_with_their_links():
    answers = [{"recipient_id": "x", "text": "Voir le référentiel officiel.", "buttons": [{"title": "A", "payload": "/a"}]},
               {"recipient_id": "x", "custom": {"data": {"links": [{"label": "référentiel officiel", "url": "https://e.fr"}]}}},
               {"recipient_id": "x", "text": "Autre chose ?"}]
    assert replies(answers) == [
        {"text": "Voir le référentiel officiel.", "buttons": [{"title": "A", "payload": "/a"}],
         "links": [{"label": "référentiel officiel", "url": "https://e.fr"}]},
        {"text": "Autre chose ?", "buttons": [], "links": []}]


@pytest.fixture
def fake_rasa(kb):
    """What the console asks the Rasa server, and canned answers."""
    calls = []

    def fetch(method, url, body):
        calls.append((method, url, body))
        if url.endswith("/webhooks/rest/webhook"):
            return [{"recipient_id": body["sender"], "text": "D'après la fiche de la formation : « … »"}]
        return {"slots": {"formation": "MOS"}, "events": turn_events(kb)}

    return calls, fetch


def serve(handler_options):
    handler = partial(web_server.SecureStaticHandler, directory=str(REPO / "web"),
                      policy=web_server.content_security_policy(["http://127.0.0.1:5999"]), rasa_port=5999, **handler_options)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def call(url, body=None, authorization=None):
    request = urllib.request.Request(url, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": authorization} if authorization else {})})
    try:
        with OPENER.open(request, timeout=10) as response:
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers


@pytest.fixture
def console_url(tmp_path, fake_rasa):
    _, fetch = fake_rasa
    console = StaffConsole("http://127.0.0.1:5999", "jeton-api", tmp_path / "review" / "reviews.jsonl",
                           lambda: REPORT, fetch)
    server, url = serve({"staff": console, "staff_token": TOKEN})
    yield url, tmp_path / "review" / "reviews.jsonl"
    server.shutdown()
    server.server_close()


def test_without_staff_token_the_console_is_off_and_says_so():
    server, url = serve({})
    try:
        status, body, _ = call(url + "/staff/")
        assert status == 404 and "définissez STAFF_TOKEN" in body
        assert call(url + "/staff/api/say", {"conversation": CONVERSATION, "text": "x"})[0] == 404
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("authorization", [None, basic("faux"), "Bearer faux"])
def test_the_page_and_its_api_answer_401_without_the_token(console_url, authorization):
    url, _ = console_url
    for path, body in [("/staff/", None), ("/staff/api/topics", None), ("/staff/api/report", None),
                       ("/staff/api/say", {"conversation": CONVERSATION, "text": "bonjour"})]:
        status, text, headers = call(url + path, body, authorization)
        assert status == 401 and "Jeton" in text, path
        assert headers["WWW-Authenticate"].startswith('Basic realm="Console de l\'équipe"')


def test_say_returns_the_replies_and_the_explanation(console_url, fake_rasa):
    url, _ = console_url
    calls, _ = fake_rasa
    status, body, headers = call(url + "/staff/api/say", {"conversation": CONVERSATION, "text": "quels bacs ?"},
                                 basic(TOKEN))
    answer = json.loads(body)
    assert status == 200 and headers["Cache-Control"] == "no-store"
    assert answer["replies"][0]["text"].startswith("D'après la fiche")
    assert answer["explanation"]["intents"][0]["name"] == "ask_bac"
    assert calls[0] == ("POST", "http://127.0.0.1:5999/webhooks/rest/webhook",
                        {"sender": f"staff-{CONVERSATION}", "message": "quels bacs ?"})
    assert calls[1][1].startswith(f"http://127.0.0.1:5999/conversations/staff-{CONVERSATION}/tracker?token=jeton-api")


@pytest.mark.parametrize("body", [{"conversation": "../../x", "text": "a"}, {"conversation": CONVERSATION, "text": ""},
                                  {"conversation": CONVERSATION, "text": "a" * 1001}, ["pas", "un objet"]])
def test_bad_requests_get_a_clear_400(console_url, body):
    url, _ = console_url
    status, text, _ = call(url + "/staff/api/say", body, f"Bearer {TOKEN}")
    assert status == 400 and json.loads(text)["error"]


def test_an_unreachable_assistant_gets_a_502(tmp_path):
    def down(method, url, body):
        raise ConnectionRefusedError("refused")

    console = StaffConsole("http://127.0.0.1:5999", "t", tmp_path / "r.jsonl", lambda: REPORT, down)
    status, body = console.say({"conversation": CONVERSATION, "text": "bonjour"})
    assert status == 502 and "make run" in body["error"]


def test_a_flag_is_stored_without_any_user_identifier(console_url):
    url, review = console_url
    flag = {"message": "quels bacs ?", "reply": "D'après la fiche …", "expected_topic": "selection",
            "comment": "réponse à vérifier", "conversation": CONVERSATION, "sender": "staff-x"}
    status, body, _ = call(url + "/staff/api/flag", flag, basic(TOKEN))
    assert status == 201 and json.loads(body) == {"stored": True}
    record = stored(review)[-1]
    assert record == {"message": "quels bacs ?", "reply": "D'après la fiche …", "expected_topic": "selection",
                      "comment": "réponse à vérifier", "day": date.today().isoformat()}
    assert CONVERSATION not in review.read_text(encoding="utf-8")


def test_a_flag_with_an_unknown_topic_is_refused(console_url):
    url, review = console_url
    status, body, _ = call(url + "/staff/api/flag", {"message": "a", "reply": "b", "expected_topic": "météo",
                                                     "comment": ""}, basic(TOKEN))
    assert status == 400 and json.loads(body)["error"] == "sujet attendu inconnu" and not review.exists()


def test_the_topics_staff_can_choose(console_url):
    url, _ = console_url
    status, body, _ = call(url + "/staff/api/topics", None, basic(TOKEN))
    names = [topic["name"] for topic in json.loads(body)["topics"]]
    assert status == 200 and names[0] == "overview" and names[-1] == "out_of_scope" and "selection" in names


def test_the_report_page_reads_what_students_asked(console_url):
    url, _ = console_url
    status, body, headers = call(url + "/staff/api/report", None, basic(TOKEN))
    assert status == 200 and json.loads(body) == REPORT and headers["Cache-Control"] == "no-store"


def test_the_console_pages_allow_nothing_but_their_own_server(console_url):
    url, _ = console_url
    status, _, headers = call(url + "/staff/", None, basic(TOKEN))
    policy = headers["Content-Security-Policy"]
    assert status == 200 and "connect-src 'self';" in policy and "style-src 'self';" in policy
    assert "unsafe-inline" not in policy and "5999" not in policy


def test_an_unreadable_tracker_store_gets_a_503_without_details(tmp_path, caplog):
    def broken():
        raise OSError("disk /secret/path unreadable")

    console = StaffConsole("http://127.0.0.1:5999", "t", tmp_path / "r.jsonl", broken)
    status, body = console.report()
    assert status == 503 and body == {"error": "la base des conversations n'a pas pu être lue"}
    assert "unreadable" in caplog.text

"""What students ask (`make report`): counts, rates and groups from a tracker store filled with known
conversations by Rasa's own SQL tracker store, and the report and chart the command writes."""
from __future__ import annotations

import asyncio
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from actions.replies import Message
from actions.wording import render
from staff.report import Group, as_json, report, shown, similar_groups, turns_from_events

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))
import report as report_command  # noqa: E402  (scripts/ is not a package)

# Noon UTC of yesterday: « today » and « yesterday » stay on two dates whenever the test runs (at
# 00:00:30 UTC, now - 60 s and now - 1 day fall on the same date), and both are in the past.
NOW = (time.time() // 86_400 - 1) * 86_400 + 43_200
TODAY, YESTERDAY, LONG_AGO = NOW, NOW - 86_400, NOW - 40 * 86_400
OUT_OF_SCOPE = render(Message("out_of_scope")).text
CLARIFY = render(Message("clarify", {"first": "de la durée de la formation", "second": "du diplôme"})).text
COMPLEMENT = render(Message("complement", {"text": "Un fait", "source_label": "ONISEP", "checked_on": "novembre 2026",
                                           "verify": ""})).text

# sender -> [(timestamp, user text, intent, confidence, [bot replies])]
CONVERSATIONS = {
    "eleve-1": [(YESTERDAY, "ça dure combien ?", "ask_duration", 0.95, ["D'après la fiche, il dure 2 ans."]),
                (YESTERDAY + 5, "/ask_bac", "ask_bac", 1.0, ["D'après la fiche : « … »", COMPLEMENT])],
    "eleve-2": [(TODAY, "il y a une cantine ?", "out_of_scope", 0.9, [OUT_OF_SCOPE]),
                (TODAY + 1, "y a une cantine au lycée ?", "out_of_scope", 0.92, [OUT_OF_SCOPE])],
    "parent-1": [(TODAY, "blabla formation truc", "nlu_fallback", 0.4, [CLARIFY]),
                 (TODAY + 1, "mon num 06 12 34 56 78 pour être rappelé par le lycée svp merci", "out_of_scope", 0.8,
                  [OUT_OF_SCOPE])],
    "ancien": [(LONG_AGO, "vieux message", "ask_duration", 0.9, ["D'après la fiche, il dure 2 ans."])],
    # Staff testing in the console is not what students ask.
    "staff-abcdefghijklmnop": [(TODAY, "test de la console", "ask_duration", 0.9, ["D'après la fiche, il dure 2 ans."])],
}


@pytest.fixture
def tracker_store(tmp_path) -> Path:
    """A SQLite tracker store written by Rasa's SQLTrackerStore, as the Rasa server of `make run` writes it."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    path = tmp_path / "tracker.db"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))
    for sender, turns in CONVERSATIONS.items():
        events = []
        for timestamp, text, intent, confidence, replies in turns:
            events.append(UserUttered(text, intent={"name": intent, "confidence": confidence}, timestamp=timestamp))
            events.append(ActionExecuted("action_answer_topic", timestamp=timestamp + 0.1))
            events += [BotUttered(reply, timestamp=timestamp + 0.2) for reply in replies]
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))
    return path


def day(timestamp: float):
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).date()


def test_the_report_counts_conversations_messages_and_outcomes(tracker_store):
    result = report(turns_from_events(report_command.read_rows(str(tracker_store), days=30)))
    assert result.conversations == 3 and result.messages == 6 and result.questions == 5
    assert result.days == {day(YESTERDAY): (1, 2), day(TODAY): (2, 4)}
    assert result.honest_rate == pytest.approx(3 / 5)
    assert result.clarification_rate == pytest.approx(1 / 5)
    assert result.complement_share == pytest.approx(1 / 2)
    assert dict(result.topics) == {"Hors sujet": 3, "La durée": 1, "Quels bacs ?": 1, "Pas compris": 1}
    assert result.unsure_groups == [
        Group(2, "il y a une cantine ?"),
        Group(1, "blabla formation truc"),
        Group(1, "mon num [nombre] pour être rappelé par le lycée svp merci"),
    ]


def test_the_console_page_gets_the_same_figures_as_json(tracker_store):
    result = report(turns_from_events(report_command.read_rows(str(tracker_store), days=30)))
    data = json.loads(json.dumps(as_json(result, 30)))
    assert (data["conversations"], data["messages"], data["questions"], data["period_days"]) == (3, 6, 5, 30)
    assert data["days"] == [{"day": day(YESTERDAY).isoformat(), "conversations": 1, "messages": 2},
                            {"day": day(TODAY).isoformat(), "conversations": 2, "messages": 4}]
    assert data["topics"][0] == {"label": "Hors sujet", "count": 3}
    assert data["unsure"][0] == {"count": 2, "example": "il y a une cantine ?"}
    assert data["honest_rate"] == pytest.approx(3 / 5)


def test_the_command_writes_a_report_and_a_chart_without_sender_ids(tracker_store):
    # Kept in results/ for people to look at: the report and chart of these known conversations.
    out = REPO / "results" / "report-example"
    assert report_command.main(["--db", str(tracker_store), "--days", "30", "--out", str(out)]) == 0
    text = (out / "report.md").read_text(encoding="utf-8")
    assert "**3** conversation(s), **6** message(s) dont 5 écrit(s)" in text
    assert "| La durée | 1 |" in text and "| 2 | il y a une cantine ? |" in text
    assert "Réponses honnêtes « je ne peux pas répondre » : 60 % des messages écrits" in text
    assert not any(sender in text for sender in CONVERSATIONS) and "06 12" not in text
    assert (out / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_empty_or_missing_store_gives_an_empty_report(tmp_path):
    assert report_command.read_rows(str(tmp_path / "none.db"), days=30) == []
    result = report(turns_from_events([]))
    assert result.messages == 0 and result.honest_rate == 0.0 and result.unsure_groups == []


def test_every_intent_has_a_name_staff_can_read():
    import yaml

    from knowledge.topics import topic_of_intent
    from actions.wording import wording

    intents = yaml.safe_load((REPO / "domain" / "domain.yml").read_text(encoding="utf-8"))["intents"] + ["nlu_fallback"]
    unnamed = [intent for intent in intents
               if not (topic_of_intent(intent) and topic_of_intent(intent).name in wording()["topics"])
               and intent not in wording()["intents"]]
    assert unnamed == []
    assert set(wording()["intents"]) <= set(intents)


def test_messages_are_masked_and_truncated_for_staff():
    assert shown("écris-moi à karim.b@mail.fr ou au 06 11 22 33 44") == "écris-moi à [e-mail] ou au [nombre]"
    assert len(shown("a" * 200)) == 60 and shown("a" * 200).endswith("…")


def test_different_questions_stay_apart():
    groups = similar_groups(["combien coûte la cantine ?", "la cantine coûte combien ?", "y a un internat ?"])
    assert [group.count for group in groups] == [2, 1]

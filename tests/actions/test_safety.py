"""No exception leaves an action: the user is told the service is momentarily unavailable."""
import logging

from actions.answer_action import ActionAnswerTopic


def test_a_failing_action_replies_politely_and_logs_no_user_text(make_tracker, run_action, monkeypatch, caplog):
    def broken(tracker):
        # An exception whose message quotes the user, as a KeyError on their words would.
        raise KeyError(tracker.latest_message["text"])

    monkeypatch.setattr("actions.answer_action.conversation_context", broken)
    with caplog.at_level(logging.INFO):
        messages, slots = run_action(ActionAnswerTopic(), make_tracker("ask_duration", "mon fils a un casier"))
    assert [m["text"] for m in messages] == ["Le service est momentanément indisponible, réessayez dans un instant."]
    assert slots == {}
    assert "action_answer_topic failed: KeyError" in caplog.text
    assert "casier" not in caplog.text

"""/restart restarts the conversation and says so."""
import asyncio

from rasa_sdk.executor import CollectingDispatcher

from actions.restart_action import ActionRestart


def test_restart_says_the_conversation_starts_again(make_tracker, render):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionRestart().run(dispatcher, make_tracker("restart", "/restart"), {}))
    texts, _ = render(dispatcher.messages)
    assert texts == ["La conversation recommence. Posez-moi votre question sur la formation."]
    assert events[0]["event"] == "restart"

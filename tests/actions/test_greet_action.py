"""The greeting names the formation, notes a message in English, and keeps a self-introduced situation."""
from actions.greet_action import ActionGreet


def greet(make_tracker, run_action, render, text, entities=None):
    messages, slots = run_action(ActionGreet(), make_tracker("greet", text, entities))
    texts, buttons = render(messages)
    return texts, buttons, slots


def test_greeting_names_the_formation_and_offers_topics(make_tracker, run_action, render, formation):
    texts, buttons, slots = greet(make_tracker, run_action, render, "Bonjour")
    assert texts == [f"Bonjour ! Je suis l'assistant virtuel d'orientation du {formation.identity.title.value}. "
                     "Posez-moi vos questions sur la formation, l'admission, les modules facultatifs ou les métiers."]
    assert [b["payload"] for b in buttons] == ["/ask_overview", "/ask_bac", "/ask_eligibility"]
    assert slots == {}


def test_an_english_greeting_is_answered_in_french_and_says_so(make_tracker, run_action, render):
    texts, _, _ = greet(make_tracker, run_action, render, "Good morning, can you help me?")
    assert texts[-1] == "Je réponds en français, la langue de la fiche de la formation."


def test_a_self_introduction_is_kept_for_the_eligibility_guide(make_tracker, run_action, render):
    _, _, slots = greet(make_tracker, run_action, render, "bonjour, je suis en reconversion")
    assert slots == {"user_situation": "reconversion"}
    _, _, slots = greet(make_tracker, run_action, render, "salut j'ai un bac général", {"bac": "bac général"})
    assert slots == {"user_situation": "bac général"}

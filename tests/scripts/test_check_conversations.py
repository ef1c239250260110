"""The answer checker judges a reply on its content, ignoring case, accents and apostrophe styles."""
from scripts.check_conversations import judge, play, reply_text


def test_all_any_none_and_honesty():
    assert judge({"all": ["2 ans"]}, "Le BTS dure 2 ans.") is None
    assert judge({"all": ["2 ans", "niveau 5"]}, "Le BTS dure 2 ans.") is not None
    assert judge({"any": ["sécurité", "x"]}, "SECURITE") is None
    assert judge({"none": ["3 ans"]}, "Il dure 3 ans") is not None
    assert judge({"honest": True}, "La fiche de la formation ne l’aborde pas.") is None
    assert judge({"honest": True}, "Le BTS coûte 300 euros.") is not None


def test_links_sent_beside_the_text_count():
    answers = [{"text": "Source : Légifrance"},
               {"custom": {"data": {"links": [{"label": "Légifrance", "url": "https://www.legifrance.gouv.fr/x"}]}}}]
    assert "legifrance.gouv.fr" in reply_text(answers)


def test_a_conversation_is_right_only_when_every_turn_is():
    replies = iter([[{"text": "2 ans"}], [{"text": "rien"}]])
    conversation = {"id": "c", "turns": [{"user": "durée ?", "expect": {"all": ["2 ans"]}},
                                         {"user": "prix ?", "expect": {"honest": True}}]}
    result = play(conversation, lambda sender, text: next(replies))
    assert not result.right and result.honest_failures == 1 and "tour 2" in result.failures[0]

"""The markdown parser: layouts copied fiches really have, and sentence splitting."""
from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.parser import FicheError, parse_fiche, read_fiche, split_sentences


def sections_by_heading(text: str) -> dict:
    return {section.heading: section for section in parse_fiche(text, "test.md").sections}


def test_indented_paragraph_lines_are_joined_into_one_paragraph() -> None:
    sections = sections_by_heading(
        "# T\n\n## Description\n\n            Première ligne\n        suite de la phrase.\n\n    Autre paragraphe.\n"
    )
    assert sections["Description"].paragraphs == ["Première ligne suite de la phrase.", "Autre paragraphe."]


def test_a_list_item_whose_text_sits_on_the_next_lines_gets_that_text() -> None:
    sections = sections_by_heading(
        "# T\n\n## Attendus\n\n    - \n        Premier attendu\n        sur deux lignes\n\n    -\n\n"
        "        Deuxième attendu\n- Troisième\n"
    )
    assert sections["Attendus"].items == ["Premier attendu sur deux lignes", "Deuxième attendu", "Troisième"]
    assert sections["Attendus"].paragraphs == []


def test_a_sub_heading_repeating_its_parent_adds_no_level_and_no_duplicate_warning() -> None:
    fiche = parse_fiche("# T\n\n## Accès\n\n### Accès\n    Accès sur dossier.\n", "test.md")
    assert [section.heading for section in fiche.sections] == ["Accès"]
    assert fiche.sections[0].paragraphs == ["Accès sur dossier."]
    assert fiche.warnings == []


def test_two_heading_levels_make_a_heading_path() -> None:
    sections = sections_by_heading(
        "# T\n\n## Attendus\n\n### Attendus nationaux\n\n- Un attendu\n\n## Métiers\n\n- un métier\n"
    )
    assert sections["Attendus > Attendus nationaux"].items == ["Un attendu"]
    assert sections["Métiers"].items == ["un métier"]


def test_sections_keep_the_order_of_the_fiche_whatever_it_is() -> None:
    fiche = parse_fiche("# T\n\n## Métiers\n\n- a\n\n## Accès\n\nTexte.\n\n## Description\n\nTexte.\n", "t.md")
    assert [section.heading for section in fiche.sections] == ["Métiers", "Accès", "Description"]


def test_fields_keep_their_link_target_and_their_line_as_written() -> None:
    sections = sections_by_heading(
        "# T\n\n## Infos\n\n**Code scolarité:**   123\n**Lien:** [le référentiel](https://example.org/r.pdf)\n"
        "**Sigle** : ABC\n"
    )
    fields = {field.label: field for field in sections["Infos"].fields}
    assert fields["Code scolarité"].value == "123"
    assert fields["Code scolarité"].line == "**Code scolarité:** 123"
    assert fields["Lien"].value == "le référentiel"
    assert fields["Lien"].url == "https://example.org/r.pdf"
    assert fields["Sigle"].value == "ABC"


def test_a_duplicate_section_is_merged_with_a_warning() -> None:
    fiche = parse_fiche("# T\n\n## Description\n\nUn.\n\n## Accès\n\nA.\n\n## Description\n\nDeux.\n", "dup.md")
    sections = {section.heading: section for section in fiche.sections}
    assert sections["Description"].paragraphs == ["Un.", "Deux."]
    assert fiche.warnings == ["dup.md : la section « Description » apparaît deux fois ; ses contenus sont réunis"]


def test_one_field_with_two_different_values_is_an_error_naming_the_field() -> None:
    with pytest.raises(FicheError) as error:
        parse_fiche("# T\n\n## Infos\n\n**Durée:** 2 ans\n\n## Infos\n\n**Durée:** 3 ans\n", "dup.md")
    assert error.value.file == "dup.md"
    assert error.value.field == "Durée"
    assert "« 2 ans »" in str(error.value) and "« 3 ans »" in str(error.value)


def test_html_comments_and_horizontal_rules_are_not_content() -> None:
    sections = sections_by_heading("<!-- note\nsur deux lignes -->\n# T\n\n## D\n\nTexte.\n\n---\n\nSuite.\n")
    assert sections["D"].paragraphs == ["Texte.", "Suite."]


def test_guillemets_are_kept_as_written() -> None:
    sections = sections_by_heading("# T\n\n## D\n\nUn module « surveillance humaine » existe.\n")
    assert sections["D"].sentences == ["Un module « surveillance humaine » existe."]


@pytest.mark.parametrize(
    "paragraph, sentences",
    [
        # An ellipsis ends a sentence only when a capital follows.
        ("Il maîtrise les normes... Outre cela, il encadre.", ["Il maîtrise les normes...", "Outre cela, il encadre."]),
        ("Les normes... et les procédures comptent. Fin.", ["Les normes... et les procédures comptent.", "Fin."]),
        ("Il doit maîtriser les procédures de protection...", ["Il doit maîtriser les procédures de protection..."]),
        # Inside parentheses or guillemets nothing ends the sentence.
        ("Un secteur (sûreté, transport de fonds...), en lien avec le projet. Suite.",
         ["Un secteur (sûreté, transport de fonds...), en lien avec le projet.", "Suite."]),
        ("Voir le code (art. L612-20. Version 2022) pour le détail. Suite.",
         ["Voir le code (art. L612-20. Version 2022) pour le détail.", "Suite."]),
        ("Un module « Sécurité. Incendie » existe. Suite.", ["Un module « Sécurité. Incendie » existe.", "Suite."]),
        # Abbreviations and initials do not end a sentence.
        ("Voir art. L612-20 du code. Puis M. Dupont répond.", ["Voir art. L612-20 du code.", "Puis M. Dupont répond."]),
        ("Est-ce possible ? Oui ! Bien sûr.", ["Est-ce possible ?", "Oui !", "Bien sûr."]),
    ],
)
def test_sentence_splitting(paragraph: str, sentences: list) -> None:
    assert split_sentences(paragraph) == sentences


@pytest.mark.parametrize(
    "content, reason",
    [(b"", "fichier vide"), (b"   \n\n  \n", "fichier vide"), (b"\x89PNG\r\n\x1a\n\x00\x00", "fichier binaire"),
     (b"# Titre\n\xff\xfe caf\xe9\n", "non encodé en UTF-8")],
)
def test_unreadable_files_are_reported_with_their_name(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "fiche.md"
    path.write_bytes(content)
    with pytest.raises(FicheError) as error:
        read_fiche(path)
    assert error.value.file == "fiche.md"
    assert reason in str(error.value)


def test_a_fiche_without_headings_has_no_title_and_one_untitled_section() -> None:
    fiche = parse_fiche("Juste un paragraphe.\n\n**Durée:** 2 ans\n", "plat.md")
    assert fiche.title is None
    assert [section.path for section in fiche.sections] == [()]
    assert fiche.sections[0].fields[0].value == "2 ans"

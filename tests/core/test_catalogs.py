"""The translation catalogs are complete (issue 17): `flask translations check` as a test, and
the tools it rests on."""
import pytest
from babel.messages.catalog import Catalog
from babel.support import Translations

from app.core import catalogs
from app.core.catalogs import check_catalogs, placeholder_errors, untranslated, write_pseudo_catalogs


@pytest.mark.no_db
def test_every_language_translates_every_message_the_code_uses():
    problems = check_catalogs()
    assert problems == [], f"{len(problems)} problem(s), first ones:\n" + "\n".join(problems[:40])


@pytest.mark.no_db
def test_the_check_finds_empty_fuzzy_and_placeholder_faults():
    catalog = Catalog(locale="es")
    catalog.add("Save", "")
    catalog.add("Close", "Cerrar", flags=["fuzzy"])
    catalog.add("Round %(number)s", "Votación")
    catalog.add("Hello %(name)s", "Hola %(nombre)s")
    catalog.add(("%(num)d vote", "%(num)d votes"), ("%(num)d voto", ""))
    assert sorted(untranslated(catalog)) == ["%(num)d vote", "Close", "Save"]
    errors = placeholder_errors(catalog)
    assert any("Round" in error and "drops" in error for error in errors)
    assert any("Hello" in error and "nombre" in error for error in errors)


@pytest.mark.no_db
def test_imported_translations_fill_contexts_and_every_plural_form(tmp_path, monkeypatch):
    monkeypatch.setattr(catalogs, "TRANSLATIONS", tmp_path)
    monkeypatch.setattr(catalogs, "TRANSLATED_LANGUAGES", ["fr"])
    template = Catalog(locale="fr", domain="messages")
    template.add("Adopted", context="the text")
    template.add(("%(num)d vote", "%(num)d votes"))
    catalogs.write_catalog(template, "fr", "messages")
    catalogs.write_catalog(Catalog(locale="fr", domain="js"), "fr", "js")
    skipped = catalogs.apply_translations({"messages": {
        "the text\x04Adopted": {"fr": "Adopté"}, "%(num)d vote": {"fr": ["%(num)d vote", "%(num)d votes"]},
        "Gone": {"fr": "Parti"}}})
    assert skipped == ["fr/messages: 'Gone'"]
    translations = Translations.load(str(tmp_path), ["fr"])
    assert translations.pgettext("the text", "Adopted") == "Adopté"
    assert translations.ngettext("%(num)d vote", "%(num)d votes", 1) == "%(num)d vote"
    assert translations.ngettext("%(num)d vote", "%(num)d votes", 2) == "%(num)d votes"
    assert translations.ngettext("%(num)d vote", "%(num)d votes", 1_000_000) == "%(num)d votes"  # French "many"


@pytest.mark.no_db
def test_the_pseudo_locale_marks_every_message(tmp_path):
    write_pseudo_catalogs(tmp_path, "eo")
    translations = Translations.load(str(tmp_path), ["eo"])
    assert translations.gettext("Skip to content") == "⟦Skip to content⟧"
    assert translations.ngettext("%(num)d unread", "%(num)d unread", 3) == "⟦%(num)d unread⟧"
    scripts = Translations.load(str(tmp_path), ["eo"], domain="js")
    assert len(scripts._catalog) > 50 and all(value.startswith("⟦") for key, value in scripts._catalog.items() if key)

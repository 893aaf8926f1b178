"""The words of search (app/search/terms.py): folding, stems, the query syntax, snippets."""
import pytest

from app.search.terms import fold, fts5_expression, parse_query, snippet, stems, wanted_stems

pytestmark = pytest.mark.no_db


def test_fold_drops_case_and_accents():
    assert fold("Cooperación Straße ÉLAN") == "cooperacion strasse elan"


@pytest.mark.parametrize("language, forms", [
    ("es", ["cooperativas", "cooperativa"]), ("en", ["trusts", "trust"]), ("fr", ["coopératives", "coopérative"]),
    ("de", ["Genossenschaften", "Genossenschaft"]), ("pt", ["cooperativas", "cooperativa"]),
    ("it", ["cooperative", "cooperativa"]), ("nl", ["coöperaties", "coöperatie"]),
])
def test_the_language_decides_the_stem(language, forms):
    assert len({tuple(stems(form, language)) for form in forms}) == 1, forms


def test_a_language_without_a_stemmer_only_folds():
    assert stems("Cooperativas Galegas", "gl") == ["cooperativas", "galegas"]


def test_common_words_are_left_out():
    assert stems("the land of the commons", "en") == ["land", "common"]


def test_the_websearch_syntax():
    query = parse_query('land "community trust" OR commons -sale -"for profit"')
    assert [[term.words for term in group] for group in query.groups] == [
        [("land",)], [("community", "trust"), ("commons",)]]
    assert [term.words for term in query.excluded] == [("sale",), ("for", "profit")]
    assert not query.is_empty


@pytest.mark.parametrize("text", ["", "   ", "-land", '-"land trust"', "OR", "!!!", "OR -x"])
def test_nothing_to_look_for(text):
    assert parse_query(text).is_empty


def test_a_leading_or_is_a_word_joiner_with_nothing_before_it():
    assert [[term.words for term in group] for group in parse_query("OR land").groups] == [[("land",)]]


def test_the_fts5_expression_quotes_every_stem():
    expression = fts5_expression(parse_query('Trusts "land trust" OR commons -sale'), "en")
    assert expression == '(("trust") AND ("land trust" OR "common")) NOT ("sale")'


def test_only_common_words_cannot_match():
    assert fts5_expression(parse_query("the of"), "en") is None


def test_fts5_syntax_in_the_query_is_only_words():
    expression = fts5_expression(parse_query('NEAR(a b) title_terms:x ^y * AND'), "en")
    assert expression == '("near") AND ("b") AND ("title_term x") AND ("y")'  # 'a' and 'and' are common words


def test_the_snippet_marks_the_found_words_and_escapes_the_rest():
    text = "Before <b> & after, the community land trusts hold land."
    marked = snippet(text, "en", wanted_stems(parse_query("trust land"), "en"))
    assert str(marked) == ("Before &lt;b&gt; &amp; after, the community <mark>land</mark> <mark>trusts</mark> "
                           "hold <mark>land</mark>.")


def test_a_long_text_is_cut_around_the_first_match():
    text = " ".join(f"w{n}" for n in range(100)) + " orchard " + " ".join(f"v{n}" for n in range(100))
    marked = str(snippet(text, "en", {"orchard"}))
    assert marked.startswith("… ") and marked.endswith(" …") and "<mark>orchard</mark>" in marked
    assert len(marked.split()) < 40

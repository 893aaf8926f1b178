"""Words for search: folding, stemming, the query syntax and snippets. Pure (no Flask, no database).

Both databases see the same words: accents and case are folded away (``Cooperación`` →
``cooperacion``), the text's language decides the stemmer (Snowball, through PyStemmer: the
stemmers PostgreSQL's configurations use) and its common words (Snowball's stop-word lists, the
files PostgreSQL ships, in ``stopwords/``). SQLite's FTS5 indexes the stems this module makes;
PostgreSQL makes its own with ``unaccent`` and the language's configuration, and this module
still parses the query (to refuse an empty one) and marks the words of the snippets.

The query syntax is PostgreSQL's ``websearch_to_tsquery``: words are all required, ``"a
phrase"`` keeps its words together, ``OR`` between two terms takes either, ``-word`` (or
``-"a phrase"``) leaves out what has it.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import Stemmer
from markupsafe import Markup, escape

#: a text language → its Snowball stemmer and PostgreSQL configuration (None and 'simple':
#: no stemmer exists, so its words are only folded)
SNOWBALL = {
    "en": "english", "es": "spanish", "fr": "french", "de": "german", "it": "italian",
    "pt": "portuguese", "ca": "catalan", "eu": "basque", "nl": "dutch", "gl": None,
}
STOPWORDS = Path(__file__).resolve().parent / "stopwords"
WORD = re.compile(r"\w+")
MAX_QUERY_CHARS = 200
MAX_QUERY_TERMS = 16


def fold(text):
    """Lower case without accents: 'Cooperación' → 'cooperacion', 'Straße' → 'strasse'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def pg_config(language):
    """The PostgreSQL text-search configuration of a text language ('simple' without a stemmer)."""
    return SNOWBALL.get(language) or "simple"


@cache
def _stemmer(language):
    name = SNOWBALL.get(language)
    return Stemmer.Stemmer(name) if name else None


@cache
def stop_words(language):
    """The language's common words, folded (an empty set when Snowball has no list for it)."""
    path = STOPWORDS / f"{SNOWBALL.get(language)}.txt"
    if not path.is_file():
        return frozenset()
    return frozenset(fold(line.strip()) for line in path.read_text().splitlines() if line.strip())


def stems(text, language):
    """The stems of `text`'s words in order, common words left out: what FTS5 indexes."""
    words = [word for word in WORD.findall(fold(text)) if word not in stop_words(language)]
    stemmer = _stemmer(language)
    return stemmer.stemWords(words) if stemmer else words


def index_terms(text, language):
    """`text` as the space-separated stems FTS5 stores."""
    return " ".join(stems(text, language))


def line_terms(text, language):
    """The stems of each line of `text`, a line each (the line numbers are kept)."""
    return "\n".join(index_terms(line, language) for line in text.split("\n"))


# -- the query ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    """A word or a quoted phrase; `excluded` for a -term."""

    words: tuple
    excluded: bool = False


@dataclass
class Query:
    """A parsed query: every group is required; a group is met by any of its terms."""

    groups: list = field(default_factory=list)   # [[Term, …], …], terms not excluded
    excluded: list = field(default_factory=list)  # [Term, …]

    @property
    def is_empty(self):
        """True when nothing is asked for (no words, or only words to leave out)."""
        return not self.groups


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse_query(text):
    """Parse websearch syntax into a Query (see the module's docstring). At most
    MAX_QUERY_TERMS terms are kept."""
    query, pending_or = Query(), False
    for match in _TOKEN.finditer((text or "")[:MAX_QUERY_CHARS]):
        negated, phrase, bare = match.groups()
        if bare == "OR":
            pending_or = bool(query.groups)
            continue
        if bare is not None:
            negated, phrase = ("-", bare[1:]) if bare.startswith("-") else ("", bare)
        words = tuple(WORD.findall(fold(phrase)))
        if not words:
            continue
        term = Term(words, excluded=bool(negated))
        if term.excluded:
            query.excluded.append(term)
        elif pending_or:
            query.groups[-1].append(term)
        else:
            query.groups.append([term])
        pending_or = False
        if len(query.excluded) + sum(map(len, query.groups)) >= MAX_QUERY_TERMS:
            break
    return query


def _term_stems(term, language):
    """The stems of a term's words in `language`, common words left out."""
    return stems(" ".join(term.words), language)


def fts5_expression(query, language):
    """The FTS5 MATCH expression of `query` for texts in `language`, or None when every word
    asked for is a common word there (nothing can match)."""
    groups = []
    for group in query.groups:
        alternatives = [_phrase(_term_stems(term, language)) for term in group]
        alternatives = [alternative for alternative in alternatives if alternative]
        if alternatives:
            groups.append("(" + " OR ".join(alternatives) + ")")
    if not groups:
        return None
    expression = " AND ".join(groups)
    excluded = [_phrase(_term_stems(term, language)) for term in query.excluded]
    excluded = [phrase for phrase in excluded if phrase]
    if excluded:
        expression = f"({expression}) NOT ({' OR '.join(excluded)})"
    return expression


def _phrase(words):
    """An FTS5 phrase of stems (they are \\w+ words: quoting them is enough)."""
    return '"' + " ".join(words) + '"' if words else ""


def wanted_stems(query, language):
    """Every stem the query asks for in `language`: the words a snippet marks."""
    return {stem for group in query.groups for term in group for stem in _term_stems(term, language)}


def matching_lines(terms, query, language):
    """The 1-based numbers of the lines of `terms` (line_terms' output) that meet at least one
    of the query's groups (a word, a phrase in a row, one of an OR), best first: the most groups
    met, then the most words asked for, then the earliest. Regular expressions over the whole
    text (a 300-line text is one string), not a loop over its lines."""
    breaks = [match.start() for match in _NEWLINE.finditer(terms)]
    groups_met, words_found = {}, {}
    for group in query.groups:
        for line in _lines_with(terms, breaks, [tuple(_term_stems(term, language)) for term in group]):
            groups_met[line] = groups_met.get(line, 0) + 1
    for word in {stem for group in query.groups for term in group for stem in _term_stems(term, language)}:
        for line in _lines_with(terms, breaks, [(word,)]):
            words_found[line] = words_found.get(line, 0) + 1
    return sorted(groups_met, key=lambda line: (-groups_met[line], -words_found.get(line, 0), line))


_NEWLINE = re.compile("\n")


def _lines_with(terms, breaks, phrases):
    """The 1-based numbers of the lines holding any of `phrases` (tuples of stems, in a row)."""
    phrases = [" ".join(phrase) for phrase in phrases if phrase]
    if not phrases:
        return set()
    # the stems first (re finds a literal fast); a match must start a word: checked by hand, as
    # a look-behind would run at every position of the text
    pattern = re.compile("(?:" + "|".join(map(re.escape, phrases)) + r")(?![^ \n])")
    return {bisect.bisect_left(breaks, match.start()) + 1 for match in pattern.finditer(terms)
            if match.start() == 0 or terms[match.start() - 1] in " \n"}


# -- snippets ---------------------------------------------------------------------------------

SNIPPET_WORDS = 28


def word_matches(text, language, wanted):
    """(start, end) of each word of `text` whose stem is wanted."""
    folded = fold(text)
    if len(folded) != len(text):  # folding changed lengths (ß → ss): fold word by word
        words = [(match.span(), fold(match.group())) for match in WORD.finditer(text)]
    else:
        words = [(match.span(), match.group()) for match in WORD.finditer(folded)]
    stemmer = _stemmer(language)
    found = stemmer.stemWords([word for _span, word in words]) if stemmer else [word for _span, word in words]
    return [span for (span, _word), stem in zip(words, found) if stem in wanted]


def snippet(text, language, wanted, size=SNIPPET_WORDS):
    """About `size` words of `text` around its first wanted word, those words in <mark>, the
    rest escaped (Markup: safe to put in a page as it is)."""
    spans = word_matches(text, language, wanted)
    words = list(WORD.finditer(text))
    if not words:
        return Markup("")
    first = next((i for i, word in enumerate(words) if spans and word.start() == spans[0][0]), 0)
    low = max(0, first - size // 3)
    high = min(len(words), low + size)
    start = words[low].start() if low else 0
    end = words[high - 1].end() if high < len(words) else len(text)
    return _marked(text, start, end, spans, low > 0, high < len(words))


def _marked(text, start, end, spans, cut_before, cut_after):
    parts, position = [Markup("… ") if cut_before else Markup("")], start
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        parts.append(escape(text[position:span_start]))
        parts.append(Markup("<mark>%s</mark>") % text[span_start:span_end])
        position = span_end
    parts.append(escape(text[position:end]))
    if cut_after:
        parts.append(Markup(" …"))
    return Markup("").join(parts)

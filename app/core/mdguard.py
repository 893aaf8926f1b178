"""Bounds on the work of parsing Markdown (used by :mod:`app.core.mdparsers`).

markdown-it-py is linear in the size of its input, but its constant depends
on the text: a megabyte of ``[`` made it walk every bracket twenty times
(29 s of CPU), and a megabyte of tiny blocks or table cells costs seconds in
tokens alone.  Three measures keep the cost of rendering any text bounded:

* **Memoised link labels.**  :func:`parse_link_label` remembers, per inline
  parse, where the label starting at a bracket ends.  markdown-it already
  caches every step of that walk (``state.cache``), so the walk is the same
  every time and the memo returns exactly what the walk would: the output
  never changes, only the repeated walks go.
* **A work budget.**  Every document gets :data:`WORK_LIMIT` units, spent per
  line the block rules try, per position the inline rules try, per token and
  per link; tables are also limited to :data:`MAX_TABLE_COLUMNS`
  columns (a wider "table" is read as a paragraph).  Spending past the limit
  raises :class:`RenderTooCostly`; the renderer then refuses the text
  (``strict``, for new text) or shows it as typed, in one escaped ``<pre>``.  The
  count is deterministic, so tests assert it rather than time.
* **Fewer rule calls.**  :class:`BoundedInline` tries at each position only
  the inline rules that can start with its character, limits inline
  nesting to :data:`INLINE_MAX_NESTING` (the look-ahead over unmatched
  brackets costs about that many steps per bracket), and
  :func:`parse_link_destination` scans a link target without a call per
  character.

:func:`guard` installs all three on a ``MarkdownIt`` instance; a parse is only
budgeted when its ``env`` carries a :class:`Budget` under :data:`ENV_KEY`.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.helpers import parseLinkDestination, parseLinkLabel, parseLinkTitle
from markdown_it.helpers.parse_link_destination import _Result
from markdown_it.parser_block import ParserBlock
from markdown_it.parser_inline import ParserInline
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

__all__ = [
    "BLOCK_TOKEN_UNITS",
    "Budget",
    "ENV_KEY",
    "INLINE_MAX_NESTING",
    "LINE_UNITS",
    "LINK_UNITS",
    "MAX_TABLE_COLUMNS",
    "RenderTooCostly",
    "WORK_LIMIT",
    "guard",
]

#: Work units allowed per document: under a second of CPU for the costliest
#: units (emphasis runs, tiny blocks), while a policy of ordinary prose needs
#: 0.15-0.2 units per byte and the seed library's mix of headings, lists and
#: prose 0.2 (both fit up to the 1 MB body limit); dense Markdown (a heading,
#: link, code span and list every few lines) needs about 0.8 (280 KB fit).
WORK_LIMIT = 230_000
#: Nesting depth of inline parsing (markdown-it's commonmark preset: 20).  The
#: look-ahead over a link label costs about this many steps per ``[``; deeper
#: brackets inside a link text make it plain text.
INLINE_MAX_NESTING = 6
#: Units per line tried by the block rules (each tries about ten rules).
LINE_UNITS = 3
#: Units per block token: every block is also rendered and sanitised.
BLOCK_TOKEN_UNITS = 2
#: Extra units per link or image (its URL is normalised and checked) and per
#: link reference definition.
LINK_UNITS = 8
_LINK_TYPES = frozenset({"link_open", "image"})
#: Widest table; a delimiter row with more cells is not a table.
MAX_TABLE_COLUMNS = 64
#: The ``env`` key under which a parse finds its :class:`Budget`.
ENV_KEY = "commonwright_budget"


class RenderTooCostly(Exception):
    """The text needs more than :data:`WORK_LIMIT` units of work to render."""


class Budget:
    """Work units left for one document; :meth:`spend` raises
    :class:`RenderTooCostly` past the limit."""

    __slots__ = ("limit", "used")

    def __init__(self, limit: int = WORK_LIMIT) -> None:
        self.limit = limit
        self.used = 0

    def spend(self, units: int = 1) -> None:
        """Count ``units``; raise :class:`RenderTooCostly` past the limit."""
        self.used += units
        if self.used > self.limit:
            raise RenderTooCostly


def _budget_of(env: Any) -> Budget | None:
    budget = env.get(ENV_KEY) if isinstance(env, dict) else None
    return budget if isinstance(budget, Budget) else None


# ---------------------------------------------------------------------------
# Memoised link labels
# ---------------------------------------------------------------------------


def parse_link_label(state, start: int, disableNested: bool = False) -> int:  # noqa: ANN001, N803
    """markdown-it's ``parseLinkLabel``, remembered per inline state."""
    memo = state.__dict__.setdefault("_commonwright_labels", {})
    key = (start, disableNested, state.posMax)
    if key not in memo:
        memo[key] = parseLinkLabel(state, start, disableNested)
    return memo[key]


_DESTINATION_STOP = re.compile(r"[\x00-\x20\x7f\\()]")


def parse_link_destination(string: str, pos: int, maximum: int) -> _Result:
    """markdown-it's ``parseLinkDestination`` with the same result, jumping
    between the characters that matter (``(``, ``)``, ``\\``, space and
    controls) instead of calling a function per character: an unfinished
    ``[a](`` looked up to 33 levels of parentheses ahead, one call at a time."""
    if pos < maximum and string[pos] == "<":
        return parseLinkDestination(string, pos, maximum)
    start, level, result = pos, 0, _Result()
    while pos < maximum:
        stop = _DESTINATION_STOP.search(string, pos, maximum)
        if stop is None:
            pos = maximum
            break
        pos = stop.start()
        ch = string[pos]
        if ch == "\\":
            if pos + 1 < maximum and string[pos + 1] == " ":
                break
            pos += 2 if pos + 1 < maximum else 1
        elif ch == "(":
            level += 1
            if level > 32:
                return result
            pos += 1
        elif ch == ")" and level > 0:
            level -= 1
            pos += 1
        else:  # space, control character, or a ")" closing the link
            break
    if start == pos or level != 0:
        return result
    result.str, result.pos, result.ok = unescapeAll(string[start:pos]), pos, True
    return result


# ---------------------------------------------------------------------------
# Counting wrappers
# ---------------------------------------------------------------------------


#: The characters each built-in inline rule starts with: every one of them
#: returns False at once at any other character.  ``text`` takes every
#: character that is not a terminator; rules not listed are tried everywhere.
_RULE_TRIGGERS = {
    "linkify": ":",
    "newline": "\n",
    "escape": "\\",
    "backticks": "`",
    "strikethrough": "~",
    "emphasis": "*_",
    "link": "[",
    "image": "!",
    "autolink": "<",
    "html_inline": "<",
    "entity": "&",
}


class BoundedInline(ParserInline):
    """markdown-it's inline tokenizer, trying at each position only the rules
    that can start with its character (the same rules, in the same order, with
    the same result), and counting one budget unit per position tried."""

    def dispatch(self, ch: str) -> list:
        """The rules to try at ``ch``, in ruler order."""
        table = self.__dict__.get("_dispatch")
        if table is None or table[0] is not self.ruler.getRules(""):
            table = self.__dict__["_dispatch"] = (self.ruler.getRules(""), {})
        rules = table[1].get(ch)
        if rules is None:
            rules = table[1][ch] = self._rules_for(ch)
        return rules

    def _rules_for(self, ch: str) -> list:
        terminator = self.terminator_re.match(ch) is not None
        chosen = []
        for rule in self.ruler.__rules__:
            if not rule.enabled:
                continue
            if rule.name == "text":
                if not terminator:
                    chosen.append(rule.fn)
            elif rule.name not in _RULE_TRIGGERS or ch in _RULE_TRIGGERS[rule.name]:
                chosen.append(rule.fn)
        return chosen

    def skipToken(self, state: StateInline) -> None:  # noqa: N802
        """As ``ParserInline.skipToken``, with dispatch and counting."""
        pos = state.pos
        cache = state.cache
        if pos in cache:
            state.pos = cache[pos]
            return
        _charge(state)
        ok = False
        if state.level < state.md.options["maxNesting"]:
            for rule in self.dispatch(state.src[pos]):
                state.level += 1
                ok = rule(state, True)
                state.level -= 1
                if ok:
                    if state.pos <= pos:
                        raise RuntimeError("inline rule didn't increment state.pos")
                    break
        else:
            state.pos = state.posMax  # too deep: skip to the end, as markdown-it does
        if not ok:
            state.pos += 1
        cache[pos] = state.pos

    def tokenize(self, state: StateInline) -> None:
        """As ``ParserInline.tokenize``, with dispatch and counting (a unit per
        position tried and per token made)."""
        end = state.posMax
        max_nesting = state.md.options["maxNesting"]
        while state.pos < end:
            pos, made = state.pos, len(state.tokens)
            _charge(state)
            ok = False
            if state.level < max_nesting:
                for rule in self.dispatch(state.src[pos]):
                    ok = rule(state, False)
                    if ok:
                        if state.pos <= pos:
                            raise RuntimeError("inline rule didn't increment state.pos")
                        break
            if ok:
                _charge(state, len(state.tokens) - made)
                if state.pos >= end:
                    break
                continue
            state.append_pending(state.src[state.pos])
            state.pos += 1
        if state.pending:
            state.pushPending()


def _charge(state, units: int = 1) -> None:  # noqa: ANN001
    budget = state.env.get(ENV_KEY) if type(state.env) is dict else None
    if budget is not None:
        budget.spend(units)


def _table_columns(state, line: int) -> int:  # noqa: ANN001
    start = state.bMarks[line] + state.tShift[line]
    return state.src.count("|", start, state.eMarks[line]) - 1  # |a|b| has two


def _count_block_steps(rule):  # noqa: ANN001, ANN202
    """Wrap the first block rule, which runs at every line the block tokenizer
    (or a paragraph looking for its end) tries: :data:`LINE_UNITS` per line tried."""

    def counted(state, startLine: int, endLine: int, silent: bool) -> bool:  # noqa: ANN001, N803
        budget = _budget_of(state.env)
        if budget is not None:
            budget.spend(LINE_UNITS)
        return rule(state, startLine, endLine, silent)

    return counted


class _CountingStateBlock(StateBlock):
    def push(self, ttype: str, tag: str, nesting: int) -> Token:
        budget = _budget_of(self.env)
        if budget is not None:
            budget.spend(BLOCK_TOKEN_UNITS)
        return super().push(ttype, tag, nesting)


class BoundedBlock(ParserBlock):
    """markdown-it's block parser, counting :data:`BLOCK_TOKEN_UNITS` per token."""

    def parse(self, src: str, md: MarkdownIt, env: Any, outTokens: list[Token]) -> list[Token] | None:  # noqa: N803
        """As ``ParserBlock.parse``, with a counting state."""
        if not src:
            return None
        state = _CountingStateBlock(src, md, env, outTokens)
        self.tokenize(state, state.line, state.lineMax)
        return state.tokens


def _count_references(rule):  # noqa: ANN001, ANN202
    """Wrap the reference rule: :data:`LINK_UNITS` per definition found."""

    def counted(state, startLine: int, endLine: int, silent: bool) -> bool:  # noqa: ANN001, N803
        found = rule(state, startLine, endLine, silent)
        budget = _budget_of(state.env)
        if found and budget is not None:
            budget.spend(LINK_UNITS)
        return found

    return counted


def _narrow_tables(rule):  # noqa: ANN001, ANN202
    """Wrap the table rule: no table wider than :data:`MAX_TABLE_COLUMNS`."""

    def narrow(state, startLine: int, endLine: int, silent: bool) -> bool:  # noqa: ANN001, N803
        if startLine + 1 < endLine and _table_columns(state, startLine + 1) > MAX_TABLE_COLUMNS:
            return False
        return rule(state, startLine, endLine, silent)

    return narrow


def _budgeted_inline(inline_md: MarkdownIt):  # noqa: ANN202
    """The core ``inline`` rule, parsing with ``inline_md`` and counting
    :data:`LINK_UNITS` per link or image."""

    def inline(state) -> None:  # noqa: ANN001
        budget = _budget_of(state.env)
        for token in state.tokens:
            if token.type == "inline":
                children: list[Token] = []
                inline_md.inline.parse(token.content, inline_md, state.env, children)
                token.children = children
                if budget is not None:  # tokens were counted as they were made; links cost more
                    budget.spend(LINK_UNITS * sum(1 for child in children if child.type in _LINK_TYPES) + 1)

    return inline


def _wrap_rule(ruler, name: str, wrapper) -> None:  # noqa: ANN001
    rule = ruler.__rules__[ruler.__find__(name)]
    ruler.at(name, wrapper(rule.fn), {"alt": list(rule.alt)})


def _first_enabled(ruler) -> str:  # noqa: ANN001
    return next(rule.name for rule in ruler.__rules__ if rule.enabled)


def guard(md: MarkdownIt, inline_md: MarkdownIt) -> MarkdownIt:
    """Install the budget counters on ``md``, and parse its inline content with
    ``inline_md`` (configured like ``md``: same options, rules and link check),
    which gets the memoised link labels and :data:`INLINE_MAX_NESTING`."""
    _wrap_rule(md.block.ruler, "table", _narrow_tables)
    _wrap_rule(md.block.ruler, _first_enabled(md.block.ruler), _count_block_steps)
    _wrap_rule(md.block.ruler, "reference", _count_references)
    md.block.__class__ = BoundedBlock
    inline_md.options["maxNesting"] = INLINE_MAX_NESTING
    inline_md.helpers = SimpleNamespace(  # type: ignore[assignment]
        parseLinkLabel=parse_link_label,
        parseLinkDestination=parse_link_destination,
        parseLinkTitle=parseLinkTitle,
    )
    inline_md.inline.__class__ = BoundedInline
    md.core.ruler.at("inline", _budgeted_inline(inline_md))
    return md

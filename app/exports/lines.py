"""Line numbers for print: margin markers inserted into a revision's cached, sanitised blocks.

The reading view shows each block's source line range in a gutter. In print every source line
that starts visible text gets its own number in the margin, with the same numbering as the app
(1-based lines of the Markdown source). The numbers come from the ``data-line-start`` /
``data-line-end`` attributes the renderer puts on ``p``, ``h1``-``h6``, ``li`` and ``tr``; inside
a paragraph or a tight list item each further source line begins after a line break of the
rendered HTML (markdown-it keeps soft breaks as ``"\\n"``), and inside a code block each line of
code is a line of source. A block that got no number otherwise (a rule, raw HTML) gets its first
line number at its top, like the reading view's gutter.

Only fixed markup is added (``<span class="ln">N</span>``), never text from the input, so the
result is exactly as safe as the sanitised input. Pure functions: no Flask, no database.
"""
import re

# A tag; attribute values may be quoted and contain ">".
_TAG_RE = re.compile(r"""(<(?:[^>"']|"[^"]*"|'[^']*')*>)""")
_NAME_RE = re.compile(r"^</?([a-zA-Z][a-zA-Z0-9]*)")
_RANGE_RE = re.compile(r'data-line-start="(\d+)"\s+data-line-end="(\d+)"')
_FENCE_RE = re.compile(r"^ {0,3}(```|~~~)")

#: Elements whose own text lines are numbered.
_NUMBERED = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li"})
#: Block-level elements: a line number waiting for text is dropped when one opens or closes.
_BLOCKS = frozenset({"ul", "ol", "blockquote", "table", "thead", "tbody", "pre", "div", "section", "hr", "p"})


SOFT_BREAK = '<br class="sl">'


def marker(number):
    """The margin marker for one source line."""
    return f'<span class="ln" aria-hidden="true">{int(number)}</span>'


class _Context:
    """An element whose lines are being numbered: the number waiting for visible content.

    In paragraphs and list items a soft line break also becomes a printed line break, so that
    each source line starts a printed line and no two numbers share one.
    """

    def __init__(self, tag, first, last, used):
        self.tag, self.current, self.last, self.used = tag, first, last, used
        self.pending = first
        self.depth = 0
        self.needs_break = self.broken = False

    def newline(self):
        """A line break in the element's own text: what follows starts the next source line."""
        if self.current < self.last:
            self.current += 1
            self.pending = self.current
            self.needs_break = self.tag != "code" and not self.broken
        else:
            self.pending = None

    def drop(self):
        """Forget the number waiting for content (a nested block numbers its own lines)."""
        self.pending, self.needs_break = None, False

    def hard_break(self):
        """A <br>: the next line already starts on a new printed line."""
        self.broken = True

    def take(self):
        """The marker to put before the next visible content (once per line)."""
        self.broken = False
        if self.pending is None:
            return ""
        number, self.pending = self.pending, None
        self.used.add(number)
        prefix = SOFT_BREAK if self.needs_break else ""
        self.needs_break = False
        return prefix + marker(number)


def number_block(block, source_lines):
    """The block's HTML with a margin marker at the start of each source line it shows.

    `block` is a cached block dict (line_start, line_end, html, kind); `source_lines` the
    revision's body split into lines (to tell a fenced code block from an indented one).
    """
    html, first_line = block.get("html") or "", block["line_start"]
    code_first = None
    if block.get("kind") == "code":
        fenced = first_line <= len(source_lines) and _FENCE_RE.match(source_lines[first_line - 1])
        code_first = first_line + 1 if fenced else first_line
    state = {"contexts": [], "used": set(), "code": (code_first, block["line_end"])}
    out = []
    for index, piece in enumerate(_TAG_RE.split(html)):
        if index % 2:
            out.append(_on_tag(piece, state))
        elif piece:
            out.append(_on_text(piece, state))
    numbered = "".join(out)
    return numbered if state["used"] else marker(first_line) + numbered


def _on_tag(tag, state):
    match = _NAME_RE.match(tag)
    if match is None:
        return tag
    name = match.group(1).lower()
    if tag.startswith("</"):
        return _on_end_tag(name, tag, state["contexts"])
    return _on_start_tag(name, tag, state)


def _on_end_tag(name, tag, contexts):
    context = contexts[-1] if contexts else None
    if context is None:
        return tag
    if name == context.tag:
        if context.depth == 0:
            contexts.pop()
        else:
            context.depth -= 1
    elif name in _BLOCKS:
        context.drop()
    return tag


def _on_start_tag(name, tag, state):
    contexts, used = state["contexts"], state["used"]
    context = contexts[-1] if contexts else None
    line_range = _RANGE_RE.search(tag)
    if line_range and name in _NUMBERED | {"tr"}:
        if context is not None:
            context.drop()  # the nested element numbers its own lines
        start, end = int(line_range.group(1)), int(line_range.group(2))
        contexts.append(_Context(name, start, start if name == "tr" else end, used))
        return tag
    code_first, code_last = state["code"]
    if name == "code" and code_first is not None and context is None:
        contexts.append(_Context("code", code_first, code_last, used))
        return tag
    if context is None:
        return tag
    if name == context.tag:
        context.depth += 1
    if name in _BLOCKS:
        context.drop()
        return tag
    if context.tag == "tr":
        return tag + context.take() if name in ("td", "th") else tag
    if name == "br":
        context.hard_break()
        return tag
    return context.take() + tag


def _on_text(text, state):
    contexts = state["contexts"]
    context = contexts[-1] if contexts else None
    if context is None or context.tag == "tr":
        return text
    out = []
    for i, part in enumerate(text.split("\n")):
        if i:
            out.append("\n")
            context.newline()
        if part.strip() or (context.tag == "code" and part):
            out.append(context.take())
        out.append(part)
    return "".join(out)

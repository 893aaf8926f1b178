"""Export services: a revision as Markdown or PDF, a comparison of two revisions as PDF, and
the policy library as a folder of Markdown files.

Permissions are the caller's: views and the API load the policy with the same loaders as the
pages (404 for policies the user may not see) and the revision with get_revision (404 when
unknown); the command line acts for the operator. Everything shown in a PDF is either the
revision's cached blocks (sanitised when the revision was saved) or plain text escaped by
Jinja, and the URL fetcher refuses every resource but the app's static files.

A PDF is produced by a PdfJob: preparing it reads the database (cheap) and names the cached
file; running it renders only when that file does not exist yet, and reads nothing from the
database, so a caller may end its transaction before a long render.

Where a PDF is typeset (rendering.py): a document of at most EXPORT_PDF_INLINE_KB of
typesetting (config; table cells weigh more) is typeset in the request (about a second); a
larger one by the worker (job exports.render_pdf), the reader being told to wait. The worker
typesets at most EXPORT_PDF_MAX_KB: a larger document answers 422 export_too_large, pointing to
the Markdown export. A document WeasyPrint fails on answers 422 export_failed. Both outcomes are
cached like PDFs (pdf.PdfCache), so a second request costs nothing; what the typesetter is given
is neutralised first (typeset.py).
"""
import csv
import html as html_lib
import io
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from flask import current_app
from flask_babel import gettext, lazy_gettext

from ..core import diffing, textlines
from ..core.errors import NotFound, ValidationError
from ..core.i18n import in_language
from ..core.slugs import is_slug
from ..core.templating import format_number
from ..extensions import db
from ..policies.library import format_policy_file
from ..policies.models import Policy
from ..policies.services import get_revision
from ..rounds import closing
from ..rounds import services as rounds
from ..rounds.presenters.amendment_display import option_labels
from ..rounds.presenters.ranked_results import matrix_table
from . import lines, pdf, record

MARKDOWN_MIMETYPE = "text/markdown; charset=utf-8"
PDF_MIMETYPE = "application/pdf"
CSV_MIMETYPE = "text/csv; charset=utf-8"
PAPERS = {"a4": "A4", "letter": "letter"}
FONT_SIZES = (9, 14)
MAX_CONTEXT = 50
PDF_NOTE = lazy_gettext("PDF is prepared on first download, this can take a few seconds.")
PDF_RATE = "30/minute"
#: Default of EXPORT_PDF_MAX_KB, the typesetting size the worker sets for one PDF (see
#: typesetting_size): about 500 pages, 40 s of CPU off any request. Each seed policy is about
#: 22 KB; the seed library twice over (57 pages, 6 s of CPU) 230 KB, four times over (112
#: pages, 13 s) 460 KB. Measured on 2 shared cores: about 0.6 s + 20 ms of CPU per KB.
DEFAULT_MAX_KB = 2048
#: Default of EXPORT_PDF_INLINE_KB, the largest typesetting a request does itself: 48 KB is
#: about 14 pages and 1.1 s (the seed policies are 22 KB); larger PDFs go to the worker.
DEFAULT_INLINE_KB = 48
#: Seconds after which a queued or rendering PDF whose marker has not moved is given up
#: (a worker killed meanwhile, or no worker running): the reader is offered to try again.
DEFAULT_JOB_TIMEOUT = 600
#: Default of EXPORT_PDF_MAX_QUEUED, how many PDFs may wait for the worker at once (at worst
#: about a minute each); past it a request is asked to try again later.
DEFAULT_MAX_QUEUED = 20
#: WeasyPrint spends up to about twice as long per byte on table cells as on prose: a cell
#: counts this many bytes more, so a table-heavy document hits the limit as early (in CPU) as prose.
CELL_WEIGHT = 32
_CELL_RE = re.compile(r"<t[dh][\s>]")
#: Codes of the errors of a PDF that cannot be produced (the browser offers the Markdown instead).
EXPORT_ERRORS = ("export_failed", "export_too_large")
_TAG_RE = re.compile(r"<[^>]*>")
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


# ---------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PdfOptions:
    """How a PDF is typeset: paper, base font size (pt), annex on/off, comparison context."""

    paper: str = "a4"
    font_size: int = 11
    annex: bool = True
    context: int | None = None

    @property
    def page_size(self):
        """The CSS @page size."""
        return PAPERS[self.paper]

    def stem(self, comparison=False):
        """The options part of a cache file name."""
        if comparison:
            context = "all" if self.context is None else self.context
            return f"{self.paper}-{self.font_size}pt-context-{context}"
        return f"{self.paper}-{self.font_size}pt-{'annex' if self.annex else 'noannex'}"


def pdf_options(args, comparison=False):
    """PdfOptions from query arguments (paper, font_size, annex; context for comparisons).

    Absent arguments take their defaults; bad values raise 422 naming each field.
    """
    errors, values = {}, {}
    paper = (args.get("paper") or "a4").strip().lower()
    if paper not in PAPERS:
        errors["paper"] = gettext("Paper is a4 or letter.")
    values["paper"] = paper
    values["font_size"] = _int_option(args, "font_size", 11, *FONT_SIZES, errors)
    if comparison:
        values["context"] = _int_option(args, "context", None, 0, MAX_CONTEXT, errors)
    else:
        values["annex"] = _bool_option(args, "annex", True, errors)
    if errors:
        raise ValidationError(gettext("Some export options need attention."), fields=errors)
    return PdfOptions(**values)


def _int_option(args, name, default, low, high, errors):
    raw = args.get(name)
    if raw is None or str(raw).strip() == "":
        return default
    try:
        value = int(str(raw).strip())
    except ValueError:
        errors[name] = gettext("'%(name)s' must be a whole number from %(low)s to %(high)s.", name=name, low=low,
                               high=high)
        return default
    if not low <= value <= high:
        errors[name] = gettext("'%(name)s' must be from %(low)s to %(high)s.", name=name, low=low, high=high)
    return value


def _bool_option(args, name, default, errors):
    raw = args.get(name)
    if raw is None or str(raw).strip() == "":
        return default
    value = str(raw).strip().lower()
    if value not in _TRUE + _FALSE:
        errors[name] = gettext("'%(name)s' is 1 or 0 (true or false).", name=name)
        return default
    return value in _TRUE


def revision_number(policy, raw, name="revision"):
    """The revision number a request asks for: the head when absent; 422 when not a number ≥ 1.

    A number past the head is returned as is: get_revision answers 404 for it.
    """
    if raw is None or str(raw).strip() == "":
        return policy.head_number
    try:
        number = int(str(raw).strip())
    except ValueError:
        raise ValidationError.field(name, gettext("'%(name)s' must be a whole number.", name=name)) from None
    if number < 1:
        raise ValidationError.field(name, gettext("'%(name)s' must be 1 or more.", name=name))
    return number


def comparison_revisions(policy, raw_from, raw_to):
    """(old, new) revisions of a comparison: `to` defaults to the head, `from` to the one before.

    422 for a value that is not a number from 1; 404 for a revision that does not exist.
    """
    new = get_revision(policy, revision_number(policy, raw_to, "to"))
    if raw_from is None or str(raw_from).strip() == "":
        return get_revision(policy, max(new.number - 1, 1)), new
    return get_revision(policy, revision_number(policy, raw_from, "from")), new


# ---------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------


def front_matter(policy, revision):
    """The YAML front matter of a revision's Markdown export, as an ordered dict."""
    with in_language(policy.text_language):
        data = record.revision_record(policy, revision, with_rounds=False)
    p, rev = data["policy"], data["revision"]
    return {
        "title": p["title"],
        "slug": p["slug"],
        "summary": p["summary"],
        "tags": p["tags"],
        "policy_id": p["id"],
        "assembly": data["assembly"]["slug"],
        "assembly_name": data["assembly"]["name"],
        "revision": rev["number"],
        "latest_revision": p["head_number"],
        "date": rev["date"],
        "status": p["status"],
        "authors": data["authors"],
        "amendments": [{key: value for key, value in m.items() if key not in _PRINT_ONLY} for m in data["amendments"]],
    }


#: Keys of the record's amendments that only the PDF shows (not the Markdown front matter).
_PRINT_ONLY = ("lines_short",)


def export_markdown(policy, revision):
    """The revision as Markdown in the library's format: YAML front matter between `---` lines,
    a blank line, then the body exactly as stored.

    app.policies.library.read_policy_file reads it back to the same title, slug, summary, tags
    and, byte for byte, the same body.
    """
    return format_policy_file(front_matter(policy, revision), revision.body)


def markdown_filename(policy, revision):
    """The download name of a revision's Markdown file."""
    return f"{policy.slug}-revision-{revision.number}.md"


def export_library(assembly, folder):
    """Write the head revision of every policy of `assembly` to FOLDER/<slug>.md; returns the paths.

    The files are in the format of the seed library (policies/), so `flask policies import`
    reads them back; an assembly can keep them in a git repository (the output only changes
    when the policy does).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    query = db.select(Policy).filter_by(assembly_id=assembly.id).order_by(Policy.slug)
    paths = []
    for policy in db.session.execute(query).scalars():
        name = policy.slug if is_slug(policy.slug) else f"policy-{policy.id}"  # never a path
        path = folder / f"{name}.md"
        text = export_markdown(policy, get_revision(policy, policy.head_number))
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    return paths


# ---------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------


@dataclass
class PdfJob:
    """A PDF to serve: where it is cached, and how to render it if it is not there yet."""

    path: Path
    filename: str
    build_html: Callable[[], str] = field(repr=False)
    cache: pdf.PdfCache = field(repr=False)
    fetcher: pdf.StaticOnlyFetcher = field(repr=False)
    max_bytes: int | None = None
    #: (kind, policy id, revision numbers, options as a dict): what the worker prepares again.
    spec: tuple = ()
    _html: str | None = field(default=None, repr=False)

    def html(self):
        """The HTML to typeset, built once (tens of milliseconds, no database)."""
        if self._html is None:
            self._html = self.build_html()
        return self._html

    def size(self):
        """The typesetting size of the document (typesetting_size of its HTML)."""
        return typesetting_size(self.html())

    def run(self):
        """The path of the PDF, rendering and caching it first when needed: (path, rendered).

        Raises ValidationError (422) with code export_too_large or export_failed when the PDF
        cannot be made; that outcome is cached as well.
        """
        try:
            return self.cache.produce(self.path, self._write)
        except pdf.RenderError as error:
            raise ValidationError(failure_message(error), code=error.code) from None

    def _write(self, target):
        html = self.html()
        size = typesetting_size(html)
        if self.max_bytes and size > self.max_bytes:
            raise pdf.RenderError("export_too_large", too_large_message(size, self.max_bytes),
                                  params={"size": size, "limit": self.max_bytes})
        return pdf.render_pdf(html, self.fetcher, target)


def typesetting_size(html):
    """How much typesetting `html` costs, in bytes: its UTF-8 length plus CELL_WEIGHT per table cell."""
    return len(html.encode("utf-8")) + CELL_WEIGHT * len(_CELL_RE.findall(html))


def too_large_message(size, limit):
    """Why a document is not typeset while the reader waits, and what to download instead."""
    return gettext("This document is too large to typeset as a PDF: about %(size)s KB of text and tables to set, "
                   "over this site's limit of %(limit)s KB (EXPORT_PDF_MAX_KB). Download the Markdown export "
                   "instead: it has the whole text.", size=format_number(-(-size // 1024)),
                   limit=format_number(limit // 1024))


def failure_message(error):
    """The message of a PDF that cannot be made (pdf.RenderError), in the reader's language: the
    cached failure keeps its code and numbers, the words are chosen when it is shown."""
    params = error.params or {}
    if error.code == "export_too_large" and "size" in params and "limit" in params:
        return too_large_message(int(params["size"]), int(params["limit"]))
    if error.code == "export_failed":
        return str(pdf.FAILED_MESSAGE)
    return error.message


def pdf_max_bytes():
    """EXPORT_PDF_MAX_KB in bytes; None when it is 0 (no limit)."""
    kilobytes = current_app.config.get("EXPORT_PDF_MAX_KB", DEFAULT_MAX_KB)
    return int(kilobytes) * 1024 if kilobytes else None


def pdf_inline_bytes():
    """EXPORT_PDF_INLINE_KB in bytes: the largest typesetting done in the request itself."""
    return int(current_app.config.get("EXPORT_PDF_INLINE_KB", DEFAULT_INLINE_KB)) * 1024


def pdf_cache():
    """The cache of rendered PDFs: config or environment EXPORT_CACHE_DIR, else <instance>/exports
    (under testing, a folder of this process in the system's temporary directory, to keep the
    instance clean: a test that runs a real worker sets EXPORT_CACHE_DIR for both).

    Web processes and workers must see the same folder: on one machine the instance folder is
    shared (it is beside the code); several machines need EXPORT_CACHE_DIR on shared storage
    with working flock() and rename (NFSv4, CephFS…), or their workers' PDFs stay on their disk."""
    folder = current_app.config.get("EXPORT_CACHE_DIR") or os.environ.get("EXPORT_CACHE_DIR")
    if not folder and current_app.testing:
        folder = Path(tempfile.gettempdir()) / f"commonwright-exports-{os.getpid()}"
    return pdf.PdfCache(folder or Path(current_app.instance_path) / "exports")


def static_fetcher():
    """A URL fetcher limited to this app's static files."""
    return pdf.StaticOnlyFetcher(current_app.static_folder, current_app.static_url_path or "/static")


def revision_pdf(policy, revision, options=PdfOptions()):
    """Prepare the PDF of a revision: title page, contents, numbered text, consultation annex.

    Reads the record now; the returned job renders (once) when run. The document is written in
    the policy's language (text_language), whoever reads it.
    """
    language = policy.text_language
    with in_language(language):
        data = record.revision_record(policy, revision, with_rounds=options.annex)
        document = _document_meta(data, gettext("%(title)s — revision %(number)s", title=data["policy"]["title"],
                                                number=revision.number), language)
    stem = f"revision-r{revision.number}-{options.stem()}"
    blocks = [dict(b) for b in revision.blocks if b.get("html")]
    body = revision.body

    def build_html():
        source = textlines.split_lines(body)
        numbered = [{**b, "numbered": lines.number_block(b, source)} for b in blocks]
        with in_language(language):
            return render_print("exports/revision.html", record=data, blocks=numbered, toc=contents(blocks),
                                options=options, doc=document)

    return _job(policy, stem, data, options, build_html, f"{policy.slug}-revision-{revision.number}.pdf",
                ("revision", policy.id, (revision.number,)), language)


def comparison_pdf(policy, old, new, options=PdfOptions()):
    """Prepare the PDF comparing revision `old` with revision `new` (a redline).

    Insertions are underlined, deletions struck through and each line is marked in the
    margin, so it reads in black and white.
    """
    language = policy.text_language
    with in_language(language):
        data = {"policy": record.policy_facts(policy), "assembly": record.assembly_facts(policy.assembly),
                "old": record.revision_facts(old), "new": record.revision_facts(new)}
        document = _document_meta(
            {**data, "revision": data["new"]},
            gettext("%(title)s — revision %(old)s → %(new)s", title=data["policy"]["title"], old=old.number,
                    new=new.number),
            language,
        )
    stem = f"compare-r{old.number}-r{new.number}-{options.stem(comparison=True)}"
    old_body, new_body = old.body, new.body

    def build_html():
        rows = [asdict(row) for row in diffing.side_by_side(old_body, new_body, context=options.context)]
        stats = {kind: sum(1 for row in rows if row["kind"] == kind) for kind in ("replace", "insert", "delete")}
        with in_language(language):
            return render_print("exports/comparison.html", record=data, rows=rows, stats=stats,
                                options=options, doc=document)

    return _job(policy, stem, data, options, build_html,
                f"{policy.slug}-revisions-{old.number}-{new.number}-comparison.pdf",
                ("comparison", policy.id, (old.number, new.number)), language)


def render_print(template, **context):
    """Render a print template with the app's Jinja environment (autoescaped).

    No request context or context processors: it works from the command line, and a render
    after the request closed its database session reads nothing from the database.
    """
    return current_app.jinja_env.get_template(template).render(**context)


def _job(policy, stem, data, options, build_html, filename, what, language):
    """The job of one PDF: its cache file is named by stem and the fingerprint of what it shows
    (and of the size limit, so that a cached 'too large' ends when the limit changes, and of the
    language it is written in, the policy's)."""
    cache, limit = pdf_cache(), pdf_max_bytes()
    digest = pdf.fingerprint(data, {**asdict(options), "max_bytes": limit, "language": language},
                             current_app.root_path)
    return PdfJob(cache.path(policy.id, stem, digest), filename, build_html, cache, static_fetcher(), limit,
                  spec=(*what, asdict(options)))


def prepare_pdf(kind, policy_id, numbers, options):
    """The PdfJob of a PdfJob.spec, prepared again from the database (the worker acts for the
    request that checked the reader's permission). NotFound when the policy or a revision is gone."""
    policy = db.session.get(Policy, policy_id)
    if policy is None:
        raise NotFound(gettext("No such policy."))
    revisions = [get_revision(policy, number) for number in numbers]
    if kind == "revision":
        return revision_pdf(policy, revisions[0], PdfOptions(**options))
    return comparison_pdf(policy, *revisions, PdfOptions(**options))


def _document_meta(data, running_title, language="en"):
    """Title, author, language and the running strings of a printed document (in the language
    spoken: call it inside in_language)."""
    p, rev = data["policy"], data["revision"]
    return {
        "lang": language.replace("_", "-"),
        "title": gettext("%(title)s (revision %(number)s)", title=p["title"], number=rev["number"]),
        "author": data["assembly"]["name"],
        "description": p["summary"],
        "keywords": p["tags"],
        "date": rev["date"],
        "running_title": running_title,
        "reference": gettext("%(assembly)s · policy %(id)s, revision %(number)s of %(day)s",
                             assembly=data["assembly"]["name"], id=p["id"], number=rev["number"], day=rev["day"]),
    }


def contents(blocks):
    """Table-of-contents entries [{level, text, anchor}] from the headings of the text.

    Levels 1-3. A single level-1 heading that opens the text is its title, already on the
    title page: it is left out.
    """
    entries = []
    for block in blocks:
        match = re.match(r"<h([1-6])\b", block["html"])
        if block.get("kind") == "heading" and match and int(match.group(1)) <= 3:
            text = html_lib.unescape(_TAG_RE.sub("", block["html"])).strip()
            entries.append({"level": int(match.group(1)), "text": text, "anchor": f"L{block['line_start']}"})
    top = [e for e in entries if e["level"] == 1]
    if len(top) == 1 and entries and entries[0] is top[0] and len(entries) > 1:
        entries = entries[1:]
    return entries


def pdf_is_cached(policy, revision, options=PdfOptions()):
    """True when some PDF of this revision with these options is on disk (for the page's note)."""
    return revision_pdf_is_cached(policy.id, revision.number, options)


def revision_pdf_is_cached(policy_id, number, options=PdfOptions()):
    """pdf_is_cached from ids: the reading view's cache key asks it without loading anything."""
    return pdf_cache().has_any(policy_id, f"revision-r{number}-{options.stem()}")


# ---------------------------------------------------------------------------
# The pairwise matrix of a ranked question, as CSV
# ---------------------------------------------------------------------------


def round_of_policy(policy, round_id, user):
    """A round of `policy` that `user` may see (404 otherwise, as for its pages), deadlines applied."""
    round_ = rounds.get_round(round_id, user)
    if round_.policy_id != policy.id:
        raise NotFound(gettext("No such round."))
    return round_


def matrix_csv(round_, raw_question=None):
    """(CSV text, file name): the whole pairwise matrix of a ranked question of a closed round.

    `raw_question` is the question's id; without it, the round's first ranked question. 409
    before the round closes (like its results), 404 for a question that is not a ranked one of
    this round, 422 for an id that is not a number. The matrix counts voters, never names them,
    so secret rounds publish it as well.
    """
    ranked = [result.data for result in closing.stored_results(round_) if result.data["kind"] == "ranked"]
    data = _ranked_question(ranked, raw_question)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    policy = round_.policy
    with in_language(policy.text_language):  # an export: its words are the policy's language
        for row in matrix_table(data, option_labels(data)):
            writer.writerow([_csv_cell(value) for value in row])
    return out.getvalue(), f"{policy.slug}-round-{round_.number}-question-{data['question_id']}-pairwise.csv"


def _ranked_question(ranked, raw_question):
    if raw_question is None or str(raw_question).strip() == "":
        if not ranked:
            raise NotFound(gettext("This round had no ranked question."))
        return ranked[0]
    try:
        question_id = int(str(raw_question).strip())
    except ValueError:
        raise ValidationError.field("question", gettext("'%(name)s' must be a whole number.", name="question")) from None
    for data in ranked:
        if data["question_id"] == question_id:
            return data
    raise NotFound(gettext("No such ranked question in this round."))


def _csv_cell(value):
    """A CSV cell that a spreadsheet will not run as a formula (names are typed by members)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value

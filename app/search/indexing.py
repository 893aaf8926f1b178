"""Keep the search index in step with what it indexes, in the same transaction.

An ``after_flush`` hook notes which policies, texts, comments and amendments a flush changed
(in ``session.info``); a ``before_commit`` hook rewrites their rows just before the transaction
commits, so a change and its index rows commit together or not at all, and a request that
flushes a policy five times rewrites its rows once. ``reindex_everything`` rebuilds the whole
index (``flask search reindex``).

What is indexed: a policy's title, summary and tags; the text of every revision, one row each
(kind 'text' for the current one, 'revision' for earlier ones: a new revision turns the old
head's row into a 'revision' row, an UPDATE of its kind that neither FTS5 nor the tsvector
reads, and adds its own, so nothing is stemmed twice); each comment that is not deleted; each
amendment's title, rationale and new wording. Never indexed: ballots, votes, outcomes, e-mail
addresses. A text's `body` keeps its line numbering and its `body_terms` the stems of each line
on a line of their own (on both databases), so the lines a query matches are found without
stemming anything again (services.py).
"""
import re
from itertools import chain

from sqlalchemy import bindparam, case, delete, event, func, inspect, insert, literal_column, select, update
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.orm import Session

from ..amendments.models import Amendment
from ..assemblies.models import Assembly
from ..comments.models import Comment
from ..core.textlines import split_lines
from ..policies.models import Policy, PolicyTag, Revision
from .models import TEXT_KINDS, SearchEntry
from .terms import SNOWBALL, index_terms, line_terms, pg_config

PENDING = "search_pending"

# Markdown marks that are not words: headings, quotes, list markers, emphasis, link targets, tags
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_TAG = re.compile(r"<[^>]{0,200}>")
_MARKS = re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+(?:\[[ xX]\]\s+)?|\d{1,9}[.)]\s+)|[*_~`|]+|!?\[|\]")


def plain_line(line):
    """A Markdown line as the words a reader sees ('## The **land** trust' → 'The land trust')."""
    return " ".join(_MARKS.sub(" ", _TAG.sub(" ", _LINK_TARGET.sub("]", line))).split())


def plain_lines(text):
    """A Markdown text line by line as plain_line makes them: line n is source line n (unlike
    app.core.mdplain.plain_text, which gives one line per block, so line numbers are lost)."""
    return "\n".join(plain_line(line) for line in split_lines(text))


# -- noting what a flush changed ---------------------------------------------------------------

_WATCHED = {Policy: ("title", "summary"), Comment: ("body", "deleted"),
            Amendment: ("title", "rationale", "replacement")}


def _pending(session):
    return session.info.setdefault(PENDING, {"policies": set(), "rows": set(), "texts": set(),
                                             "comments": set(), "amendments": set(), "assemblies": set(),
                                             "gone": set()})


def note_changes(session, flush_context):
    """after_flush hook: remember what this flush changed that the index holds."""
    changed = [obj for obj in chain(session.new, session.dirty) if type(obj) in _INDEXED_TYPES]
    deleted = [obj for obj in session.deleted if type(obj) in _INDEXED_TYPES]
    if not changed and not deleted:
        return
    pending = _pending(session)
    for obj in changed:
        _note_changed(pending, obj, obj in session.new)
    for obj in deleted:
        _note_deleted(pending, obj)


def _changed(obj, names):
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _note_changed(pending, obj, is_new):
    kind = type(obj)
    if kind is Policy and (is_new or _changed(obj, ("language",))):
        pending["policies"].add(obj.id)
    elif kind is Policy:
        if _changed(obj, _WATCHED[Policy]):
            pending["rows"].add(obj.id)
        if _changed(obj, ("head_number",)):
            pending["texts"].add(obj.id)
    elif kind is PolicyTag:
        pending["rows"].add(obj.policy_id)
    elif kind is Revision and is_new:
        pending["texts"].add(obj.policy_id)
    elif kind is Comment and (is_new or _changed(obj, _WATCHED[Comment])):
        pending["comments"].add(obj.id)
    elif kind is Amendment and (is_new or _changed(obj, _WATCHED[Amendment])):
        pending["amendments"].add(obj.id)
    elif kind is Assembly and _changed(obj, ("locale",)):
        pending["assemblies"].add(obj.id)


def _note_deleted(pending, obj):
    kind = type(obj)
    if kind is Policy:
        pending["gone"].add(("policy_id", obj.id))
    elif kind is PolicyTag:
        pending["rows"].add(obj.policy_id)
    elif kind in (Comment, Amendment):
        pending["gone"].add((kind.__name__.lower(), obj.id))


_INDEXED_TYPES = (Policy, PolicyTag, Revision, Comment, Amendment, Assembly)


def write_pending(session):
    """before_commit hook: rewrite the rows of everything the transaction changed (the changes
    not flushed yet are flushed first: commit flushes only after this hook)."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    pending = session.info.pop(PENDING, None)
    if pending:
        _write(session, pending)


def forget_pending(session, previous_transaction):
    """after_soft_rollback hook: nothing of a rolled-back transaction is indexed (a savepoint's
    rollback keeps the list: rewriting rows of objects that did not change is harmless)."""
    if not previous_transaction.nested:
        session.info.pop(PENDING, None)


def _write(session, pending):
    for column, value in sorted(pending["gone"]):
        if column == "policy_id":
            session.execute(delete(SearchEntry).where(SearchEntry.policy_id == value))
        else:
            _delete_object_rows(session, column, value)
    whole = pending["policies"] | _policies_in_assembly_language(session, pending["assemblies"])
    for policy in _load(session, Policy, whole):
        index_policy(session, policy)
    for policy in _load(session, Policy, pending["rows"] - whole):
        index_policy_row(session, policy)
    for policy in _load(session, Policy, pending["texts"] - whole):
        index_texts(session, policy)
    for comment in _load(session, Comment, pending["comments"]):
        if comment.policy_id not in whole:
            index_comment(session, comment)
    for amendment in _load(session, Amendment, pending["amendments"]):
        if amendment.policy_id not in whole:
            index_amendment(session, amendment)


def _policies_in_assembly_language(session, assembly_ids):
    """The policies written in their assembly's language (a change of it changes their stems)."""
    if not assembly_ids:
        return set()
    return set(session.scalars(select(Policy.id).where(Policy.assembly_id.in_(assembly_ids),
                                                       Policy.language.is_(None))))


def _load(session, model, ids):
    objects = (session.get(model, value) for value in sorted(ids))
    return [obj for obj in objects if obj is not None]


# -- writing rows ----------------------------------------------------------------------------

def index_policy(session, policy):
    """Every row of `policy`: itself, the text of every revision, its comments and amendments."""
    session.execute(delete(SearchEntry).where(SearchEntry.policy_id == policy.id))
    rows = [_policy_row(session, policy), *_text_rows(session, policy, _revision_numbers(session, policy))]
    rows += [_comment_row(comment, policy) for comment in _comments(session, policy)]
    rows += [_amendment_row(amendment, policy) for amendment in _amendments(session, policy)]
    _insert(session, policy, rows)


def index_policy_row(session, policy):
    """The row of the policy itself (title, summary, tags)."""
    _delete_object_rows(session, "policy", policy.id)
    _insert(session, policy, [_policy_row(session, policy)])


def index_texts(session, policy):
    """After a new head: the old head's row becomes a 'revision' row, and every revision without
    a row (the new head; one made and superseded in the same transaction) gets its own."""
    texts = (SearchEntry.policy_id == policy.id, SearchEntry.kind.in_(TEXT_KINDS))
    session.execute(update(SearchEntry).where(*texts, SearchEntry.kind == "text",
                                              SearchEntry.revision_number != policy.head_number)
                    .values(kind="revision"))
    indexed = set(session.scalars(select(SearchEntry.revision_number).where(*texts)))
    numbers = [number for number in _revision_numbers(session, policy) if number not in indexed]
    _insert(session, policy, _text_rows(session, policy, numbers))


def index_comment(session, comment):
    """The row of one comment (none for a deleted one)."""
    _delete_object_rows(session, "comment", comment.id)
    if not comment.deleted:
        _insert(session, comment.policy, [_comment_row(comment, comment.policy)])


def index_amendment(session, amendment):
    """The row of one amendment."""
    _delete_object_rows(session, "amendment", amendment.id)
    _insert(session, amendment.policy, [_amendment_row(amendment, amendment.policy)])


def reindex_everything(session):
    """Rebuild the whole index; returns the number of rows written."""
    session.execute(delete(SearchEntry))
    for policy in session.scalars(select(Policy).order_by(Policy.id)):
        index_policy(session, policy)
    return session.scalar(select(func.count()).select_from(SearchEntry))


def _delete_object_rows(session, kind, object_id):
    session.execute(delete(SearchEntry).where(SearchEntry.kind == kind, SearchEntry.object_id == object_id))


def _row(policy, kind, object_id, title, body, **extra):
    return {"kind": kind, "object_id": object_id, "assembly_id": policy.assembly_id, "policy_id": policy.id,
            "language": policy.text_language, "title": title, "body": body, "line": None,
            "revision_number": None, **extra}


def _policy_row(session, policy):
    tags = session.scalars(select(PolicyTag.name).where(PolicyTag.policy_id == policy.id).order_by(PolicyTag.name))
    return _row(policy, "policy", policy.id, policy.title, "\n".join(filter(None, [policy.summary, *tags])))


def _text_rows(session, policy, numbers):
    """One row per revision in `numbers`: 'text' for the head, 'revision' for the others."""
    revisions = session.execute(select(Revision.number, Revision.body).where(
        Revision.policy_id == policy.id, Revision.number.in_(numbers))).all() if numbers else []
    return [_row(policy, "text" if number == policy.head_number else "revision", policy.id, "", plain_lines(body),
                 revision_number=number) for number, body in revisions]


def _revision_numbers(session, policy):
    """The numbers of every revision of the policy."""
    return list(session.scalars(select(Revision.number).where(Revision.policy_id == policy.id)))


def _comments(session, policy):
    return session.scalars(select(Comment).where(Comment.policy_id == policy.id, Comment.deleted.is_(False)))


def _amendments(session, policy):
    return session.scalars(select(Amendment).where(Amendment.policy_id == policy.id))


def _comment_row(comment, policy):
    return _row(policy, "comment", comment.id, "", plain_lines(comment.body), line=comment.line_start,
                revision_number=comment.revision_number)


def _amendment_row(amendment, policy):
    body = "\n".join(filter(None, [plain_lines(amendment.rationale), plain_lines(amendment.replacement)]))
    return _row(policy, "amendment", amendment.id, amendment.title, body, line=amendment.line_start)


def _insert(session, policy, rows):
    """Insert `rows` with their stems and, on PostgreSQL, their tsvector. Only a policy's texts
    keep their words in the row (their hits show a line of them); the others' snippets come
    from the comment, amendment or policy itself, which keeps the rows a match reads narrow.
    PostgreSQL keeps no stems but the texts' (each line's, to find the lines a query meets)."""
    if not rows:
        return
    postgres = session.get_bind().dialect.name == "postgresql"
    for row in rows:
        text_kind = row["kind"] in TEXT_KINDS
        row["index_title"], row["index_body"], row["index_language"] = row["title"], row["body"], row["language"]
        row["title_terms"] = None if postgres else index_terms(row["title"], row["language"])
        row["body_terms"] = line_terms(row["body"], row["language"]) if text_kind or not postgres else None
        if not text_kind:
            row["title"] = row["body"] = ""
    statement = insert(SearchEntry)
    if postgres:
        statement = statement.values(document=pg_document(bindparam("index_title"), bindparam("index_body"),
                                                           bindparam("index_language")))
    else:
        rows = [{key: value for key, value in row.items() if not key.startswith("index_")} for row in rows]
    session.execute(statement, rows)


def pg_configuration(column):
    """The regconfig of a row's language on PostgreSQL ('simple' for a language without one)."""
    whens = {language: regconfig(pg_config(language)) for language in SNOWBALL}
    return case(whens, value=column, else_=regconfig("simple"))


def regconfig(name):
    """A configuration's name as a regconfig constant (names come from terms.SNOWBALL only)."""
    return literal_column(f"'{name}'::regconfig", REGCONFIG)


def pg_document(title, body, language):
    """The tsvector of a row: its title weighs most (A), then its body."""
    config = pg_configuration(language)
    weighted = func.setweight(func.to_tsvector(config, func.unaccent(title)), literal_column("'A'::\"char\""))
    return weighted.op("||")(func.to_tsvector(config, func.unaccent(body)))


def init_indexing():
    """Connect the session hooks (once)."""
    for name, listener in (("after_flush", note_changes), ("before_commit", write_pending),
                           ("after_soft_rollback", forget_pending)):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)

"""The translation catalogs: extract the messages from the code, update each language's ``.po``,
compile the ``.mo`` files, and check that every language is complete.

Two domains: ``messages`` (Python and the Jinja templates) and ``js`` (the browser scripts of
``app/static/js`` and the editor's sources in ``frontend/src``). ``flask translations`` wraps
these functions; tests call them directly.
"""
from io import BytesIO
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from flask.cli import AppGroup

from .i18n import LANGUAGES, TRANSLATIONS

ROOT = TRANSLATIONS.parent.parent
KEYWORDS = {
    "_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "lazy_ngettext": (1, 2),
    "pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3), "lazy_pgettext": ((1, "c"), 2),
}
#: (domain, folder under the project, Babel method map)
SOURCES = {
    "messages": [
        ("app", [("**/static/**", "ignore"), ("**.py", "python"), ("**/templates/**.html", "jinja2")]),
    ],
    "js": [
        ("app/static/js", [("*.js", "javascript")]),
        ("frontend/src", [("*.js", "javascript")]),
    ],
}
JINJA_OPTIONS = {"extensions": "jinja2.ext.do", "trimmed": "true"}
TRANSLATED_LANGUAGES = [code for code in LANGUAGES if code != "en"]


def po_path(code, domain):
    """The .po file of language `code` for `domain`."""
    return TRANSLATIONS / code / "LC_MESSAGES" / f"{domain}.po"


def extract(domain):
    """A fresh template catalog of every message `domain`'s sources use."""
    catalog = Catalog(project="Commonwright", copyright_holder="Commonwright contributors", fuzzy=False)
    for folder, method_map in SOURCES[domain]:
        options = {"**/templates/**.html": JINJA_OPTIONS}
        for filename, lineno, message, comments, context in extract_from_dir(
            ROOT / folder, method_map, options_map=options, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
            strip_comment_tags=True,
        ):
            catalog.add(message, None, [(f"{folder}/{filename}", lineno)], auto_comments=comments, context=context)
    return catalog


def read_catalog(code, domain):
    """The catalog of `code` for `domain` (an empty one if the file does not exist yet)."""
    path = po_path(code, domain)
    if not path.exists():
        return Catalog(locale=code, domain=domain)
    with path.open("rb") as handle:
        return read_po(handle, locale=code, domain=domain)


def write_catalog(catalog, code, domain):
    """Write `catalog` as the .po of `code`, sorted by message so diffs stay small."""
    path = po_path(code, domain)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=True, include_previous=True)


def update_catalogs():
    """Merge the freshly extracted messages into every language's .po (new ones empty, gone
    ones marked obsolete), then compile. Returns {code: untranslated count}."""
    missing = {}
    for domain in SOURCES:
        template = extract(domain)
        for code in TRANSLATED_LANGUAGES:
            catalog = read_catalog(code, domain)
            catalog.update(template, update_header_comment=False, no_fuzzy_matching=True)
            catalog.obsolete.clear()
            write_catalog(catalog, code, domain)
            missing[code] = missing.get(code, 0) + len(untranslated(catalog))
    compile_catalogs()
    return missing


def compiled_bytes(catalog):
    """The .mo bytes of `catalog` (fuzzy entries left out, as gettext does)."""
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def mo_path(code, domain):
    return po_path(code, domain).with_suffix(".mo")


def compile_catalogs():
    """Write the .mo of every language and domain from its .po."""
    for domain in SOURCES:
        for code in TRANSLATED_LANGUAGES:
            mo_path(code, domain).write_bytes(compiled_bytes(read_catalog(code, domain)))


def untranslated(catalog):
    """The ids of entries that are empty (any plural form too) or fuzzy."""
    ids = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if message.fuzzy or not all(strings):
            ids.append(message.id if isinstance(message.id, str) else message.id[0])
    return ids


def check_catalogs():
    """Problems that make a language incomplete, as sentences: a message the code uses that a
    catalog lacks, an empty or fuzzy entry, a placeholder the translation drops or invents, or
    a stale .mo. Empty when every language is complete."""
    problems = []
    for domain in SOURCES:
        wanted = {message.id if isinstance(message.id, str) else message.id[0] for message in extract(domain) if message.id}
        for code in TRANSLATED_LANGUAGES:
            catalog = read_catalog(code, domain)
            have = {message.id if isinstance(message.id, str) else message.id[0] for message in catalog if message.id}
            problems += [f"{code}/{domain}: missing {msgid!r}" for msgid in sorted(wanted - have)]
            problems += [f"{code}/{domain}: untranslated {msgid!r}" for msgid in untranslated(catalog)]
            problems += [f"{code}/{domain}: {error}" for error in placeholder_errors(catalog)]
            mo = mo_path(code, domain)
            if not mo.exists() or mo.read_bytes() != compiled_bytes(catalog):
                problems.append(f"{code}/{domain}: {mo.name} is not compiled from the .po (flask translations compile)")
    return problems


def placeholder_errors(catalog):
    """Entries whose translation does not use exactly the placeholders of its msgid."""
    import re

    pattern = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")

    def names(text):
        return {a or b for a, b in pattern.findall(text or "")}

    errors = []
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        ids = message.id if isinstance(message.id, (list, tuple)) else [message.id]
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        expected = set().union(*(names(text) for text in ids))
        for text in strings:
            if text and names(text) - expected:
                errors.append(f"{ids[0]!r}: the translation uses {sorted(names(text) - expected)}")
            elif text and len(ids) == 1 and names(text) != expected:
                errors.append(f"{ids[0]!r}: the translation drops {sorted(expected - names(text))}")
    return errors


#: a fragment's key "context\x04msgid" names a message marked with pgettext (gettext's own form)
CONTEXT_SEPARATOR = "\x04"


def apply_translations(fragment, overwrite=True):
    """Fill the .po files from `fragment`: {domain: {msgid: {code: text, or [singular, plural]
    for a plural message}}} (JSON files written by translators working outside a .po editor;
    a message with a context is keyed "context\x04msgid").
    A plural message with fewer forms than the language has repeats its last form (Spanish,
    French, Italian and Portuguese have a third "many" form, used from a million on). Messages
    the catalog does not have are skipped and returned."""
    skipped = []
    for domain, entries in fragment.items():
        for code in TRANSLATED_LANGUAGES:
            catalog = read_catalog(code, domain)
            for key, texts in entries.items():
                context, _, msgid = key.rpartition(CONTEXT_SEPARATOR)
                text = texts.get(code)
                message = catalog.get(msgid, context=context or None)
                if not text:
                    continue
                if message is None:
                    skipped.append(f"{code}/{domain}: {msgid!r}")
                    continue
                if message.string and any(message.string if isinstance(message.string, tuple) else [message.string]) and not overwrite:
                    continue
                if message.pluralizable:
                    forms = list(text) if isinstance(text, list) else [text]
                    wanted = catalog.num_plurals
                    message.string = tuple((forms + [forms[-1]] * wanted)[:wanted])
                else:
                    message.string = text if isinstance(text, str) else text[-1]
                message.flags.discard("fuzzy")
            write_catalog(catalog, code, domain)
    compile_catalogs()
    return skipped


PSEUDO_MARKS = ("⟦", "⟧")


def write_pseudo_catalogs(directory, code, marks=PSEUDO_MARKS):
    """Compile, under `directory`, catalogs of the pseudo-locale `code` that translate every
    message of the code as itself between `marks`: a page shown in it reveals, as text outside
    the marks, every string that was never marked for translation (tests/browser)."""
    start, end = marks
    for domain in SOURCES:
        catalog = Catalog(locale="en", domain=domain)
        for message in extract(domain):
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = tuple(f"{start}{text}{end}" for text in ids)
            catalog.add(message.id, strings if message.pluralizable else strings[0], context=message.context)
        target = Path(directory) / code / "LC_MESSAGES" / f"{domain}.mo"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(compiled_bytes(catalog))


translations_cli = AppGroup("translations", help="Interface languages: update, compile and check the catalogs.")


@translations_cli.command("update")
def update_command():
    """Extract the messages from the code into every language's .po, and compile."""
    for code, count in update_catalogs().items():
        click.echo(f"{code}: {count} message(s) to translate in app/translations/{code}/LC_MESSAGES/")


@translations_cli.command("import")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
def import_command(files):
    """Fill the catalogs from JSON files of translations (see apply_translations)."""
    import json

    for name in files:
        with open(name, encoding="utf-8") as handle:
            skipped = apply_translations(json.load(handle))
        for line in skipped:
            click.echo(f"{name}: not in the catalog: {line}", err=True)
    click.echo("imported")


@translations_cli.command("compile")
def compile_command():
    """Compile every .po into its .mo."""
    compile_catalogs()
    click.echo("compiled")


@translations_cli.command("check")
def check_command():
    """Fail unless every language translates every message the code uses."""
    problems = check_catalogs()
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(f"{len(problems)} problem(s) in the catalogs")
    click.echo(f"every message translated in {', '.join(TRANSLATED_LANGUAGES)}")


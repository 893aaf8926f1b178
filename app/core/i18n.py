"""Languages and time zones (Flask-Babel).

Pages are in the member's own language, else the one a visitor picked in the footer, else the
browser's Accept-Language, else the assembly's default, else English. Times are shown in the
member's time zone, else the assembly's, else UTC. A view that shows an assembly's page calls
:func:`use_assembly` so that its defaults apply.

Catalogs live in ``app/translations/<code>/LC_MESSAGES/``: ``messages`` for Python and
templates, ``js`` for the browser's scripts (sent to each page as JSON, :func:`js_catalog`).
The ``.po`` files are the source; the compiled ``.mo`` files are committed beside them and a
test checks that they are current (``flask translations compile`` rebuilds them).
"""
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import pytz
from babel import Locale, negotiate_locale
from babel.support import Translations
from flask import current_app, g, has_request_context, request, session
from flask_babel import Babel, force_locale, get_locale, get_timezone, gettext, refresh
from flask_login import current_user

#: the interface languages, by code, each named in itself
LANGUAGES = {
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "de": "Deutsch",
    "it": "Italiano",
    "pt": "Português",
}
#: the languages a policy's text may be written in (its `lang`, PDF hyphenation, search
#: stemming): the interface languages and neighbours whose assemblies write in their own
TEXT_LANGUAGES = ("en", "es", "fr", "de", "it", "pt", "ca", "gl", "eu", "nl")
DEFAULT_LOCALE = "en"
DEFAULT_TIMEZONE = "UTC"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
SESSION_KEY = "locale"

babel = Babel()


def supported_locales():
    """The codes pages may be shown in (testing may add a pseudo-locale, PSEUDO_LOCALE)."""
    codes = list(LANGUAGES)
    pseudo = current_app.config.get("PSEUDO_LOCALE")
    if pseudo:
        codes.append(pseudo)
    return codes


def is_locale(code):
    """True for a supported interface language code."""
    return isinstance(code, str) and code in supported_locales()


@cache
def _zone_names():
    return frozenset(available_timezones())


def language_and_zone_errors(locale, timezone, check_locale=True, check_timezone=True):
    """Field errors for a language code (one of LANGUAGES) and an IANA zone name; a value whose
    check is switched off is not looked at (a choice being kept or cleared)."""
    errors = {}
    if check_locale and not (isinstance(locale, str) and locale in LANGUAGES):
        errors["locale"] = gettext("Choose one of the languages: %(codes)s.", codes=", ".join(LANGUAGES))
    if check_timezone and not is_timezone(timezone):
        errors["timezone"] = gettext("Give a time zone by its IANA name, such as Europe/Madrid.")
    return errors


def is_timezone(name):
    """True for an IANA time zone name this machine knows ('Europe/Madrid', 'UTC')."""
    if not isinstance(name, str) or name not in _zone_names() and name != "UTC":
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def timezone_choices():
    """The IANA zones people live in (pytz's common list, no legacy aliases), sorted, for a
    form's list; any other IANA name is still accepted through the API."""
    return sorted(set(pytz.common_timezones) & _zone_names() | {"UTC"})


def use_assembly(assembly):
    """Let `assembly`'s default language and time zone apply to this request's page (when the
    person has not chosen their own). get_assembly calls it for every view that loads one."""
    if assembly is None or not has_request_context():
        return
    defaults = (getattr(assembly, "locale", None), getattr(assembly, "timezone", None))
    if g.get("context_assembly") != defaults:
        g.context_assembly = defaults
        refresh()


def assembly_defaults():
    """(locale, time zone) of the assembly this request is about: the one a view loaded, else the
    one the URL names (one small query, only when a choice falls back to it), else (None, None)."""
    if not has_request_context():
        return None, None
    if "context_assembly" not in g:
        slug = (request.view_args or {}).get("slug")
        lookup = current_app.extensions.get("commonwright_assembly_defaults")
        g.context_assembly = lookup(slug) if lookup and isinstance(slug, str) else (None, None)
    return g.context_assembly


def _signed_in_user():
    """The person this request speaks to: the browser's session, or the API's bearer token."""
    if not has_request_context():
        return None
    if getattr(g.get("user"), "is_authenticated", False):
        return g.user
    try:
        user = current_user._get_current_object()
    except (AttributeError, RuntimeError):
        return None
    return user if getattr(user, "is_authenticated", False) else None


def choose_locale(own, chosen, accept_languages, assembly_locale, codes):
    """The language to speak: the member's `own`, else the visitor's `chosen` one, else the best
    of the browser's `accept_languages` (a werkzeug LanguageAccept), else the assembly's, else
    English; each only when it is one of `codes`. Pure: the page cache keys on it too."""
    for code in (own, chosen):
        if code in codes:
            return code
    best = _best_accepted(accept_languages, codes)
    if best:
        return best
    return assembly_locale if assembly_locale in codes else DEFAULT_LOCALE


def _best_accepted(accept_languages, codes):
    """The first of the browser's languages, by preference, that we speak: 'es-ES, en' is
    Spanish (a region falls back to its language before the next language is tried)."""
    if not accept_languages:
        return None
    preferred = [value for value, quality in sorted(accept_languages, key=lambda item: -item[1]) if quality > 0]
    best = negotiate_locale(preferred, codes, sep="-", aliases={})
    return {code.lower(): code for code in codes}.get(best.lower()) if best else None


def choose_timezone(own, assembly_zone):
    """The zone to show times in: the member's, else the assembly's, else UTC."""
    for name in (own, assembly_zone):
        if is_timezone(name):
            return name
    return DEFAULT_TIMEZONE


def select_locale():
    """Flask-Babel's locale selector: the order of the module's docstring."""
    user = _signed_in_user()
    if not has_request_context():
        return DEFAULT_LOCALE
    own = getattr(user, "locale", None)
    codes = supported_locales()
    if own in codes:
        return own
    chosen = session.get(SESSION_KEY)
    if chosen not in codes and not request.accept_languages.best_match(codes):
        return choose_locale(None, None, None, assembly_defaults()[0], codes)
    return choose_locale(None, chosen, request.accept_languages, None, codes)


def select_timezone():
    """Flask-Babel's time zone selector: the member's, else the assembly's, else UTC."""
    user = _signed_in_user()
    own = getattr(user, "timezone", None)
    if is_timezone(own):
        return own
    return choose_timezone(None, assembly_defaults()[1])


def page_direction(locale=None):
    """'rtl' for a right-to-left language, else 'ltr' (for <html dir>)."""
    locale = locale or get_locale()
    return "rtl" if locale is not None and locale.character_order == "right-to-left" else "ltr"


def current_locale_code():
    """The code of the language this request speaks ('en', 'es', …)."""
    locale = get_locale()
    return str(locale) if locale is not None else DEFAULT_LOCALE


def locale_for_user(user, assembly=None):
    """The language to write to `user` in (mail): their own, else the assembly's, else English."""
    code = getattr(user, "locale", None)
    if code in LANGUAGES:
        return code
    code = getattr(assembly, "locale", None)
    return code if code in LANGUAGES else DEFAULT_LOCALE


def in_language(code):
    """A context manager: gettext and the formatters speak `code` inside it (exports)."""
    return force_locale(code if code in LANGUAGES or code == current_app.config.get("PSEUDO_LOCALE") else DEFAULT_LOCALE)


def zone_for_user(user, assembly=None):
    """The time zone to write to `user` in: their own, else the assembly's, else UTC."""
    return choose_timezone(getattr(user, "timezone", None), getattr(assembly, "timezone", None))


@contextmanager
def speaking(code, zone_name=None):
    """gettext and the formatters speak `code`, and times are in `zone_name`, inside it: mail and
    notifications written for someone else than the person making the request."""
    from flask_babel import _get_current_context

    with in_language(code):
        ctx = _get_current_context()
        if ctx is None or zone_name is None:
            yield
            return
        before = getattr(ctx, "babel_tzinfo", None)
        ctx.babel_tzinfo = pytz.timezone(zone_name if is_timezone(zone_name) else DEFAULT_TIMEZONE)
        try:
            yield
        finally:
            ctx.babel_tzinfo = before


def zone_of(name):
    """ZoneInfo for an IANA name, UTC for anything unknown."""
    return ZoneInfo(name) if is_timezone(name) else ZoneInfo("UTC")


def current_zone_name():
    """The IANA name of the zone this request shows times in."""
    return str(get_timezone())


def text_language_names():
    """[(code, name)] of TEXT_LANGUAGES, each named in itself ('català', 'euskara')."""
    return [(code, Locale.parse(code).get_display_name(code).capitalize()) for code in TEXT_LANGUAGES]


def locale_names():
    """[{code, name}] of the interface languages, for GET /api/v1/locales and the switcher."""
    return [{"code": code, "name": name} for code, name in LANGUAGES.items()]


@cache
def _js_catalog(code, mtime, directories=(str(TRANSLATIONS),)):
    catalog = {}
    for directory in directories:
        catalog.update(getattr(Translations.load(directory, [code], domain="js"), "_catalog", {}))
    if not catalog:
        return {}
    plural_categories = _gettext_plural_categories(code)
    messages, plurals = {}, {}
    for key, text in catalog.items():
        if isinstance(key, tuple):
            msgid, index = key
            if index < len(plural_categories):
                plurals.setdefault(msgid, {})[plural_categories[index]] = text
        elif key:
            messages[key] = text
    messages.update(plurals)
    return messages


def _gettext_plural_categories(code):
    """The CLDR category of each gettext plural index for `code` (Babel orders them so)."""
    order = ("zero", "one", "two", "few", "many", "other")
    tags = Locale.parse(code).plural_form.tags
    return [tag for tag in order if tag in tags] + ["other"]


def js_catalog():
    """{msgid: translation} for the browser scripts in this request's language (plural entries
    map CLDR categories, as Intl.PluralRules names them, to their forms). English is empty: the
    scripts' own words are English."""
    code = current_locale_code()
    directories = translation_directories(current_app)
    paths = [Path(directory) / code / "LC_MESSAGES" / "js.mo" for directory in directories]
    found = [path for path in paths if path.exists()]
    if code == DEFAULT_LOCALE or not found:
        return {}
    return _js_catalog(code, max(path.stat().st_mtime for path in found), tuple(directories))


def translation_directories(app):
    """The catalogs' folders: app/translations, then any EXTRA_TRANSLATION_DIRECTORIES (tests
    put a generated pseudo-locale there)."""
    return [str(TRANSLATIONS), *app.config.get("EXTRA_TRANSLATION_DIRECTORIES", ())]


def init_i18n(app, assembly_defaults_by_slug=None):
    """Bind Flask-Babel with the selectors and the catalogs' folder. `assembly_defaults_by_slug`
    (slug -> (locale, zone)) lets a page whose URL names an assembly fall back to its defaults
    without app.core importing a domain."""
    app.extensions["commonwright_assembly_defaults"] = assembly_defaults_by_slug
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", DEFAULT_TIMEZONE)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_directories(app))
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    # {% trans %} blocks collapse their whitespace, as the extractor does (catalogs.JINJA_OPTIONS)
    app.jinja_env.policies["ext.i18n.trimmed"] = True

"""A member's language and time zone (app.core.i18n chooses with them)."""
from flask_babel import gettext, refresh

from ..core.errors import ValidationError
from ..core.events import log_event
from ..core.i18n import language_and_zone_errors

#: "not given": the choice stays as it is
KEEP = object()


def set_language_and_zone(user, locale=KEEP, timezone=KEEP, via="account"):
    """Set `user`'s interface language (a code of LANGUAGES) and IANA time zone. KEEP leaves a
    choice as it is; None or "" clears it (the browser's language, the assembly's zone). 422,
    naming each bad field, for an unknown language or zone; nothing is changed then."""
    locale = _cleared(locale)
    timezone = _cleared(timezone)
    errors = language_and_zone_errors(locale, timezone, check_locale=locale not in (KEEP, None),
                                      check_timezone=timezone not in (KEEP, None))
    if errors:
        raise ValidationError(gettext("Some fields need attention."), fields=errors)
    changed = {}
    if locale is not KEEP and locale != user.locale:
        user.locale = changed["locale"] = locale
    if timezone is not KEEP and timezone != user.timezone:
        user.timezone = changed["timezone"] = timezone
    if changed:
        log_event(user, "account.language_chosen", user, via=via, **changed)
        refresh()  # this very response speaks the new choice
    return user


def _cleared(value):
    if value is KEEP:
        return KEEP
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value.strip() if isinstance(value, str) else value

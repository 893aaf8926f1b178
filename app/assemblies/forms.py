"""Assembly forms."""
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..core.i18n import locale_names, timezone_choices
from .models import ROLE_CHOICES, ROLES


class LanguageAndZoneFields:
    """An assembly's default language and time zone: the pages of people who chose neither
    speak this language, and deadlines are entered and shown in this zone."""
    locale = SelectField(lazy_gettext("Default language"), choices=[], validate_choice=False)
    timezone = SelectField(lazy_gettext("Time zone"), choices=[], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fill_language_choices()

    def fill_language_choices(self):
        self.locale.choices = [(entry["code"], entry["name"]) for entry in locale_names()]
        self.timezone.choices = [(name, name.replace("_", " ")) for name in timezone_choices()]


class AssemblyForm(LanguageAndZoneFields, FlaskForm):
    name = StringField(lazy_gettext("Name"), validators=[DataRequired(), Length(max=120)])
    slug = StringField(lazy_gettext("Web address (optional: made from the name)"), validators=[Optional(), Length(max=64)])
    description = TextAreaField(lazy_gettext("Description"), validators=[Optional(), Length(max=5000)])
    is_public = BooleanField(lazy_gettext("Public: anyone can read its policies (only members take part)"))


class SettingsForm(LanguageAndZoneFields, FlaskForm):
    name = StringField(lazy_gettext("Name"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(lazy_gettext("Description"), validators=[Optional(), Length(max=5000)])
    is_public = BooleanField(lazy_gettext("Public: anyone can read its policies (only members take part)"))


class MemberForm(FlaskForm):
    email = EmailField(lazy_gettext("E-mail of a registered user"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(lazy_gettext("Role"), choices=[SelectChoice(r, ROLE_CHOICES[r]) for r in ROLES], default="member")

"""Policy forms. Length limits are checked by the services, which answer in the form."""
from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from ..core.i18n import LANGUAGES, text_language_names


class TextLanguageField(SelectField):
    """The language a policy's text is written in; "" = the assembly's default."""

    def __init__(self, **kwargs):
        super().__init__(lazy_gettext("Language of the text"), choices=[], validate_choice=False, **kwargs)


def fill_text_languages(form, assembly):
    """The language choices, the first naming the assembly's default."""
    default = LANGUAGES.get(assembly.locale, assembly.locale)
    form.language.choices = [("", gettext("The assembly's language (%(language)s)", language=default))] + \
        text_language_names()


class PolicyForm(FlaskForm):
    title = StringField(lazy_gettext("Title"), validators=[DataRequired()])
    summary = TextAreaField(lazy_gettext("Summary (one or two sentences)"), validators=[Optional()])
    tags = StringField(lazy_gettext("Tags (separated by commas)"), validators=[Optional()])
    body = TextAreaField(lazy_gettext("Text (Markdown; one sentence per line works best)"), validators=[DataRequired()])
    language = TextLanguageField()


class DetailsForm(FlaskForm):
    title = StringField(lazy_gettext("Title"), validators=[DataRequired()])
    summary = TextAreaField(lazy_gettext("Summary"), validators=[Optional()])
    tags = StringField(lazy_gettext("Tags (separated by commas)"), validators=[Optional()])
    language = TextLanguageField()


class StatusForm(FlaskForm):
    status = SelectField(lazy_gettext("Status"), choices=[
        SelectChoice("draft", lazy_gettext("Draft")), SelectChoice("adopted", lazy_gettext("Adopted")),
        SelectChoice("archived", lazy_gettext("Archived")),
    ])


class EditForm(FlaskForm):
    body = TextAreaField(lazy_gettext("Text (Markdown)"), validators=[DataRequired()])
    base = IntegerField(widget=HiddenField.widget, validators=[DataRequired()])
    message = StringField(lazy_gettext("What did you change? (a short message for the history)"), validators=[Optional()])

"""Account forms."""
from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from ..core.i18n import locale_names, timezone_choices


class RegisterForm(FlaskForm):
    email = EmailField(lazy_gettext("E-mail"), validators=[DataRequired(), Length(max=254)])
    name = StringField(lazy_gettext("Display name"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(lazy_gettext("Password (at least 10 characters)"), validators=[DataRequired(), Length(min=10, max=1000)])


class LoginForm(FlaskForm):
    email = EmailField(lazy_gettext("E-mail"), validators=[DataRequired()])
    password = PasswordField(lazy_gettext("Password"), validators=[DataRequired()])


class PasswordForm(FlaskForm):
    current = PasswordField(lazy_gettext("Current password"), validators=[DataRequired()])
    new = PasswordField(lazy_gettext("New password (at least 10 characters)"), validators=[DataRequired(), Length(min=10, max=1000)])


class ResetRequestForm(FlaskForm):
    email = EmailField(lazy_gettext("E-mail"), validators=[DataRequired(), Length(max=254)])


class ResetForm(FlaskForm):
    new = PasswordField(lazy_gettext("New password (at least 10 characters)"), validators=[DataRequired(), Length(min=10, max=1000)])


class CodeForm(FlaskForm):
    code = StringField(lazy_gettext("Code from your authenticator app, or a recovery code"),
                       validators=[DataRequired(), Length(max=40)])


class SetupCodeForm(FlaskForm):
    code = StringField(lazy_gettext("The 6-digit code your authenticator app shows"), validators=[DataRequired(), Length(max=40)])
    password = PasswordField(lazy_gettext("Your password"), validators=[DataRequired()])


class TotpDisableForm(FlaskForm):
    password = PasswordField(lazy_gettext("Password"), validators=[DataRequired()])
    code = StringField(lazy_gettext("Code from your authenticator app, or a recovery code"),
                       validators=[DataRequired(), Length(max=40)])


class MailForm(FlaskForm):
    digest = RadioField(lazy_gettext("Other notifications (new rounds, changed lines, rival amendments…)"), choices=[
        SelectChoice("daily", lazy_gettext("Every day (a digest)")), SelectChoice("weekly", lazy_gettext("Once a week")),
        SelectChoice("off", lazy_gettext("Never — only on the site"))],
        validators=[InputRequired(message=lazy_gettext("Choose how often."))])
    mail_personal = BooleanField(lazy_gettext("Mail me at once about what concerns me personally"))


class LanguageForm(FlaskForm):
    """A member's interface language and time zone ("" = not chosen: the browser's language,
    each assembly's zone). Choices are filled per request, in the page's language."""
    locale = SelectField(lazy_gettext("Language"), choices=[], validate_choice=False)
    timezone = SelectField(lazy_gettext("Time zone"), choices=[], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = [("", gettext("The browser's language"))] + [
            (entry["code"], entry["name"]) for entry in locale_names()]
        self.timezone.choices = [("", gettext("Each assembly's time zone"))] + [
            (name, name.replace("_", " ")) for name in timezone_choices()]

"""Account forms."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length


class RegisterForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    name = StringField("Display name", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Password (at least 10 characters)", validators=[DataRequired(), Length(min=10, max=1000)])


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


class PasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired()])
    new = PasswordField("New password (at least 10 characters)", validators=[DataRequired(), Length(min=10, max=1000)])


class ResetRequestForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])


class ResetForm(FlaskForm):
    new = PasswordField("New password (at least 10 characters)", validators=[DataRequired(), Length(min=10, max=1000)])


class CodeForm(FlaskForm):
    code = StringField("Code from your authenticator app, or a recovery code",
                       validators=[DataRequired(), Length(max=40)])


class SetupCodeForm(FlaskForm):
    code = StringField("The 6-digit code your authenticator app shows", validators=[DataRequired(), Length(max=40)])
    password = PasswordField("Your password", validators=[DataRequired()])


class TotpDisableForm(FlaskForm):
    password = PasswordField("Password", validators=[DataRequired()])
    code = StringField("Code from your authenticator app, or a recovery code",
                       validators=[DataRequired(), Length(max=40)])


class MailForm(FlaskForm):
    digest = RadioField("Other notifications (new rounds, changed lines, rival amendments…)", choices=[
        SelectChoice("daily", "Every day (a digest)"), SelectChoice("weekly", "Once a week"),
        SelectChoice("off", "Never — only on the site")],
        validators=[InputRequired(message="Choose how often.")])
    mail_personal = BooleanField("Mail me at once about what concerns me personally")

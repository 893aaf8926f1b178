"""Policy forms. Length limits are checked by the services, which answer in the form."""
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional


class PolicyForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired()])
    summary = TextAreaField("Summary (one or two sentences)", validators=[Optional()])
    tags = StringField("Tags (separated by commas)", validators=[Optional()])
    body = TextAreaField("Text (Markdown; one sentence per line works best)", validators=[DataRequired()])


class DetailsForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired()])
    summary = TextAreaField("Summary", validators=[Optional()])
    tags = StringField("Tags (separated by commas)", validators=[Optional()])


class StatusForm(FlaskForm):
    status = SelectField("Status", choices=[SelectChoice("draft", "Draft"), SelectChoice("adopted", "Adopted"), SelectChoice("archived", "Archived")])


class EditForm(FlaskForm):
    body = TextAreaField("Text (Markdown)", validators=[DataRequired()])
    base = IntegerField(widget=HiddenField.widget, validators=[DataRequired()])
    message = StringField("What did you change? (a short message for the history)", validators=[Optional()])

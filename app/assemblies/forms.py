"""Assembly forms."""
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from .models import ROLES


class AssemblyForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    slug = StringField("Web address (optional: made from the name)", validators=[Optional(), Length(max=64)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    is_public = BooleanField("Public: anyone can read its policies (only members take part)")


class MemberForm(FlaskForm):
    email = EmailField("E-mail of a registered user", validators=[DataRequired(), Length(max=254)])
    role = SelectField("Role", choices=[SelectChoice(r, r.capitalize()) for r in ROLES], default="member")

"""Comment forms. Stances, lengths, ranges and permissions are checked by the services (their
messages are shown in the forms); the templates render the stance choices."""
from flask_babel import lazy_gettext
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

BODY_LABEL = lazy_gettext("Your comment (Markdown)")


class CommentForm(FlaskForm):
    """A new comment on lines of a revision."""

    revision = IntegerField(lazy_gettext("Revision"), widget=HiddenField.widget, validators=[InputRequired(), NumberRange(min=1)])
    line_start = IntegerField(lazy_gettext("From line"), validators=[InputRequired(message=lazy_gettext("Enter the first line.")), NumberRange(min=1)])
    line_end = IntegerField(lazy_gettext("To line"), validators=[InputRequired(message=lazy_gettext("Enter the last line.")), NumberRange(min=1)])
    stance = StringField(lazy_gettext("Stance"), default="comment")
    body = TextAreaField(BODY_LABEL, validators=[Optional()])
    next = HiddenField()


class ReplyForm(FlaskForm):
    """A reply in a thread."""

    stance = StringField(lazy_gettext("Stance"), default="comment")
    body = TextAreaField(lazy_gettext("Your reply (Markdown)"), validators=[Optional()])
    next = HiddenField()


class AmendmentCommentForm(FlaskForm):
    """A new comment on an amendment, or a reply when parent_id is set."""

    stance = StringField(lazy_gettext("Stance"), default="comment")
    body = TextAreaField(BODY_LABEL, validators=[Optional()])
    parent_id = IntegerField(widget=HiddenField.widget, validators=[Optional()])
    next = HiddenField()


class EditForm(FlaskForm):
    """A new body for one's own comment."""

    body = TextAreaField(BODY_LABEL, validators=[Optional()])
    next = HiddenField()


class ActionForm(FlaskForm):
    """Delete, resolve or reopen: a button with a CSRF token and where to go next."""

    resolved = HiddenField()
    next = HiddenField()

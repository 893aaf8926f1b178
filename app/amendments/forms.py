"""Amendment forms. The services check the values; the form only carries them."""
from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

MODES = ("replace", "insert", "append", "delete")


class AmendmentForm(FlaskForm):
    """Propose (or update) an amendment: a range, what to do with it, the new text, a short title, a rationale."""

    revision = IntegerField(widget=HiddenField.widget, validators=[Optional()])
    line_start = IntegerField(lazy_gettext("From line"), validators=[Optional()])
    line_end = IntegerField(lazy_gettext("To line"), validators=[Optional()])
    mode = RadioField(
        lazy_gettext("What do you want to do?"),
        choices=[
            SelectChoice("replace", lazy_gettext("Replace these lines")),
            SelectChoice("insert", lazy_gettext("Insert new lines before the first line")),
            SelectChoice("append", lazy_gettext("Insert new lines after the last line of the text")),
            SelectChoice("delete", lazy_gettext("Delete these lines")),
        ],
        default="replace",
        validators=[Optional()],
    )
    replacement = TextAreaField(lazy_gettext("New text"), validators=[Optional()])
    title = StringField(lazy_gettext("Short title (optional)"), validators=[Optional()])
    rationale = TextAreaField(lazy_gettext("Why? Your rationale (required)"), validators=[Optional()])

    def label_insertion_point(self, line):
        """Name the line an insertion goes before, in the choice's label."""
        self.mode.choices = [
            SelectChoice(c.value, gettext("Insert new lines before line %(number)s", number=line) if c.value == "insert" and line else c.label)
            for c in self.mode.choices
        ]

    def change(self, line_count):
        """(line_start, line_end, replacement) that the chosen mode means, in an n-line text."""
        start, end = self.line_start.data, self.line_end.data
        text = self.replacement.data or ""
        mode = self.mode.data if self.mode.data in MODES else "replace"
        if mode == "insert":
            return start, None if start is None else start - 1, text
        if mode == "append":
            return line_count + 1, line_count, text
        if mode == "delete":
            return start, end, ""
        return start, end, text

    def show_change(self, line_start, line_end, line_count, replacement):
        """Set the fields to show a change (the reverse of `change`), replacing what was posted."""
        if line_end == line_start - 1:
            mode = "append" if line_start == line_count + 1 else "insert"
        else:
            mode = "delete" if replacement == "" else "replace"
        for field, value in ((self.line_start, line_start), (self.line_end, line_end),
                             (self.replacement, replacement), (self.mode, mode)):
            put(field, value)
        self.label_insertion_point(line_start)


def put(field, value):
    """Set a field's value so that it is rendered instead of the posted one."""
    field.data, field.raw_data = value, None

"""The form that opens a round. Rules are validated by the service, which answers in the form."""
from datetime import timedelta

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, DecimalField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from ..core.timeutil import utcnow

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
THRESHOLD_PRESETS = {"majority": 0.5, "two_thirds": 2 / 3}


class RoundForm(FlaskForm):
    amending_until = DateTimeLocalField(
        "End of amending (UTC)", format=DATETIME_FORMATS, validators=[InputRequired("Enter a date and time.")]
    )
    deliberating_until = DateTimeLocalField(
        "End of deliberating (UTC)", format=DATETIME_FORMATS, validators=[InputRequired("Enter a date and time.")]
    )
    voting_until = DateTimeLocalField(
        "End of voting (UTC)", format=DATETIME_FORMATS, validators=[InputRequired("Enter a date and time.")]
    )
    threshold_preset = RadioField(
        "Threshold",
        choices=[
            SelectChoice("majority", "Simple majority (50%)"),
            SelectChoice("two_thirds", "Two thirds (66.7%)"),
            SelectChoice("custom", "Custom"),
        ],
        default="majority",
    )
    threshold_custom = DecimalField("Custom threshold (%)", places=None, validators=[Optional()])
    strict = RadioField(
        "An amendment passes with",
        choices=[SelectChoice("strict", "more than the threshold"), SelectChoice("at_least", "at least the threshold")],
        default="strict",
    )
    quorum = DecimalField(
        "Quorum (% of the electorate who must vote)", places=None, default=0,
        validators=[InputRequired("Enter a percentage from 0 to 100.")],
    )
    secret = BooleanField("Secret ballot")

    def set_default_deadlines(self):
        """Amend for a week, deliberate three days, vote four days (rounded to the hour, UTC)."""
        start = utcnow().replace(minute=0, second=0, microsecond=0, tzinfo=None) + timedelta(hours=1)
        self.amending_until.data = start + timedelta(days=7)
        self.deliberating_until.data = start + timedelta(days=10)
        self.voting_until.data = start + timedelta(days=14)

    def threshold_value(self):
        """The threshold as a fraction (two thirds exactly), or None when the custom value is missing."""
        preset = self.threshold_preset.data
        if preset in THRESHOLD_PRESETS:
            return THRESHOLD_PRESETS[preset]
        if self.threshold_custom.data is None:
            return None
        return float(self.threshold_custom.data) / 100

    def rules(self):
        """The rules for services.create_round; field errors go on this form."""
        threshold = self.threshold_value()
        if threshold is None:
            self.threshold_custom.errors = ["Enter a custom threshold from 50 to 99.99 (%)."]
        return {
            "quorum": float(self.quorum.data) / 100,
            "threshold": threshold if threshold is not None else 0.5,
            "strict": self.strict.data != "at_least",
            "secret": bool(self.secret.data),
        }

"""The form that opens a round. Rules are validated by the service, which answers in the form."""
from datetime import timedelta

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, DecimalField, HiddenField, IntegerField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from ..core.timeutil import utcnow

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
THRESHOLD_PRESETS = {"majority": 0.5, "two_thirds": 2 / 3}


class RoundForm(FlaskForm):
    """Open a round: its kind (chosen by the link that leads here), deadlines and decision rules.

    An adoption round has no amending phase: the view removes that field
    (:meth:`for_kind`).
    """

    kind = HiddenField(default="amendments")
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
    decision = RadioField(
        "How a question is decided",
        choices=[
            SelectChoice("majority", "By majority: yes against no, with the threshold below"),
            SelectChoice("consent", "By consent: it passes when nobody objects (an objection needs a reason)"),
        ],
        default="majority",
    )
    majority_of = RadioField(
        "The majority is counted among",
        choices=[
            SelectChoice("votes", "the yes and no votes cast (abstentions and non-voters do not count)"),
            SelectChoice("electorate", "the whole electorate (not voting weighs like a no), as statutes often require"),
        ],
        default="votes",
    )
    min_yes = IntegerField(
        "Minimum number of yes votes", default=0,
        validators=[Optional(), NumberRange(min=0, message="Enter a whole number, 0 for no minimum.")],
    )
    secret = BooleanField("Secret ballot")

    def for_kind(self, kind):
        """Fit the form to the kind of round (from the query string or the posted field)."""
        self.kind.data = kind if kind == "adoption" else "amendments"
        if self.kind.data == "adoption":
            del self.amending_until
        return self

    @property
    def is_adoption(self):
        """True for the final vote on the whole text."""
        return self.kind.data == "adoption"

    def set_default_deadlines(self):
        """Amend for a week, deliberate three days, vote four days (rounded to the hour, UTC).

        An adoption round deliberates three days and votes four.
        """
        start = utcnow().replace(minute=0, second=0, microsecond=0, tzinfo=None) + timedelta(hours=1)
        if self.is_adoption:
            start -= timedelta(days=7)
        else:
            self.amending_until.data = start + timedelta(days=7)
        self.deliberating_until.data = start + timedelta(days=10)
        self.voting_until.data = start + timedelta(days=14)

    def deadlines(self):
        """(amending_until or None, deliberating_until, voting_until) for services.create_round."""
        amending = self.amending_until.data if not self.is_adoption else None
        return amending, self.deliberating_until.data, self.voting_until.data

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
            "kind": self.kind.data,
            "decision": self.decision.data,
            "majority_of": self.majority_of.data,
            "min_yes": self.min_yes.data or 0,
        }

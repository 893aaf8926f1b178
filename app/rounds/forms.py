"""The form that opens a round. Rules are validated by the service, which answers in the form."""
from datetime import timedelta

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, DecimalField, HiddenField, IntegerField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from ..core.timeutil import NonexistentLocalTime, local_to_utc, utc_to_local, utcnow

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
THRESHOLD_PRESETS = {"majority": 0.5, "two_thirds": 2 / 3}
DATE_REQUIRED = InputRequired(lazy_gettext("Enter a date and time."))


class RoundForm(FlaskForm):
    """Open a round: its kind (chosen by the link that leads here), deadlines and decision rules.

    An adoption round has no amending phase: the view removes that field
    (:meth:`for_kind`).
    """

    kind = HiddenField(default="amendments")
    amending_until = DateTimeLocalField(
        lazy_gettext("End of amending"), format=DATETIME_FORMATS, validators=[DATE_REQUIRED]
    )
    deliberating_until = DateTimeLocalField(
        lazy_gettext("End of deliberating"), format=DATETIME_FORMATS, validators=[DATE_REQUIRED]
    )
    voting_until = DateTimeLocalField(
        lazy_gettext("End of voting"), format=DATETIME_FORMATS, validators=[DATE_REQUIRED]
    )
    threshold_preset = RadioField(
        lazy_gettext("Threshold"),
        choices=[
            SelectChoice("majority", lazy_gettext("Simple majority (50%)")),
            SelectChoice("two_thirds", lazy_gettext("Two thirds (66.7%)")),
            SelectChoice("custom", lazy_gettext("Custom")),
        ],
        default="majority",
    )
    threshold_custom = DecimalField(lazy_gettext("Custom threshold (%)"), places=None, validators=[Optional()])
    strict = RadioField(
        lazy_gettext("An amendment passes with"),
        choices=[SelectChoice("strict", lazy_gettext("more than the threshold")),
                 SelectChoice("at_least", lazy_gettext("at least the threshold"))],
        default="strict",
    )
    quorum = DecimalField(
        lazy_gettext("Quorum (% of the electorate who must vote)"), places=None, default=0,
        validators=[InputRequired(lazy_gettext("Enter a percentage from 0 to 100."))],
    )
    decision = RadioField(
        lazy_gettext("How a question is decided"),
        choices=[
            SelectChoice("majority", lazy_gettext("By majority: yes against no, with the threshold below")),
            SelectChoice("consent",
                         lazy_gettext("By consent: it passes when nobody objects (an objection needs a reason)")),
        ],
        default="majority",
    )
    majority_of = RadioField(
        lazy_gettext("The majority is counted among"),
        choices=[
            SelectChoice("votes", lazy_gettext("the yes and no votes cast (abstentions and non-voters do not count)")),
            SelectChoice("electorate",
                         lazy_gettext("the whole electorate (not voting weighs like a no), as statutes often require")),
        ],
        default="votes",
    )
    min_yes = IntegerField(
        lazy_gettext("Minimum number of yes votes"), default=0,
        validators=[Optional(), NumberRange(min=0, message=lazy_gettext("Enter a whole number, 0 for no minimum."))],
    )
    secret = BooleanField(lazy_gettext("Secret ballot"))

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

    def use_zone(self, zone, zone_label):
        """Deadlines are typed and shown as wall-clock times of `zone` (a ZoneInfo): the
        reader's, whose name `zone_label` the labels carry."""
        self.zone = zone
        for name in ("amending_until", "deliberating_until", "voting_until"):
            field = getattr(self, name, None)
            if field is not None:
                field.label.text = gettext("%(deadline)s (%(zone)s)", deadline=field.label.text, zone=zone_label)
        return self

    def set_default_deadlines(self):
        """Amend for a week, deliberate three days, vote four days, each ending on the hour of
        the form's zone (a week is seven calendar days there, across a clock change).

        An adoption round deliberates three days and votes four.
        """
        start = utc_to_local(utcnow(), self.zone).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        if self.is_adoption:
            start -= timedelta(days=7)
        else:
            self.amending_until.data = start + timedelta(days=7)
        self.deliberating_until.data = start + timedelta(days=10)
        self.voting_until.data = start + timedelta(days=14)

    def deadlines(self):
        """(amending_until or None, deliberating_until, voting_until) in UTC for
        services.create_round, or None with a field error for a time the zone skips."""
        fields = [None if self.is_adoption else self.amending_until, self.deliberating_until, self.voting_until]
        values = []
        for field in fields:
            try:
                values.append(local_to_utc(field.data, self.zone) if field is not None else None)
            except NonexistentLocalTime:
                field.errors = [gettext("This time does not exist in %(zone)s: the clocks skip it. "
                                        "Choose a time an hour later.", zone=str(self.zone))]
        return None if len(values) < len(fields) else tuple(values)

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
            self.threshold_custom.errors = [gettext("Enter a custom threshold from 50 to 99.99 (%).")]
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

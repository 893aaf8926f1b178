"""The answers a ballot may give and the names of the decision rules."""

YES = "yes"
NO = "no"
ABSTAIN = "abstain"
CHOICES = (YES, NO, ABSTAIN)

# Choices of a question decided by consent.
CONSENT = "consent"
OBJECT = "object"
CONSENT_CHOICES = (CONSENT, OBJECT, ABSTAIN)

# What the share of yes is taken of, under a majority rule.
VOTES = "votes"  # yes / (yes + no): abstentions and non-voters do not count
ELECTORATE = "electorate"  # yes / electorate: abstentions and non-voters count against
MAJORITY_OF = (VOTES, ELECTORATE)

# Decision rules of yes/no and adoption questions (see tally_decision).
MAJORITY = "majority"
DECISIONS = (MAJORITY, CONSENT)

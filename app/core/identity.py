"""Who is asking: the one test of whether a user object stands for a signed-in person."""


def signed_in(user):
    """True when `user` is a signed-in account (not None, not Flask-Login's anonymous user).

    Every model and service asks this instead of spelling out `getattr(user, "is_authenticated")`,
    so the rule has one home (API callers pass `g.user`, views pass `current_user`)."""
    return user is not None and bool(getattr(user, "is_authenticated", False))

"""Numbers people can say: 1, 2, … within a policy ("A3", "Round 2").

A column default (``mapped_column(Integer, default=number_within_policy)``) that gives a new row
the next number among its policy's rows of the same table, in the inserting statement's own
connection. Two inserts for one policy must not race: the services that create amendments and
rounds hold the policy's row lock (``lock_policy``) first, and a unique (policy_id, number)
constraint catches any code path that forgets.
"""
from sqlalchemy import func, select


def number_within_policy(context):
    """The next number of the row being inserted among its policy's rows of the same table."""
    table = context.current_column.table
    policy_id = context.get_current_parameters()["policy_id"]
    query = select(func.coalesce(func.max(table.c.number), 0) + 1).where(table.c.policy_id == policy_id)
    return context.connection.execute(query).scalar_one()

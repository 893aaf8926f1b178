"""The receipt shown in groups of four (app/rounds/presenters/receipt.py)."""
from app.rounds.presenters.receipt import receipt_groups


def test_groups_of_four_that_join_to_the_receipt():
    receipt = "12-0123456789abcdef-" + "f" * 30 + "ab"
    groups = receipt_groups(receipt)
    assert groups[:6] == ["12-", "0123", "4567", "89ab", "cdef-", "ffff"]
    assert groups[-1] == "ffab" and len(groups) == 1 + 4 + 8
    assert "".join(groups) == receipt
    assert all(len(group.rstrip("-")) <= 4 for group in groups)


def test_a_part_shorter_than_a_group_is_one_group():
    assert receipt_groups("7-ab-c") == ["7-", "ab-", "c"]

"""How a ballot receipt is shown: a code in groups of four characters, easy to read out and
compare, that wraps only between groups and copies as the receipt itself."""
GROUP = 4


def receipt_groups(receipt):
    """'12-0123456789abcdef-…' → ['12-', '0123', '4567', '89ab', 'cdef-', …]: each part of the
    receipt cut into groups of four characters, a part's hyphen kept at the end of its last
    group, so the groups joined are the receipt (copying the shown text copies it)."""
    parts = receipt.split("-")
    groups = []
    for index, part in enumerate(parts):
        pieces = [part[start:start + GROUP] for start in range(0, len(part), GROUP)] or [""]
        if index < len(parts) - 1:
            pieces[-1] += "-"
        groups += pieces
    return groups

"""Geometry of the SVG charts of the results: bar charts and split bars with the threshold."""
from .words import percent

CHART_WIDTH = 640
LABEL_WIDTH = 170
BAR_SPACE = 380
ROW_HEIGHT = 34


def bar_chart(bars):
    """Geometry of a horizontal bar chart: [(label, value, css class)] → dict for the SVG template."""
    top = max((value for _, value, _ in bars), default=0) or 1
    rows = []
    for index, (label, value, css) in enumerate(bars):
        width = round(BAR_SPACE * value / top, 1)
        y = 10 + index * ROW_HEIGHT
        rows.append({"label": label, "value": value, "css": css, "y": y, "text_y": y + 17,
                     "width": width, "text_x": round(LABEL_WIDTH + width + 8, 1)})
    return {"width": CHART_WIDTH, "height": 20 + len(bars) * ROW_HEIGHT, "label_width": LABEL_WIDTH,
            "bar_height": ROW_HEIGHT - 10, "bar_space": BAR_SPACE, "rows": rows}


def split_bar(first, second, threshold, labels):
    """Geometry of one bar split between two counts, with the threshold marked."""
    total = first + second
    first_width = round(BAR_SPACE * first / total, 1) if total else 0
    return {
        "width": CHART_WIDTH, "height": 56, "label_width": LABEL_WIDTH, "bar_width": BAR_SPACE,
        "first": first, "second": second, "labels": labels,
        "first_width": first_width, "second_x": LABEL_WIDTH + first_width,
        "second_width": round(BAR_SPACE - first_width, 1) if total else 0,
        "threshold_x": round(LABEL_WIDTH + BAR_SPACE * threshold, 1),
        "threshold": percent(threshold), "empty": total == 0,
    }

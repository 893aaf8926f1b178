"""The one stylesheet: its colour tokens meet WCAG 2.1 AA in the light and the dark theme, and
pages link it alone (print.css is only for the PDF export)."""
import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[2] / "app" / "static" / "css"
TEXT, UI = 4.5, 3.0  # normal text; large text, UI component boundaries, focus rings and chart marks

# (foreground, background, minimum ratio): every pair the stylesheet puts together.
PAIRS = [
    ("text", "bg", TEXT), ("text", "surface", TEXT), ("text", "accent-soft", TEXT), ("text", "warn-bg", TEXT),
    ("text", "del-bg", TEXT), ("text", "ins-bg", TEXT),
    ("muted", "bg", TEXT), ("muted", "surface", TEXT), ("muted", "accent-soft", TEXT), ("muted", "warn-bg", TEXT),
    ("accent", "bg", TEXT), ("accent", "surface", TEXT), ("accent", "accent-soft", TEXT), ("accent", "warn-bg", TEXT),
    ("accent-text", "accent", TEXT),
    ("warn-text", "warn-bg", TEXT), ("ins-text", "ins-bg", TEXT), ("del-text", "del-bg", TEXT),
    ("ins-text", "surface", TEXT), ("del-text", "surface", TEXT),
    ("error", "bg", TEXT), ("error", "surface", TEXT), ("error", "del-bg", TEXT),
    ("control", "bg", UI), ("control", "surface", UI), ("control", "accent-soft", UI),
    ("focus", "bg", UI), ("focus", "surface", UI), ("focus", "accent-soft", UI), ("focus", "warn-bg", UI),
    ("accent", "bg", UI), ("error", "bg", UI), ("muted", "bg", UI),  # chart bars on their track
]


def tokens(block):
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})\b", block))


def themes():
    css = (CSS / "app.css").read_text()
    light = tokens(css[css.index(":root"):css.index("}", css.index(":root"))])
    dark_at = css.index("prefers-color-scheme: dark")
    dark = dict(light, **tokens(css[dark_at:css.index("}", dark_at)]))
    return {"light": light, "dark": dark}


def luminance(colour):
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.no_db
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_token_pairs_meet_wcag_aa(theme):
    colours = themes()[theme]
    failing = [(fg, bg, round(contrast(colours[fg], colours[bg]), 2), need) for fg, bg, need in PAIRS
               if contrast(colours[fg], colours[bg]) < need]
    assert not failing, failing


@pytest.mark.no_db
def test_the_dark_theme_redefines_every_colour():
    light, dark = themes()["light"], themes()["dark"]
    assert all(dark[name] != light[name] for name in light), "a colour token kept its light value in the dark theme"


@pytest.mark.no_db
def test_pages_link_only_the_one_stylesheet():
    assert sorted(p.name for p in CSS.glob("*.css")) == ["app.css", "print.css"]
    base = (CSS.parents[1] / "templates" / "base.html").read_text()
    assert re.findall(r"css/[\w.-]+", base) == ["css/app.css"]


@pytest.mark.no_db
@pytest.mark.parametrize("name", ["app.css", "print.css"])
def test_every_brace_is_closed_in_order(name):
    """A rule left open (a merge that lost a '}') silently swallows every rule after it."""
    source = re.sub(r"/\*.*?\*/", "", (CSS / name).read_text(), flags=re.S)
    depth = 0
    for number, line in enumerate(source.splitlines(), 1):
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"{name}:{number} closes a brace that was never opened"
    assert depth == 0, f"{name} leaves {depth} brace(s) open"


PHYSICAL = re.compile(
    r"(?<![-\w])(?:margin|padding|border)-(?:left|right)\b|(?<![-\w])(?:left|right)\s*:"
    r"|text-align:\s*(?:left|right)\b|float:\s*(?:left|right)\b"
)


def test_the_stylesheet_uses_logical_sides_only_so_right_to_left_pages_read_correctly():
    """Right-to-left readiness: every side is a logical one (margin-inline-start, inset-inline-end,
    text-align: start…), so a page with dir="rtl" mirrors without a second stylesheet; a
    four-value margin or padding with different left and right sides is physical too."""
    css = (CSS / "app.css").read_text()
    assert PHYSICAL.findall(css) == []
    for prop, values in re.findall(r"(?<![-\w])(margin|padding)\s*:\s*([^;}]+)", css):
        parts = values.split()
        assert len(parts) < 4 or parts[1] == parts[3], f"{prop}: {values}"

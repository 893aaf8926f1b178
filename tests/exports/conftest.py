"""Fixtures for the export tests: a private cache folder per test, a policy after a round, PDF text."""
import subprocess

import pytest

from exports.scenario import seed_policy_after_round


@pytest.fixture(autouse=True)
def export_cache(app, tmp_path, monkeypatch):
    """Every test renders into its own cache folder."""
    folder = tmp_path / "export-cache"
    monkeypatch.setitem(app.config, "EXPORT_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def after_round(make_user, make_assembly, make_policy, in_app):
    """seed(secret=False) → dict(users, assembly, policy, round_id) of a policy after a closed round."""

    def seed(secret=False):
        return seed_policy_after_round(make_user, make_assembly, make_policy, in_app, secret=secret)

    return seed


def pdf_text(data, *args):
    """The text of a PDF (bytes) by pdftotext; extra args such as '-layout', '-f', '3'.

    Words that the typesetter hyphenated at a line end (with U+2010) are joined again.
    """
    result = subprocess.run(["pdftotext", *args, "-", "-"], input=data, capture_output=True, check=True)
    return result.stdout.decode("utf-8").replace("\u2010\n", "")


def annex_text(data):
    """The annex of a revision PDF as one line of words."""
    text = pdf_text(data)
    return " ".join(text[text.index("A. Revisions"):].split())


def pdf_info(data):
    """pdfinfo's fields as a dict."""
    result = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True)
    return dict(line.split(":", 1) for line in result.stdout.decode().splitlines() if ":" in line)


def pdf_fonts(data, tmp_path):
    """pdffonts' table rows (it needs a file)."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    return out.splitlines()[2:]

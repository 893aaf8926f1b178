"""The documents link only files that exist in the repository (no ../shared/…, no stale paths)."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ["README.md", "CONTRIBUTING.md", "SECURITY.md", "bench/README.md", "frontend/README.md"]
LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")


@pytest.mark.no_db
@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_relative_link_names_a_file_of_the_repository(document):
    path = ROOT / document
    targets = [target for target in LINK.findall(path.read_text()) if "://" not in target and not target.startswith("mailto:")]
    missing = [target for target in targets if not (path.parent / target).resolve().exists()]
    outside = [target for target in targets if ROOT not in (path.parent / target).resolve().parents]
    assert missing == [] and outside == []


@pytest.mark.no_db
def test_the_quick_start_has_two_commands_that_exist():
    quick = ROOT.joinpath("README.md").read_text().split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick.strip().splitlines()]
    assert commands == ["./scripts/run", "./scripts/test"]
    assert all((ROOT / command).stat().st_mode & 0o111 for command in commands)

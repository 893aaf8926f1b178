"""Markdown export: YAML front matter, then the body exactly as stored; it round-trips."""
from pathlib import Path

import pytest
import yaml

from app.extensions import db
from app.policies.library import import_policy_file, read_policy_file
from app.policies.models import Policy
from exports.scenario import POLICY_BODY, WORDS

ROOT = Path(__file__).resolve().parents[2]


def split(text):
    """(front matter dict, body) of an exported file, split by hand: `---`, YAML, `---`, a blank line, body."""
    assert text.startswith("---\n")
    end = text.index("\n---\n\n", 4)
    return yaml.safe_load(text[4:end + 1]), text[end + 6:]


def head_body(app, policy_id, number=None):
    with app.app_context():
        policy = db.session.get(Policy, policy_id)
        return policy.head.body if number is None else [r for r in [policy.head] if r.number == number][0].body


def test_markdown_of_a_revision_after_a_round(app, login, after_round):
    seeded = after_round()
    ada, policy = seeded["users"][0], seeded["policy"]
    response = login(ada).get(f"/a/{seeded['assembly'].slug}/p/{policy.slug}/export.md")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert f'filename={policy.slug}-revision-2.md' in response.headers["Content-Disposition"]
    meta, body = split(response.get_data(as_text=True))
    assert body == head_body(app, policy.id)
    assert meta["title"] == "Veldmar Commons Pact" and meta["policy_id"] == policy.id
    assert meta["assembly"] == seeded["assembly"].slug and meta["assembly_name"] == "Veldmar Commons Assembly"
    assert meta["revision"] == 2 and meta["status"] == "draft" and meta["authors"] == ["Ada Okafor"]
    assert meta["tags"] == ["commons", "urban"]
    assert isinstance(meta["date"], str) and meta["date"].startswith("20") and "+00:00" in meta["date"]
    merged = {m["id"]: m for m in meta["amendments"]}
    assert len(merged) == 2
    first = min(merged.values(), key=lambda m: m["id"])
    assert first["author"] == "Chloé Martín" and first["round"] == seeded["round_id"] and first["merged_into"] == 2
    assert first["tally"].startswith("3 yes, 1 no, 0 abstain")


def test_earlier_revision_lists_no_later_amendments(app, login, after_round):
    seeded = after_round()
    response = login(seeded["users"][0]).get(f"/a/{seeded['assembly'].slug}/p/{seeded['policy'].slug}/export.md?revision=1")
    meta, body = split(response.get_data(as_text=True))
    assert body == POLICY_BODY
    assert meta["revision"] == 1 and meta["latest_revision"] == 2 and meta["amendments"] == []


def test_front_matter_keeps_unicode_readable(login, after_round):
    seeded = after_round()
    text = login(seeded["users"][0]).get(f"/a/{seeded['assembly'].slug}/p/{seeded['policy'].slug}/export.md").get_data(as_text=True)
    assert "Chloé Martín" in text and "\\u" not in text
    for words in WORDS.values():
        assert words in text


def test_export_then_import_into_a_new_policy_is_byte_for_byte(app, tmp_path, login, make_assembly, after_round):
    seeded = after_round()
    ada = seeded["users"][0]
    exported = login(ada).get(f"/a/{seeded['assembly'].slug}/p/{seeded['policy'].slug}/export.md").get_data()
    path = tmp_path / "pact.md"
    path.write_bytes(exported)
    slug, meta, body = read_policy_file(path)
    assert body == head_body(app, seeded["policy"].id)
    assert (slug, meta["title"], meta["summary"], meta["tags"]) == (
        seeded["policy"].slug, "Veldmar Commons Pact", "How residents and the City care for urban commons together.",
        ["commons", "urban"])
    other = make_assembly(admin=ada, name="Archive")

    def reimport():
        from app.accounts.models import User
        from app.assemblies.models import Assembly

        assert import_policy_file(db.session.get(Assembly, other.id), db.session.get(User, ada.id), path) == "created"
        policy = db.session.execute(db.select(Policy).filter_by(assembly_id=other.id)).scalar_one()
        return policy.id

    new_id = app_run(app, reimport)
    again = login(ada).get(f"/a/{other.slug}/p/{seeded['policy'].slug}/export.md").get_data()
    old_meta, old_body = split(exported.decode())
    new_meta, new_body = split(again.decode())
    assert new_body.encode() == old_body.encode() == head_body(app, new_id).encode()
    for key in ("title", "slug", "summary", "tags"):
        assert new_meta[key] == old_meta[key]


def app_run(app, func):
    with app.app_context():
        result = func()
        db.session.commit()
        return result


@pytest.mark.parametrize("path", sorted((ROOT / "policies").glob("*.md")), ids=lambda p: p.name)
def test_every_seed_policy_round_trips(app, tmp_path, path, make_user, make_assembly, make_policy, login):
    user = make_user()
    assembly = make_assembly(admin=user)
    slug, meta, body = read_policy_file(path)
    policy = make_policy(assembly, user, title=meta["title"], body=body, tags=meta.get("tags") or [],
                         summary=meta.get("summary", ""))
    exported = login(user).get(f"/a/{assembly.slug}/p/{policy.slug}/export.md").get_data()
    out = tmp_path / path.name
    out.write_bytes(exported)
    _, meta2, body2 = read_policy_file(out)
    assert body2 == body == head_body(app, policy.id)
    assert (meta2["title"], meta2["summary"], sorted(meta2["tags"])) == (meta["title"], meta["summary"], sorted(meta["tags"]))


@pytest.mark.parametrize("body", [
    "\n# Starts with a blank line\n",
    "\n\n\nThree blank lines first\n",
    "    indented code first\n",
    "Ends with a hard break  \n",
    "---\nStarts with a rule\n\n---\n",
    "Tabs\tand trailing tabs\t\n\n\tindented\n",
], ids=["leading-blank-line", "leading-blank-lines", "leading-indent", "trailing-spaces", "rules", "tabs"])
def test_bodies_with_outer_whitespace_round_trip(app, tmp_path, body, make_user, make_assembly, make_policy, login):
    user = make_user()
    assembly = make_assembly(admin=user)
    policy = make_policy(assembly, user, title="Edge", body=body)
    stored = head_body(app, policy.id)
    exported = login(user).get(f"/a/{assembly.slug}/p/{policy.slug}/export.md").get_data()
    assert split(exported.decode())[1] == stored
    out = tmp_path / "edge.md"
    out.write_bytes(exported)
    assert read_policy_file(out)[2].encode() == stored.encode()


def test_policies_export_command_writes_the_library_and_import_reads_it_back(app, tmp_path, after_round, make_assembly):
    seeded = after_round()
    folder = tmp_path / "library"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["policies", "export", str(folder), "--assembly", seeded["assembly"].slug])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in folder.glob("*.md"))
    assert written == [f"{seeded['policy'].slug}.md"]
    first = (folder / written[0]).read_bytes()
    again = runner.invoke(args=["policies", "export", str(folder), "--assembly", seeded["assembly"].slug])
    assert again.exit_code == 0 and (folder / written[0]).read_bytes() == first  # stable for git

    archive = make_assembly(admin=seeded["users"][0], name="Archive")
    imported = runner.invoke(args=["policies", "import", str(folder), "--assembly", archive.slug])
    assert imported.exit_code == 0, imported.output
    assert "created" in imported.output
    with app.app_context():
        copy = db.session.execute(
            db.select(Policy).filter_by(assembly_id=archive.id)).scalar_one()
        assert copy.head.body == head_body(app, seeded["policy"].id)
        assert (copy.title, copy.slug, copy.tags) == ("Veldmar Commons Pact", seeded["policy"].slug, ["commons", "urban"])


def test_export_command_writes_one_markdown_file(app, tmp_path, after_round):
    seeded = after_round()
    target = tmp_path / "out.md"
    ref = f"{seeded['assembly'].slug}/{seeded['policy'].slug}"
    result = app.test_cli_runner().invoke(args=["export", ref, "--format", "md", "--revision", "1", "-o", str(target)])
    assert result.exit_code == 0, result.output
    meta, body = split(target.read_text(encoding="utf-8"))
    assert body == POLICY_BODY and meta["revision"] == 1


def test_export_command_errors(app, after_round):
    seeded = after_round()
    runner = app.test_cli_runner()
    assert "No policy" in runner.invoke(args=["export", "nope/nothing"]).output
    missing = runner.invoke(args=["export", str(seeded["policy"].id), "--revision", "9", "--format", "md"])
    assert missing.exit_code != 0 and "no revision 9" in missing.output
    assert runner.invoke(args=["export", str(seeded["policy"].id), "--font-size", "40"]).exit_code != 0
    assert runner.invoke(args=["policies", "export", "/tmp/x", "--assembly", "nope"]).exit_code != 0

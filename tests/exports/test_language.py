"""An export is written in the policy's language (text_language), not the reader's."""
from app.exports import services
from app.extensions import db
from app.policies.models import Policy
from app.policies.services import get_revision


def _policy(seeded, language):
    policy = db.session.get(Policy, seeded["policy"].id)
    policy.language = language
    db.session.flush()
    return policy


def test_the_pdf_names_the_policys_language_and_caches_per_language(after_round, app):
    seeded = after_round()
    with app.app_context():
        policy = _policy(seeded, None)
        revision = get_revision(policy, policy.head_number)
        english = services.revision_pdf(policy, revision)
        assert '<html lang="en"' in english.html()
        policy = _policy(seeded, "es")
        spanish = services.revision_pdf(policy, revision)
        assert '<html lang="es"' in spanish.html()
        assert spanish.path != english.path  # the cache key holds the language
        compared = services.comparison_pdf(policy, get_revision(policy, 1), revision)
        assert '<html lang="es"' in compared.html()
        db.session.rollback()


def test_english_exports_keep_their_words(after_round, app):
    seeded = after_round()
    with app.app_context():
        policy = _policy(seeded, "en")
        html = services.revision_pdf(policy, get_revision(policy, policy.head_number)).html()
        for words in ("Annex — Consultation record", "A. Revisions", "Cite as:", "of 4 electors voted"):
            assert words in html
        db.session.rollback()

"""path_for: the one builder of in-app links, the same inside a request and outside one."""
from app.core.urls import path_for, public_url


def test_a_path_is_the_same_in_a_request_and_on_the_command_line(app):
    values = {"slug": "veldmar", "policy_slug": "night-shift", "comment_id": 7}
    with app.test_request_context("/"):
        in_request = path_for("comments.thread", _anchor="c7", **values)
    with app.app_context():
        outside = path_for("comments.thread", _anchor="c7", **values)
        absolute = public_url(outside)
    assert in_request == outside == "/a/veldmar/p/night-shift/comments/7#c7"
    assert absolute.endswith("/a/veldmar/p/night-shift/comments/7#c7") and absolute.startswith("http")

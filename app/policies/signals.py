"""Signals other domains listen to (comments re-anchor, amendments rebase)."""
from blinker import Namespace

_signals = Namespace()

# sent with (policy, old_revision, new_revision) after a revision is flushed
revision_created = _signals.signal("revision-created")

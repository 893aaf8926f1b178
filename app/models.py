"""Import every model so that SQLAlchemy and Alembic know all tables."""
from .accounts.models import ApiToken, Notification, RecoveryCode, User, UserSession  # noqa: F401
from .amendments.models import Amendment, CoSignature  # noqa: F401
from .assemblies.models import Assembly, Membership  # noqa: F401
from .comments.models import Comment, CommentAnchor  # noqa: F401
from .core.events import Event  # noqa: F401
from .core.outbox import OutboxMail  # noqa: F401
from .policies.models import Policy, PolicyTag, Revision  # noqa: F401
from .rounds.models import Ballot, Elector, Participation, Question, Result, Round  # noqa: F401

"""PDF rendering with WeasyPrint, its URL fetcher, and the on-disk cache of rendered PDFs.

The fetcher refuses every URL except the app's own static files, so a policy that points an
image at another host (or at a file outside app/static) renders without it and nothing is
fetched. Fonts come from fontconfig (Noto and DejaVu); WeasyPrint embeds the subsets it uses.

The cache: a revision never changes, but what its PDF shows around the text can (the title,
the status, a round closing, a renamed member). So a cached file is named by policy id,
revision number(s), kind and options, and ends with a fingerprint: a hash of the document's
plain-data record, the options, RENDER_VERSION and a digest of the print templates and CSS.
Anything shown changes → the name changes → the next request renders again; the older
file of the same revision, kind and options is removed when the new one is written.
Files are written to a temporary name and renamed (atomic), under an exclusive lock file
per revision, kind and options, so two workers asked for the same PDF render it once.

Failures are cached too, keyed the same way: when WeasyPrint stops on a document (or the
document is over the size limit), <stem>-<fingerprint>.failed records why, and later requests
for the same PDF answer from it at once instead of typesetting for seconds again. The same
change that would give a new PDF (a new fingerprint) gives a new attempt.

A PDF given to the worker (rendering.py) is marked by <stem>-<fingerprint>.pending beside
where it will be: "queued" by the one request that queued it (created under a short lock of
its own, so that ten requests for it queue one render), "rendering" once the worker starts,
"failed" when the worker stopped on something that is not the document's fault. The worker
removes it when the PDF (or its failure) is written; a marker older than its timeout is
stale (a worker killed meanwhile) and may be claimed again.
"""
import fcntl
import hashlib
import json
import logging
import mimetypes
import os
import tempfile
import time
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask_babel import lazy_gettext

from .typeset import neutralise, safe_links

#: Bump when the rendering changes in a way the template digest does not see (WeasyPrint, fonts).
RENDER_VERSION = "2"
#: Files whose content is part of every cache key (typeset.py: what the typesetter is given).
_ASSET_GLOBS = ("templates/exports/*.html", "static/css/print.css", "exports/typeset.py")
log = logging.getLogger(__name__)


class RenderError(Exception):
    """A PDF that cannot be produced: WeasyPrint failed on it, or it is over the size limit.

    `code` is export_failed or export_too_large; `message` says why, for people (in the language
    spoken when it was raised); `params` the numbers of the message, so that it can be said again
    in the reader's language (services.failure_message). Cached.
    """

    def __init__(self, code, message, params=None):
        message = str(message)
        super().__init__(message)
        self.code, self.message, self.params = code, message, dict(params or {})

    def to_json(self):
        return json.dumps({"code": self.code, "message": self.message, "params": self.params})

    @classmethod
    def from_json(cls, text):
        data = json.loads(text)
        return cls(data["code"], data["message"], data.get("params"))


#: States of a pending marker (PdfCache.mark).
MARKER_STATES = ("queued", "rendering", "failed")


class StaticOnlyFetcher:
    """A WeasyPrint URL fetcher that serves the app's static files and refuses everything else.

    `refused` lists the URLs it turned down (for logs and tests). It never opens a socket.
    """

    #: Read by WeasyPrint when a fetch fails: a refused resource is left out, never fatal.
    _fail_on_errors = False

    def __init__(self, static_folder, static_url_path="/static"):
        self.root = Path(static_folder).resolve()
        self.prefix = static_url_path.rstrip("/") + "/"
        self.refused = []

    @property
    def base_url(self):
        """The base URL documents are rendered against (relative URLs resolve into static/)."""
        return self.root.as_uri() + "/"

    def static_path(self, url):
        """The static file a URL names, or None when it is not one of the app's static files."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        raw = unquote(parts.path)
        root = self.root.as_posix() + "/"
        relative = raw[len(root):] if raw.startswith(root) else raw[len(self.prefix):] if raw.startswith(self.prefix) else None
        if relative is None:
            return None
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        return path

    def fetch(self, url, headers=None):
        """Serve a static file, or raise ValueError (WeasyPrint then leaves the resource out)."""
        from weasyprint.urls import URLFetcherResponse

        path = self.static_path(url)
        if path is None:
            self.refused.append(url)
            raise ValueError(f"Refused to fetch {url!r}: exports may only use the app's static files.")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": mime})

    def __call__(self, url):
        return self.fetch(url)


FAILED_MESSAGE = lazy_gettext("This PDF could not be typeset: the typesetter stopped on something in this text. "
                              "The Markdown export has the whole text; the site's operators can see the cause in the "
                              "log.")


def typeset(html, fetcher):
    """The WeasyPrint document of `html`: the one way in.

    Its text is neutralised before WeasyPrint parses it; its links are filtered on the very
    tree WeasyPrint parsed (typeset.safe_links), then that tree is rendered, so no other parser
    can read the HTML otherwise than WeasyPrint does.
    """
    from weasyprint import HTML

    document = HTML(string=neutralise(html), base_url=fetcher.base_url, url_fetcher=fetcher)
    safe_links(document.etree_element)
    return document.render()


def render_pdf(html, fetcher, target):
    """Typeset `html` with WeasyPrint into the file `target`; returns the number of pages.

    A failure of WeasyPrint itself raises RenderError (export_failed); running out of memory
    or disk is not a property of the document and is raised as it is (never cached).
    """
    try:
        document = typeset(html, fetcher)
        document.write_pdf(target)
    except (MemoryError, OSError):
        raise
    except Exception as error:
        log.warning("WeasyPrint failed on a document", exc_info=error)
        raise RenderError("export_failed", FAILED_MESSAGE) from error
    return len(document.pages)


@lru_cache(maxsize=4)
def assets_digest(app_root):
    """A digest of the print templates and stylesheet, so that changing them changes every key."""
    digest = hashlib.sha256(RENDER_VERSION.encode())
    for pattern in _ASSET_GLOBS:
        for path in sorted(Path(app_root).glob(pattern)):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def fingerprint(record, options, app_root):
    """A short hash of everything a PDF shows: its record, its options and the print assets."""
    payload = json.dumps({"record": record, "options": options, "assets": assets_digest(app_root)},
                         sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


class PdfCache:
    """Rendered PDFs on disk: <folder>/policy-<id>/<stem>-<fingerprint>.pdf.

    At most `max_files` PDFs are kept per policy (the oldest renders go first), so that
    requests for many option and revision combinations cannot fill the disk.
    """

    def __init__(self, folder, max_files=40):
        self.folder = Path(folder)
        self.max_files = max_files

    def path(self, policy_id, stem, digest):
        """Where the PDF of this policy, stem (kind, numbers, options) and fingerprint lives."""
        return self.folder / f"policy-{int(policy_id)}" / f"{stem}-{digest}.pdf"

    @staticmethod
    def failure_path(path):
        """Where the failure of the PDF at `path` is recorded."""
        return path.with_suffix(".failed")

    def raise_failure(self, path):
        """Raise the cached RenderError of `path`, if one is recorded."""
        failure = self.failure_path(path)
        try:
            text = failure.read_text("utf-8")
        except FileNotFoundError:
            return
        try:
            error = RenderError.from_json(text)
        except (ValueError, KeyError):
            return  # unreadable: render again
        raise error

    def has_any(self, policy_id, stem):
        """True when some version of this PDF is on disk (cheap: one directory lookup)."""
        folder = self.folder / f"policy-{int(policy_id)}"
        return folder.is_dir() and any(folder.glob(f"{stem}-*.pdf"))

    @contextmanager
    def lock(self, path, suffix=".lock"):
        """An exclusive lock for producing `path` (shared by every process on this host)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = path.parent / (path.name.rsplit("-", 1)[0] + suffix)
        with open(lock_path, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @staticmethod
    def marker_path(path):
        """Where the pending marker of the PDF at `path` is kept."""
        return path.with_suffix(".pending")

    def relative(self, path):
        """`path` relative to the cache folder (what a job is told)."""
        return path.relative_to(self.folder).as_posix()

    def resolve(self, relative):
        """The PDF path a job was told (relative), refused when it leaves the cache folder."""
        path = (self.folder / relative).resolve()
        if not path.is_relative_to(self.folder.resolve()) or path.suffix != ".pdf":
            raise ValueError(f"not a PDF of this cache: {relative!r}")
        return path

    def read_marker(self, path):
        """(state, age in seconds) of the pending marker of `path`, or None when there is none."""
        marker = self.marker_path(path)
        try:
            state, age = marker.read_text("utf-8").strip(), time.time() - marker.stat().st_mtime
        except FileNotFoundError:
            return None
        return (state if state in MARKER_STATES else "queued"), age

    def mark(self, path, state):
        """Write the pending marker of `path` (atomically): queued, rendering or failed."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self._write_atomic(self.marker_path(path), lambda target: Path(target).write_text(state, "utf-8"))

    def clear_marker(self, path):
        """Remove the pending marker of `path` (the PDF or its failure is written)."""
        self.marker_path(path).unlink(missing_ok=True)

    def pending_count(self, stale_after):
        """How many PDFs of the whole cache are queued or rendering (markers not failed nor stale)."""
        now, count = time.time(), 0
        for marker in self.folder.glob("policy-*/*.pending"):
            try:
                fresh = now - marker.stat().st_mtime <= stale_after and marker.read_text("utf-8") != "failed"
            except FileNotFoundError:
                continue
            count += fresh
        return count

    def claim(self, path, stale_after):
        """Mark `path` queued unless it is made or being made: True when the caller must queue it.

        Under a lock of its own (held for a file check, never during a render): of many callers,
        one gets True; a failed marker, or one older than `stale_after` seconds, is claimed again.
        """
        with self.lock(path, ".queue-lock"):
            if path.is_file() or self.failure_path(path).is_file():
                return False
            marker = self.read_marker(path)
            if marker and marker[0] != "failed" and marker[1] <= stale_after:
                return False
            self.mark(path, "queued")
            return True

    def produce(self, path, write):
        """Return `path`, calling write(temporary path) first if it does not exist yet.

        Returns (path, rendered): rendered is False when the file was already there (or was
        made meanwhile by another request that held the lock).

        Raises RenderError when `write` does, or when that failure is already recorded
        (then without calling `write`): failures are cached like PDFs.
        """
        if path.is_file():
            return path, False
        self.raise_failure(path)
        with self.lock(path):
            if path.is_file():
                return path, False
            self.raise_failure(path)
            try:
                self._write_atomic(path, write)
            except RenderError as error:
                self._record_failure(path, error)
                raise
            self._prune(path)
        return path, True

    def _record_failure(self, path, error):
        """Write the failure file of `path` (atomically) and drop older versions."""
        text = error.to_json()
        self._write_atomic(self.failure_path(path), lambda target: Path(target).write_text(text, "utf-8"))
        self._prune(path)

    @staticmethod
    def _write_atomic(path, write):
        """Call write(temporary path) and rename the result to `path`."""
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
        os.close(handle)
        try:
            write(temporary)
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)

    def _prune(self, path):
        """Remove the older versions (other fingerprints) of the same PDF or its failure, and
        the oldest files of the policy beyond max_files."""
        stem = path.name.rsplit("-", 1)[0]
        keep = {path, self.failure_path(path)} if not path.is_file() else {path}
        for pattern in (f"{stem}-*.pdf", f"{stem}-*.failed"):
            for other in path.parent.glob(pattern):
                if other not in keep and other.name.rsplit("-", 1)[0] == stem:
                    other.unlink(missing_ok=True)
        for suffix in ("pdf", "failed"):
            files = sorted(path.parent.glob(f"*.{suffix}"), key=_mtime, reverse=True)
            for old in files[self.max_files:]:
                if old not in keep:
                    old.unlink(missing_ok=True)


def _mtime(path):
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0

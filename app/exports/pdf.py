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
"""
import fcntl
import hashlib
import json
import mimetypes
import os
import tempfile
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: Bump when the rendering changes in a way the template digest does not see (WeasyPrint, fonts).
RENDER_VERSION = "1"
_ASSET_GLOBS = ("templates/exports/*.html", "static/css/print.css")


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


def render_pdf(html, fetcher, target):
    """Typeset `html` with WeasyPrint into the file `target`; returns the number of pages."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=fetcher.base_url, url_fetcher=fetcher).render()
    document.write_pdf(target)
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

    def has_any(self, policy_id, stem):
        """True when some version of this PDF is on disk (cheap: one directory lookup)."""
        folder = self.folder / f"policy-{int(policy_id)}"
        return folder.is_dir() and any(folder.glob(f"{stem}-*.pdf"))

    @contextmanager
    def lock(self, path):
        """An exclusive lock for producing `path` (shared by every process on this host)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = path.parent / (path.name.rsplit("-", 1)[0] + ".lock")
        with open(lock_path, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def produce(self, path, write):
        """Return `path`, calling write(temporary path) first if it does not exist yet.

        Returns (path, rendered): rendered is False when the file was already there (or was
        made meanwhile by another request that held the lock).
        """
        if path.is_file():
            return path, False
        with self.lock(path):
            if path.is_file():
                return path, False
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
            os.close(handle)
            try:
                write(temporary)
                os.replace(temporary, path)
            finally:
                if os.path.exists(temporary):
                    os.unlink(temporary)
            self._prune(path)
        return path, True

    def _prune(self, path):
        """Remove the older versions (other fingerprints) of the same PDF, and the oldest
        files of the policy beyond max_files."""
        stem = path.name.rsplit("-", 1)[0]
        for other in path.parent.glob(f"{stem}-*.pdf"):
            if other != path and other.name.rsplit("-", 1)[0] == stem:
                other.unlink(missing_ok=True)
        files = sorted(path.parent.glob("*.pdf"), key=_mtime, reverse=True)
        for old in files[self.max_files:]:
            if old != path:
                old.unlink(missing_ok=True)


def _mtime(path):
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0

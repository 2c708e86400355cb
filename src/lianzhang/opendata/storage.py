"""Where open data files live: raw uploads, work files and published resources, all outside served paths."""

from __future__ import annotations

import hashlib
import secrets
import shutil
from pathlib import Path

from django.conf import settings

# Raw uploads hold personal data: they sit in their own folder, are never linked from any page and are
# deleted when their release is published or withdrawn. Nothing here is below STATIC_ROOT or served from
# MEDIA_URL; published files are streamed by a view that checks the release is published.
RAW, WORK, PUBLISHED, KEYS = "raw", "work", "published", "keys"


def root() -> Path:
    """The open data folder: settings.OPENDATA_DIR when set, else MEDIA_ROOT/opendata."""
    configured = getattr(settings, "OPENDATA_DIR", None)
    folder = Path(configured) if configured else Path(settings.MEDIA_ROOT) / "opendata"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def resolve(relative: str) -> Path:
    """The absolute path of a stored relative path (refusing anything that escapes the folder)."""
    base = root().resolve()
    path = (base / relative).resolve()
    if not relative or base not in path.parents:
        raise ValueError(f"文件位置无效：{relative}")
    return path


def relative(path: Path) -> str:
    """A path inside the open data folder as stored in the database."""
    return path.resolve().relative_to(root().resolve()).as_posix()


def folder(kind: str, release_id: int) -> Path:
    """The folder of one release for raw, work or published files."""
    path = root() / kind / str(release_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def remove_release_folder(kind: str, release_id: int) -> None:
    """Delete a release's raw or work folder."""
    shutil.rmtree(root() / kind / str(release_id), ignore_errors=True)


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def dataset_secret(dataset_id: int) -> str:
    """The pseudonymisation key of a dataset, kept in a file rather than the database so that nobody who
    reads the database or the audit log can rebuild pseudonyms from guessed ID numbers."""
    keys = root() / KEYS
    keys.mkdir(parents=True, exist_ok=True)
    path = keys / f"{dataset_id}.key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()

"""Uploaded files: type judged from the bytes, size-limited, images of sane dimensions, a
quota per user, stored outside the web root, and removed when no application uses them.

A file is *attached* once the process data of an application of its owner names it (a form
field such as `certificate_upload`; engine.services.decisions.documents_of reads them so).
`remove_unattached_uploads` deletes, rows and files, what is still unattached a day
(UNATTACHED_LIFETIME) after upload; it runs from `igot uploads cleanup` and in every round
of the timer worker (`igot timers`).
"""

from __future__ import annotations

import io
import logging
import re
import secrets
import warnings
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from PIL import Image, UnidentifiedImageError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.access import can_read_upload
from engine.errors import Invalid, NotFound, TooLarge
from engine.i18n import N_
from engine.models import Application, ProcessInstance, Upload, User
from engine.runtime import state_json

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# A scan of a certificate needs far less; more is a mistake or a decompression bomb.
MAX_IMAGE_SIDE = 10_000
MAX_IMAGE_PIXELS = 50_000_000
UNATTACHED_LIFETIME = timedelta(hours=24)
_UPLOAD_NAME = re.compile(r"[0-9a-f]{32}")

QUOTA_FULL = N_(
    "You have reached the limit of files you may keep uploaded. Files that no application uses "
    "are removed a day after upload; try again then, or use a file you uploaded before."
)
IMAGE_TOO_LARGE = N_(
    "The image is too large: at most 10,000 pixels on each side and 50 million pixels in all. "
    "Scan it at a lower resolution, or upload a PDF."
)
IMAGE_UNREADABLE = N_("The image cannot be read: upload an undamaged PNG or JPEG file, or a PDF.")


@dataclass(frozen=True)
class Quota:
    """What one user may keep uploaded at once: `bytes` in all and `files` in number."""

    bytes: int
    files: int


DEFAULT_QUOTA = Quota(50 * 1024 * 1024, 100)
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


def sniff_content_type(head: bytes) -> str | None:
    """PDF, PNG or JPEG from the first bytes; None for anything else."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def check_image(content: bytes) -> None:
    """Refuse (Invalid naming `file`) a PNG or JPEG that cannot be read, or whose dimensions
    pass MAX_IMAGE_SIDE pixels on a side or MAX_IMAGE_PIXELS in all (decompression bombs
    included). Reads the header and checks the data's integrity; never decodes the pixels."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                width, height = image.size
                if max(width, height) > MAX_IMAGE_SIDE or width * height > MAX_IMAGE_PIXELS:
                    raise Invalid(IMAGE_TOO_LARGE, {"file": IMAGE_TOO_LARGE})
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise Invalid(IMAGE_TOO_LARGE, {"file": IMAGE_TOO_LARGE}) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise Invalid(IMAGE_UNREADABLE, {"file": IMAGE_UNREADABLE}) from error


def check_quota(session: Session, user: User, size: int, quota: Quota) -> None:
    """Invalid (naming `file`, QUOTA_FULL) when one more file of `size` bytes would take the
    user past `quota`. Locks the user's row first (PostgreSQL; SQLite's writers queue anyway),
    so two uploads at once cannot both squeeze in."""
    session.execute(select(User.id).where(User.id == user.id).with_for_update())
    count, total = session.execute(
        select(func.count(Upload.id), func.coalesce(func.sum(Upload.size), 0)).where(Upload.owner_id == user.id)
    ).one()
    if count + 1 > quota.files or total + size > quota.bytes:
        raise Invalid(QUOTA_FULL, {"file": QUOTA_FULL})


def store_upload(
    session: Session,
    user: User,
    original_name: str,
    stream: IO[bytes],
    upload_dir: Path,
    now: datetime,
    quota: Quota = DEFAULT_QUOTA,
) -> Upload:
    """Save a file under a random name; refuse what is too large (TooLarge, over
    MAX_UPLOAD_BYTES), empty, not PDF/PNG/JPEG, an image of insane dimensions, or over the
    user's `quota` (Invalid naming `file`). `now` is aware UTC. Flushes."""
    content = stream.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise TooLarge(f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    if not content:
        raise Invalid("The file is empty", {"file": "The file is empty"})
    content_type = sniff_content_type(content[:16])
    if content_type is None:
        raise Invalid("Only PDF, PNG or JPEG files are accepted", {"file": "Upload a PDF, PNG or JPEG file"})
    if content_type.startswith("image/"):
        check_image(content)
    check_quota(session, user, len(content), quota)
    upload_id = secrets.token_hex(16)
    upload_dir.mkdir(parents=True, exist_ok=True)
    path = upload_dir / upload_id
    path.write_bytes(content)
    path.chmod(0o600)
    upload = Upload(
        id=upload_id,
        owner_id=user.id,
        content_type=content_type,
        size=len(content),
        original_name=Path(original_name or "upload").name[:255],
        created_at=now,
    )
    session.add(upload)
    session.flush()
    return upload


def read_upload(session: Session, user: User, upload_id: str, upload_dir: Path) -> tuple[Upload, bytes]:
    """The file, for those who may see an application of its owner (else NotFound)."""
    upload = session.get(Upload, upload_id)
    if upload is None or not can_read_upload(session, user, upload):
        raise NotFound(f"upload {upload_id} not found")
    path = upload_dir / upload.id
    if not path.is_file():
        raise NotFound(f"upload {upload_id} not found")
    return upload, path.read_bytes()


def remove_unattached_uploads(
    make_session: sessionmaker[Any], upload_dir: Path, now: datetime, lifetime: timedelta = UNATTACHED_LIFETIME
) -> int:
    """Delete every upload (row and file) that no application of its owner names, `lifetime`
    after it was uploaded; return how many went. `now` is aware UTC.

    An upload found attached is marked (`attached_at`) and kept for good, so each round
    reads only the process data of owners with new candidates. A file in `upload_dir` with
    an upload's name but no row (left by a failure between the two steps) goes too, once
    older than `lifetime`. Rows are deleted in one transaction, the files after it commits;
    on PostgreSQL the rows are locked (SKIP LOCKED), and a task completion locks the
    upload it names, so a file being attached at that moment is never taken.
    """
    cutoff = now - lifetime
    with make_session() as session, session.begin():
        candidates = list(
            session.scalars(
                select(Upload)
                .where(Upload.attached_at.is_(None), Upload.created_at <= cutoff)
                .order_by(Upload.id)
                .with_for_update(skip_locked=True)
            )
        )
        by_owner: dict[int, list[Upload]] = defaultdict(list)
        for upload in candidates:
            by_owner[upload.owner_id].append(upload)
        gone: list[str] = []
        for owner_id, uploads in by_owner.items():
            named = _named_in_applications(session, owner_id, {upload.id for upload in uploads})
            for upload in uploads:
                if upload.id in named:
                    upload.attached_at = now
                else:
                    gone.append(upload.id)
                    session.delete(upload)
    for upload_id in gone:
        (upload_dir / upload_id).unlink(missing_ok=True)
    return len(gone) + _remove_stray_files(make_session, upload_dir, cutoff)


def _named_in_applications(session: Session, owner_id: int, upload_ids: set[str]) -> set[str]:
    """Which of `upload_ids` the stored process data of the owner's applications mentions.

    The whole stored state is searched (every task's data, finished ones included), so a
    file an application ever named is kept."""
    states = session.scalars(
        select(ProcessInstance.state)
        .join(Application, Application.instance_id == ProcessInstance.id)
        .where(Application.officer_id == owner_id)
    )
    named: set[str] = set()
    for state in states:
        text = state_json(state)
        named |= {upload_id for upload_id in upload_ids - named if upload_id in text}
        if named == upload_ids:
            break
    return named


def _remove_stray_files(make_session: sessionmaker[Any], upload_dir: Path, cutoff: datetime) -> int:
    if not upload_dir.is_dir():
        return 0
    files = {
        path.name: path
        for path in upload_dir.iterdir()
        if _UPLOAD_NAME.fullmatch(path.name) and path.stat().st_mtime <= cutoff.timestamp()
    }
    if not files:
        return 0
    with make_session() as session:
        known = set(session.scalars(select(Upload.id).where(Upload.id.in_(list(files)))))
    stray = [path for name, path in files.items() if name not in known]
    for path in stray:
        log.info("removing upload file %s: no upload row names it", path.name)
        path.unlink(missing_ok=True)
    return len(stray)

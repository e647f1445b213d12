"""Uploaded files: type judged from the bytes, size-limited, stored outside the web root."""

from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import Path
from typing import IO

from sqlalchemy.orm import Session

from engine.access import can_read_upload
from engine.errors import Invalid, NotFound, TooLarge
from engine.models import Upload, User

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
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


def store_upload(
    session: Session, user: User, original_name: str, stream: IO[bytes], upload_dir: Path, now: datetime
) -> Upload:
    """Save a file under a random name; refuse what is too large or not PDF/PNG/JPEG."""
    content = stream.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise TooLarge(f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    if not content:
        raise Invalid("The file is empty", {"file": "The file is empty"})
    content_type = sniff_content_type(content[:16])
    if content_type is None:
        raise Invalid("Only PDF, PNG or JPEG files are accepted", {"file": "Upload a PDF, PNG or JPEG file"})
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

"""File uploads."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from engine.errors import Invalid
from engine.services.uploads import read_upload, store_upload
from webapp.api.blueprint import api
from webapp.api.identity import authenticated, caller
from webapp.core.database import commit, now, session, settings, upload_quota
from webapp.core.throttle import check_upload_rate


@api.post("/uploads")
@authenticated
def upload() -> Any:
    file = request.files.get("file")
    if file is None:
        raise Invalid("Send the file as multipart form field 'file'", {"file": "This field is required"})
    check_upload_rate(caller().id)
    try:
        stored = store_upload(
            session(), caller(), file.filename or "upload", file.stream, settings().upload_dir, now(), upload_quota()
        )
    finally:
        file.close()
    commit()
    return jsonify({"id": stored.id, "content_type": stored.content_type, "size": stored.size}), 201


@api.get("/uploads/<upload_id>")
@authenticated
def download(upload_id: str) -> Any:
    stored, content = read_upload(session(), caller(), upload_id, settings().upload_dir)
    response = Response(content, mimetype=stored.content_type)
    response.headers["Content-Disposition"] = "attachment"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response

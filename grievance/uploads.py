"""Photos attached to reports: checked by their bytes, stored under random names, served by views.

A photo is accepted only when its first bytes say JPEG, PNG or WebP (the file name and the
browser's content type are the sender's claims, not facts) and it is at most 5 MB. It is stored
in the instance folder's ``uploads/`` (or ``app.config["GRIEVANCE_UPLOADS_DIR"]``) under a random
name that reveals nothing and cannot be guessed; the report keeps only that name. Nothing here is
public by itself: views decide who may see a report's photo and call `send_photo`.
"""

from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, abort, current_app, send_file
from PIL import Image, ImageOps
from werkzeug.datastructures import FileStorage

from grievance.services.errors import N_

MAX_PHOTO_BYTES = 5 * 1024 * 1024
UPLOADS_CONFIG_KEY = "GRIEVANCE_UPLOADS_DIR"

MIME_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
# Only names this module made are ever opened: no path tricks can reach another file.
_STORED_NAME = re.compile(r"[A-Za-z0-9_-]{20,64}\.(jpg|png|webp)")


class PhotoRejected(ValueError):
    """An upload that is not an acceptable photo; `message` is an untranslated msgid."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Photo:
    """A checked photo held in memory until it is saved."""

    data: bytes
    extension: str  # jpg, png or webp

    @property
    def mime_type(self) -> str:
        """Return the photo's content type."""
        return MIME_TYPES[self.extension]


def sniff_image_type(head: bytes) -> str | None:
    """Return jpg, png or webp from a file's first bytes, or None for anything else."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def read_photo(upload: FileStorage) -> Photo | None:
    """Return the checked photo of an upload, None when no file was sent, or raise PhotoRejected."""
    if upload is None or not upload.filename:
        return None
    # One byte more than allowed tells "too large" without reading an unbounded stream.
    data = upload.stream.read(MAX_PHOTO_BYTES + 1)
    if not data:
        return None
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoRejected(
            N_("The photo is too large (at most %(size)s MB)."),
            size=MAX_PHOTO_BYTES // (1024 * 1024),
        )
    extension = sniff_image_type(data[:16])
    if extension is None:
        raise PhotoRejected(N_("This file is not a photo. Send a JPEG, PNG or WebP image."))
    return Photo(reencode(data, extension), extension)


_PIL_FORMATS = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}
# A photo is at most 5 MB, but a small file can decode to a huge bitmap (a "bomb"): cap pixels.
MAX_PIXELS = 50_000_000


def reencode(data: bytes, extension: str) -> bytes:
    """Decode a photo and encode its pixels again, dropping every piece of metadata.

    Phones write the place a photo was taken (EXIF GPS), the device and often the owner's name
    into the file: published as sent, it could unmask an anonymous reporter. Only the pixels
    (turned upright by the EXIF orientation first) survive. A file that does not decode as the
    image it claims to be is refused.
    """
    try:
        with Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[extension]]) as image:
            if image.width * image.height > MAX_PIXELS:
                raise PhotoRejected(N_("The photo has too many pixels."))
            upright = ImageOps.exif_transpose(image)
            if upright.mode not in ("RGB", "RGBA", "L"):
                upright = upright.convert("RGBA" if "A" in upright.getbands() else "RGB")
            if extension == "jpg" and upright.mode == "RGBA":
                upright = upright.convert("RGB")
            clean = Image.new(upright.mode, upright.size)
            clean.paste(upright)
            out = io.BytesIO()
            options = {"quality": 85} if extension in ("jpg", "webp") else {"optimize": True}
            clean.save(out, format=_PIL_FORMATS[extension], **options)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise PhotoRejected(
            N_("This file is not a photo. Send a JPEG, PNG or WebP image.")
        ) from exc
    return out.getvalue()


def uploads_dir(app: Flask | None = None) -> Path:
    """Return the folder photos are stored in, creating it when missing."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    configured = app.config.get(UPLOADS_CONFIG_KEY)
    folder = Path(configured) if configured else Path(app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_photo(photo: Photo) -> str:
    """Store a checked photo under a new random name and return that name."""
    name = f"{secrets.token_urlsafe(18)}.{photo.extension}"
    path = uploads_dir() / name
    # Exclusive creation: a name clash (never expected) fails instead of overwriting a photo.
    with path.open("xb") as handle:
        handle.write(photo.data)
    return name


def stored_path(name: str | None) -> Path | None:
    """Return the file of a stored photo name, or None when the name or the file is not ours."""
    if not name or not _STORED_NAME.fullmatch(name):
        return None
    path = uploads_dir() / name
    return path if path.is_file() else None


def delete_photo(name: str | None) -> None:
    """Remove a stored photo (a filing that failed after the photo was saved)."""
    path = stored_path(name)
    if path is not None:
        path.unlink(missing_ok=True)


def send_photo(name: str | None) -> Response:
    """Send a stored photo with its type, never cached by shared caches; 404 when missing."""
    path = stored_path(name)
    if path is None:
        abort(404)
    extension = path.suffix.lstrip(".")
    response = send_file(path, mimetype=MIME_TYPES[extension], max_age=0, conditional=True)
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["Content-Disposition"] = "inline"
    return response

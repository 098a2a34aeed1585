"""Photos: checked by their content (not their name), size-limited, stored via Django's
storage API (local disk by default, object storage by configuration)."""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404

from .models import Case, CasePhoto
from .transitions import CaseError

SIGNATURES = [
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
]
CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp")  # every type `sniff` accepts


class PhotoError(CaseError):
    """A photo that is too big or not an image; the message names which."""


def sniff(data: bytes) -> tuple[str, str]:
    for magic, content_type, ext in SIGNATURES:
        if data.startswith(magic):
            return content_type, ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", "webp"
    raise PhotoError("照片格式不支持：只接受 JPEG、PNG 或 WebP 图片")


def read_photo(photo) -> tuple[str, bytes]:
    """(name, bytes) from an uploaded file or a (name, bytes) pair, size-checked."""
    if isinstance(photo, tuple):
        name, data = photo
    else:
        name, data = getattr(photo, "name", "photo"), photo.read()
    limit = getattr(settings, "JICENG_MAX_PHOTO_BYTES", 10 * 1024 * 1024)
    if len(data) > limit:
        raise PhotoError(f"照片“{name}”太大：{len(data) // 1024} KB，上限 {limit // 1024} KB")
    if not data:
        raise PhotoError(f"照片“{name}”是空文件")
    return name, data


def check_photos(photos) -> list[tuple[str, bytes, str, str]]:
    """Validate every photo before anything is stored."""
    checked = []
    for photo in photos:
        name, data = read_photo(photo)
        content_type, ext = sniff(data)
        checked.append((name, data, content_type, ext))
    return checked


def store_photos(case: Case, stage: str, checked, user) -> list[CasePhoto]:
    stored = []
    for i, (_name, data, content_type, ext) in enumerate(checked, start=1):
        photo = CasePhoto(
            case=case, stage=stage, content_type=content_type, size=len(data), uploaded_by=user
        )
        photo.file.save(f"{stage}-{i}.{ext}", ContentFile(data), save=False)
        photo.save()
        stored.append(photo)
    return stored


def photo_response(case: Case, photo_id: int) -> FileResponse:
    """The file of one of `case`'s photos, for a caller already allowed to see the case
    (the case page and the API): 404 for a photo of another case or a file gone from
    the storage. `private`: a shared cache must never keep a scoped photo."""
    picture = CasePhoto.objects.filter(case=case, pk=photo_id).first()
    if picture is None:
        raise Http404("没有这张照片")
    try:
        handle = picture.file.open("rb")
    except FileNotFoundError:
        raise Http404("照片文件不存在") from None
    response = FileResponse(handle, content_type=picture.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response

"""Gig images for demo data, tests and benchmarks that need a publishable gig (G8 wants a clean
image). The image is generated here, uploaded through the real upload request and scanned through
the real scan service; where no ClamAV runs (tests that are not about scanning, benchmarks),
``GeneratedImageScanner`` stands in: it only ever sees the PNG generated below."""
from __future__ import annotations

import io

import boto3

from chalicelib.config import settings
from chalicelib.domain.clock import Clock
from chalicelib.domain.files import Purpose, UploadRequest
from chalicelib.files.clamav import Scanner


class GeneratedImageScanner:
    """For locally generated images only: reports no signature."""

    name = "generated-content"

    def scan(self, path: str) -> str | None:
        return None


def png_bytes(width: int = 1280, height: int = 769, color=(40, 120, 200)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="PNG")
    return out.getvalue()


def upload_and_scan(owner_id: str, clock: Clock, data: bytes, name: str, content_type: str,
                    purpose: Purpose, scanner: Scanner) -> str:
    """Through the same services as a client: request, put the object, scan it. Returns the file id."""
    from chalicelib.services import files, scanning

    upload = files.request_upload(owner_id, UploadRequest(purpose, name, content_type, len(data)), clock)
    s3 = boto3.client("s3", region_name=settings().aws_region)
    put = s3.put_object(Bucket=settings().upload_bucket, Key=upload.file.key, Body=data, ContentType=content_type)
    scanning.scan_object(settings().upload_bucket, upload.file.key, put.get("VersionId"), len(data), scanner, clock)
    return upload.file.id


def seed_gig_image(owner_id: str, clock: Clock, scanner: Scanner | None = None) -> str:
    return upload_and_scan(owner_id, clock, png_bytes(), "cover.png", "image/png", Purpose.GIG_MEDIA,
                           scanner or GeneratedImageScanner())


def seed_profile_photo(owner_id: str, clock: Clock, scanner: Scanner | None = None) -> str:
    """A1: a seller profile's photo is the seller's own clean profile-photo upload."""
    return upload_and_scan(owner_id, clock, png_bytes(400, 400, (200, 160, 90)), "me.png", "image/png",
                           Purpose.PROFILE_PHOTO, scanner or GeneratedImageScanner())

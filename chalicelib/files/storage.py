"""The upload bucket (S3, versioned). Clients upload with a presigned POST whose policy fixes the
key, the content type and the exact size the client declared and allows no other field (so no tags); they
download a clean version with a short presigned GET. The scanner reads one exact version and tags
it ``scan-status=<verdict>``; the bucket policy refuses any GET of a version not tagged clean."""
from __future__ import annotations

from functools import lru_cache

import boto3
from botocore.config import Config

from chalicelib.config import settings
from chalicelib.domain.files import content_disposition

SCAN_STATUS_TAG = "scan-status"  # infra/stacks/marketplace.py denies GetObject unless "clean"


@lru_cache(maxsize=1)
def _client():
    s = settings()
    # Signature V4 for presigned URLs in every region; the regional endpoint for POST forms.
    return boto3.client("s3", region_name=s.aws_region,
                        config=Config(signature_version="s3v4", s3={"addressing_style": "virtual"}))


def presign_post(key: str, content_type: str, size: int, expires_seconds: int) -> dict:
    """``{"url", "fields"}`` for an HTML form / multipart POST. Every field the client may send is
    a condition of the policy; S3 refuses any other (a ``tagging`` field among them), and a body
    of any other length than ``size`` (F1: the size declared when the upload was asked for)."""
    return _client().generate_presigned_post(
        Bucket=settings().upload_bucket,
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", size, size]],
        ExpiresIn=expires_seconds,
    )


def presign_get(key: str, version_id: str, display_name: str, content_type: str, expires_seconds: int) -> str:
    """A GET of exactly the scanned version, saved under its display name (RFC 6266, F1), never
    rendered inline."""
    disposition = content_disposition(display_name)
    return _client().generate_presigned_url("get_object", Params={
        "Bucket": settings().upload_bucket, "Key": key, "VersionId": version_id,
        "ResponseContentDisposition": disposition, "ResponseContentType": content_type,
    }, ExpiresIn=expires_seconds)


def head(bucket: str, key: str, version_id: str | None) -> dict:
    params = {"Bucket": bucket, "Key": key}
    if version_id:
        params["VersionId"] = version_id
    return _client().head_object(**params)


def download(bucket: str, key: str, version_id: str, path: str) -> None:
    with open(path, "wb") as f:
        _client().download_fileobj(bucket, key, f, ExtraArgs={"VersionId": version_id})


def tag(bucket: str, key: str, version_id: str, status: str) -> None:
    _client().put_object_tagging(Bucket=bucket, Key=key, VersionId=version_id,
                                 Tagging={"TagSet": [{"Key": SCAN_STATUS_TAG, "Value": status}]})


def tags(bucket: str, key: str, version_id: str) -> dict[str, str]:
    found = _client().get_object_tagging(Bucket=bucket, Key=key, VersionId=version_id)["TagSet"]
    return {t["Key"]: t["Value"] for t in found}

"""Conditional writes (HTTP If-Match, RFC 9110 §13.1.1) as the services see them. A resource
people edit carries a version (its ETag is ``"<version>"``); a write names the version it was
based on, and the service compares it with the version it read, then writes conditioned on that
same version, so no write based on a stale copy lands (412), even one racing another."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from .errors import PreconditionFailed, PreconditionRequired

T = TypeVar("T")


@dataclass(frozen=True)
class Versioned(Generic[T]):
    """A resource as read or written, with the version its ETag names."""

    value: T
    version: int


def etag(version: int) -> str:
    """The strong entity tag of a resource at ``version``."""
    return f'"{version}"'


@dataclass(frozen=True)
class IfMatch:
    """``versions``: the versions named (None when the header was absent); ``any``: ``If-Match: *``;
    ``required``: the route replaces the whole resource, so a write without the header over an
    existing resource is refused (428): it would lose whatever changed since the client read it."""

    versions: frozenset[int] | None = None
    any: bool = False
    required: bool = False

    @classmethod
    def parse(cls, header: str | None, required: bool = False) -> IfMatch:
        """A weak tag (``W/"3"``) or one this API never issued never matches (strong comparison)."""
        if header is None or not header.strip():
            return cls(required=required)
        if header.strip() == "*":
            return cls(any=True, required=required)
        versions = set()
        for tag in header.split(","):
            tag = tag.strip()
            if len(tag) > 2 and tag[0] == tag[-1] == '"' and tag[1:-1].isdigit() and len(tag) < 24:
                versions.add(int(tag[1:-1]))
        return cls(frozenset(versions), required=required)

    def check(self, current: int | None, replaces: bool | None = None) -> None:
        """``current``: the version read, None when the resource does not exist (yet); ``replaces``:
        the write would overwrite content someone wrote (by default: the resource exists)."""
        if self.versions is None and not self.any:
            if self.required and (current is not None if replaces is None else replaces):
                raise PreconditionRequired("This write replaces the resource: send If-Match with the ETag you "
                                           "last read.")
            return
        if current is None:
            raise PreconditionFailed("If-Match names a version, but there is nothing here yet.")
        if not self.any and current not in (self.versions or frozenset()):
            raise PreconditionFailed(f"The resource changed since you read it (now {etag(current)}); read it "
                                     "again and reapply your change.")

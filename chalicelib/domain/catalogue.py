"""The operator-managed catalogue of categories (G2): category → subcategory → service type.

Values are frozen; a ``Catalogue`` checks its whole tree when built (valid, unique slugs) and
raises ``InvalidInput`` listing every problem with a dotted path
(``categories.0.subcategories.1.slug``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .errors import FieldError, InvalidInput

SLUG_PATTERN = re.compile(r"[a-z0-9-]{2,40}")
NAME_MAX = 80  # [decision] display names of catalogue entries


def slug_errors(value: object, field_path: str = "slug") -> list[FieldError]:
    """Errors for one slug: lowercase letters, digits and hyphens, 2–40 characters."""
    if not isinstance(value, str) or not SLUG_PATTERN.fullmatch(value):
        return [FieldError(field_path, "must be 2-40 lowercase letters, digits or hyphens",
                           code="invalid_slug", rule="G2")]
    return []


def validate_slug(value: object, field_path: str = "slug") -> str:
    """Return ``value`` if it is a valid slug, else raise ``InvalidInput`` naming the field."""
    errors = slug_errors(value, field_path)
    if errors:
        raise InvalidInput("invalid slug", code="invalid_slug", fields=errors)
    assert isinstance(value, str)
    return value


@dataclass(frozen=True)
class ServiceType:
    slug: str
    name: str


@dataclass(frozen=True)
class Subcategory:
    slug: str
    name: str
    service_types: tuple[ServiceType, ...] = ()
    requires_video: bool = False  # G8: video mandatory (Video & Animation)
    allows_audio: bool = False  # G8: audio allowed in some categories

    def service_type(self, slug: str) -> ServiceType | None:
        return next((t for t in self.service_types if t.slug == slug), None)


@dataclass(frozen=True)
class Category:
    slug: str
    name: str
    subcategories: tuple[Subcategory, ...] = ()

    def subcategory(self, slug: str) -> Subcategory | None:
        return next((s for s in self.subcategories if s.slug == slug), None)


@dataclass(frozen=True)
class Catalogue:
    categories: tuple[Category, ...] = ()

    def __post_init__(self) -> None:
        errors = _tree_errors(self)
        if errors:
            raise InvalidInput("invalid catalogue", code="invalid_catalogue", fields=errors)

    @cached_property
    def _index(self) -> dict[str, Category]:
        return {c.slug: c for c in self.categories}

    def category(self, slug: str) -> Category | None:
        return self._index.get(slug)

    def subcategory(self, category: str, subcategory: str) -> Subcategory | None:
        cat = self.category(category)
        return cat.subcategory(subcategory) if cat else None

    def as_dict(self) -> dict[str, Any]:
        return {"categories": [
            {"slug": c.slug, "name": c.name, "subcategories": [
                {"slug": s.slug, "name": s.name, "requires_video": s.requires_video,
                 "allows_audio": s.allows_audio,
                 "service_types": [{"slug": t.slug, "name": t.name} for t in s.service_types]}
                for s in c.subcategories]}
            for c in self.categories]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Catalogue:
        """Inverse of ``as_dict`` (for persistence; the shape is trusted, the slugs are checked)."""
        return cls(tuple(
            Category(c["slug"], c["name"], tuple(
                Subcategory(s["slug"], s["name"],
                            tuple(ServiceType(t["slug"], t["name"]) for t in s.get("service_types", ())),
                            requires_video=bool(s.get("requires_video", False)),
                            allows_audio=bool(s.get("allows_audio", False)))
                for s in c.get("subcategories", ())))
            for c in data.get("categories", ())))


def _tree_errors(catalogue: Catalogue) -> list[FieldError]:
    errors: list[FieldError] = []

    def check_level(items: tuple[Any, ...], path: str) -> None:
        seen: set[str] = set()
        for i, item in enumerate(items):
            errors.extend(slug_errors(item.slug, f"{path}.{i}.slug"))
            if item.slug in seen:
                errors.append(FieldError(f"{path}.{i}.slug", f"duplicate slug {item.slug!r}",
                                         code="duplicate", rule="G2"))
            seen.add(item.slug)
            if not isinstance(item.name, str) or not item.name.strip() or len(item.name) > NAME_MAX:
                errors.append(FieldError(f"{path}.{i}.name", f"required, at most {NAME_MAX} characters",
                                         code="invalid", rule="G2"))

    check_level(catalogue.categories, "categories")
    for ci, cat in enumerate(catalogue.categories):
        check_level(cat.subcategories, f"categories.{ci}.subcategories")
        for si, sub in enumerate(cat.subcategories):
            check_level(sub.service_types, f"categories.{ci}.subcategories.{si}.service_types")
    return errors

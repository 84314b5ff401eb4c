"""G2: the operator-managed catalogue and its slugs."""
from __future__ import annotations

import pytest

from chalicelib.domain.catalogue import (
    Catalogue,
    Category,
    ServiceType,
    Subcategory,
    slug_errors,
    validate_slug,
)
from chalicelib.domain.errors import InvalidInput

from .gig_factory import demo_catalogue


@pytest.mark.parametrize("slug", ["ab", "real-estate", "3d-renders", "a" * 40, "floor-plans-2"])
def test_g2_valid_slugs(slug: str) -> None:
    assert validate_slug(slug) == slug
    assert slug_errors(slug) == []


@pytest.mark.parametrize("slug", ["a", "a" * 41, "Real-Estate", "real estate", "real_estate",
                                  "réel", "", None, 12])
def test_g2_invalid_slugs_name_the_field(slug: object) -> None:
    with pytest.raises(InvalidInput) as exc:
        validate_slug(slug, "category")
    assert exc.value.code == "invalid_slug"
    [error] = exc.value.fields
    assert (error.field, error.code, error.rule) == ("category", "invalid_slug", "G2")


def test_g2_lookups() -> None:
    cat = demo_catalogue()
    assert cat.category("real-estate").name == "Real estate"
    assert cat.category("nope") is None
    sub = cat.subcategory("real-estate", "photography")
    assert sub is not None and sub.service_type("residential") == ServiceType("residential", "Residential")
    assert sub.service_type("industrial") is None
    assert cat.subcategory("real-estate", "nope") is None
    assert cat.subcategory("nope", "photography") is None
    assert cat.subcategory("video-animation", "property-tours").requires_video
    assert cat.subcategory("music-audio", "voice-over").allows_audio


def test_g2_catalogue_reports_every_bad_slug_and_duplicate() -> None:
    with pytest.raises(InvalidInput) as exc:
        Catalogue((
            Category("ok", "Ok", (Subcategory("Bad Slug", "x"), Subcategory("dup", "a"),
                                  Subcategory("dup", "b", (ServiceType("x", "X"),)))),
            Category("ok", ""),
        ))
    fields = {(e.field, e.code) for e in exc.value.fields}
    assert fields == {
        ("categories.0.subcategories.0.slug", "invalid_slug"),
        ("categories.0.subcategories.2.slug", "duplicate"),
        ("categories.0.subcategories.2.service_types.0.slug", "invalid_slug"),
        ("categories.1.slug", "duplicate"),
        ("categories.1.name", "invalid"),
    }
    assert all(e.rule == "G2" for e in exc.value.fields)


def test_catalogue_round_trips_through_dict() -> None:
    cat = demo_catalogue()
    assert Catalogue.from_dict(cat.as_dict()) == cat


def test_catalogue_values_are_frozen() -> None:
    cat = demo_catalogue()
    with pytest.raises(AttributeError):
        cat.categories = ()  # type: ignore[misc]

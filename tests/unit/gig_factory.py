"""Shared builders for tests: a small catalogue and a publishable gig. Reusable by any suite."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain.catalogue import Catalogue, Category, ServiceType, Subcategory
from chalicelib.domain.gigs import (
    AdditionalRevision,
    CustomExtra,
    Extras,
    FaqEntry,
    FastDelivery,
    Gig,
    GigState,
    Package,
    Requirement,
    RequirementType,
    Shipping,
)
from chalicelib.domain.levels import SellerLevel

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
SELLER_ID = "usr_seller000000000000000"


def demo_catalogue() -> Catalogue:
    return Catalogue((
        Category("real-estate", "Real estate", (
            Subcategory("photography", "Property photography", (
                ServiceType("residential", "Residential"),
                ServiceType("commercial", "Commercial"),
            )),
            Subcategory("floor-plans", "Floor plans"),
        )),
        Category("video-animation", "Video & Animation", (
            Subcategory("property-tours", "Property video tours", requires_video=True),
        )),
        Category("music-audio", "Music & Audio", (
            Subcategory("voice-over", "Voice over", allows_audio=True),
        )),
        Category("home-services", "Home services", (
            Subcategory("signage", "Signs and prints"),
        )),
    ))


def basic_package(**overrides: Any) -> Package:
    values: dict[str, Any] = dict(tier="basic", name="Starter", description="10 edited photos",
                                  delivery_days=5, revisions=1, price=5_000)
    return Package(**(values | overrides))


def three_packages() -> tuple[Package, Package, Package]:
    return (
        basic_package(),
        Package("standard", "Standard", "25 edited photos", 5, 2, 10_000),
        Package("premium", "Premium", "50 photos and a drone video", 7, None, 20_000),
    )


def full_extras() -> Extras:
    return Extras(
        fast_delivery=(FastDelivery("basic", 2, 2_000), FastDelivery("premium", 3, 5_000)),
        additional_revision=AdditionalRevision(price=1_500, added_days=1),
        custom=(CustomExtra("twilight", "Twilight shots", 4_000, 1),
                CustomExtra("drone", "Drone photos", 6_000, 2)),
    )


def valid_gig(**overrides: Any) -> Gig:
    """A draft that passes every publish check (three packages, every kind of extra but shipping,
    FAQ, requirements). Any Gig field can be overridden."""
    gig = Gig(
        id="gig_test0000000000000000", seller_id=SELLER_ID, state=GigState.DRAFT,
        title="I will photograph your property for sale or rent",
        category="real-estate", subcategory="photography", service_type="residential",
        tags=("real estate", "photography", "hdr"),
        description="Professional HDR photos of houses and apartments, edited and delivered "
                    "ready for listings.",
        packages=three_packages(), extras=full_extras(),
        faq=(FaqEntry("Do you travel?", "Within 50 km of the city centre."),),
        requirements=(
            Requirement("address", "What is the property's address?", RequirementType.FREE_TEXT, True),
            Requirement("kind", "What kind of property?", RequirementType.MULTIPLE_CHOICE, True,
                        options=("House", "Apartment", "Office")),
            Requirement("plan", "Upload a floor plan if you have one", RequirementType.FILE, False),
        ),
        physical=False, created_at=NOW, updated_at=NOW,
    )
    return replace(gig, **overrides)


def physical_gig(**overrides: Any) -> Gig:
    """A publishable gig that ships a physical item (a printed sign), with a shipping extra."""
    values: dict[str, Any] = dict(
        title="I will print a for sale sign for your property",
        category="home-services", subcategory="signage", service_type=None,
        tags=("signs", "print"), physical=True,
        packages=(basic_package(name="Sign", description="One printed sign"),),
        extras=Extras(shipping=Shipping(1_200)), requirements=(), faq=(),
    )
    return valid_gig(**(values | overrides))


def published_gig(**overrides: Any) -> Gig:
    gig = valid_gig(**overrides)
    # G9: a Level 1 seller publishes without review (the review path: tests/unit/test_gig_approvals.py).
    return gig.publish(NOW, demo_catalogue(), seller_level=SellerLevel.LEVEL_1, seller_available=True)

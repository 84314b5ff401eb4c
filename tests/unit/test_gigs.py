"""The gig aggregate: every G rule passing and failing (the rule id is in each test's name), the
draft check, G2's lock after publishing, and the G9/A4 transition table cell by cell (G9's review
by level and revisions: test_gig_approvals.py)."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.domain.errors import Conflict, FieldError, Forbidden, InvalidInput
from chalicelib.domain.gigs import (
    DESCRIPTION_MAX,
    GIG_TRANSITIONS,
    TITLE_MAX,
    Actor,
    AdditionalRevision,
    CustomExtra,
    Extras,
    FaqEntry,
    FastDelivery,
    Gig,
    GigAction,
    GigRevision,
    GigState,
    Package,
    PauseReason,
    Requirement,
    RequirementType,
    Shipping,
    draft_errors,
    publish_errors,
)
from chalicelib.domain.levels import SellerLevel

from .gig_factory import (
    NOW,
    SELLER_ID,
    basic_package,
    demo_catalogue,
    full_extras,
    physical_gig,
    published_gig,
    three_packages,
    valid_gig,
)

CATALOGUE = demo_catalogue()
LATER = NOW + timedelta(hours=1)


def errors(gig: Gig) -> set[tuple[str, str, str | None]]:
    return {(e.field, e.code, e.rule) for e in publish_errors(gig, CATALOGUE)}


def assert_only(gig: Gig, *expected: tuple[str, str, str]) -> None:
    assert errors(gig) == set(expected)


def with_packages(*changes: dict[str, Any]) -> tuple[Package, ...]:
    """The three valid packages with per-index changes."""
    padded = changes + ({},) * (3 - len(changes))
    return tuple(replace(p, **c) for p, c in zip(three_packages(), padded, strict=True))


# --------------------------------------------------------------------------------------------
# Valid gigs
# --------------------------------------------------------------------------------------------
def test_valid_gigs_have_no_publish_errors() -> None:
    assert publish_errors(valid_gig(), CATALOGUE) == []
    assert publish_errors(physical_gig(), CATALOGUE) == []
    assert publish_errors(valid_gig(packages=(basic_package(),), extras=Extras()), CATALOGUE) == []


def test_every_error_names_a_rule_and_a_path() -> None:
    gig = valid_gig(title="", tags=(), description="", packages=(), faq=(FaqEntry("", ""),),
                    requirements=(Requirement("r", "", RequirementType.FILE, True),))
    found = publish_errors(gig, CATALOGUE)
    assert found and all(e.rule and e.field for e in found)


def test_all_errors_are_returned_at_once() -> None:
    gig = valid_gig(title="", category="nope", tags=(), description="x" * (DESCRIPTION_MAX + 1),
                    packages=with_packages({}, {"price": 1}, {}), faq=(FaqEntry("q?", ""),))
    assert {rule for _, _, rule in errors(gig)} >= {"G1", "G2", "G3", "G4", "G6"}
    assert ("title", "required", "G1") in errors(gig)
    assert ("packages.1.price", "too_small", "G4") in errors(gig)
    assert ("faq.0.answer", "required", "G6") in errors(gig)


def test_g8_media_errors_hook_is_appended() -> None:
    media = [FieldError("gallery", "at least one image", code="required", rule="G8")]
    assert publish_errors(valid_gig(), CATALOGUE, media) == media


# --------------------------------------------------------------------------------------------
# G1 title
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("title", ["I will shoot your home", "Drone photos of homes", "x" * TITLE_MAX])
def test_g1_title_passes(title: str) -> None:
    """G1: required, at most 80 characters; "I will" is only recommended."""
    assert errors(valid_gig(title=title)) == set()


@pytest.mark.parametrize(("title", "code"), [("", "required"), ("   ", "required"),
                                             ("x" * (TITLE_MAX + 1), "too_long"),
                                             (None, "invalid_type")])
def test_g1_title_fails(title: Any, code: str) -> None:
    assert_only(valid_gig(title=title), ("title", code, "G1"))


# --------------------------------------------------------------------------------------------
# G2 category
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("category", "subcategory", "service_type"), [
    ("real-estate", "photography", "residential"),
    ("real-estate", "photography", "commercial"),
    ("real-estate", "floor-plans", None),
    ("video-animation", "property-tours", None),
])
def test_g2_category_passes(category: str, subcategory: str, service_type: str | None) -> None:
    gig = valid_gig(category=category, subcategory=subcategory, service_type=service_type)
    assert errors(gig) == set()


@pytest.mark.parametrize(("category", "subcategory", "service_type", "expected"), [
    ("", "photography", "residential", ("category", "required")),
    ("nope", "photography", "residential", ("category", "unknown_category")),
    ("real-estate", "", None, ("subcategory", "required")),
    ("real-estate", "voice-over", None, ("subcategory", "unknown_subcategory")),
    ("real-estate", "photography", None, ("service_type", "required")),
    ("real-estate", "photography", "industrial", ("service_type", "unknown_service_type")),
    ("real-estate", "floor-plans", "residential", ("service_type", "not_allowed")),
    (3, "photography", "residential", ("category", "invalid_type")),
])
def test_g2_category_fails(category: Any, subcategory: str, service_type: str | None,
                           expected: tuple[str, str]) -> None:
    gig = valid_gig(category=category, subcategory=subcategory, service_type=service_type)
    assert_only(gig, (*expected, "G2"))


def test_g2_category_can_change_before_publishing() -> None:
    gig = valid_gig()
    gig.edit(LATER, CATALOGUE, category="real-estate", subcategory="floor-plans", service_type=None)
    assert (gig.subcategory, gig.service_type, gig.updated_at) == ("floor-plans", None, LATER)


@pytest.mark.parametrize("change", [{"category": "video-animation"},
                                    {"subcategory": "floor-plans"},
                                    {"service_type": "commercial"}])
@pytest.mark.parametrize("state", ["published", "paused"])
def test_g2_category_locked_after_publishing(change: dict[str, str], state: str) -> None:
    gig = published_gig()
    if state == "paused":
        gig.apply(GigAction.PAUSE, Actor.SELLER, LATER)
    with pytest.raises(InvalidInput) as exc:
        gig.edit(LATER, CATALOGUE, **change)
    [error] = exc.value.fields
    assert (error.field, error.code, error.rule) == (next(iter(change)), "locked", "G2")
    assert (gig.category, gig.subcategory, gig.service_type) == ("real-estate", "photography", "residential")


def test_g2_lock_allows_resending_the_same_category() -> None:
    gig = published_gig()
    gig.edit(LATER, CATALOGUE, category="real-estate", subcategory="photography",
             service_type="residential", title="I will photograph your house", seller_level=SellerLevel.LEVEL_1)
    assert gig.title == "I will photograph your house"


# --------------------------------------------------------------------------------------------
# G3 tags
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("tags", [("hdr",), ("a1", "b-2", "c 3", "dd", "x" * 20)])
def test_g3_tags_pass(tags: tuple[str, ...]) -> None:
    assert errors(valid_gig(tags=tags)) == set()


@pytest.mark.parametrize(("tags", "expected"), [
    ((), ("tags", "too_few")),
    (("a1", "b2", "c3", "d4", "e5", "f6"), ("tags", "too_many")),
    (("hdr", "x"), ("tags.1", "too_short")),
    (("hdr", "x" * 21), ("tags.1", "too_long")),
    (("hdr", "Real Estate"), ("tags.1", "invalid_format")),
    (("hdr", "#photo"), ("tags.1", "invalid_format")),
    (("hdr", "drone", "hdr"), ("tags.2", "duplicate")),
    (("hdr", 5), ("tags.1", "invalid_type")),
    ("hdr", ("tags", "invalid_type")),
])
def test_g3_tags_fail(tags: Any, expected: tuple[str, str]) -> None:
    assert_only(valid_gig(tags=tags), (*expected, "G3"))


# --------------------------------------------------------------------------------------------
# G4 packages
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("packages", [
    (basic_package(),),
    (basic_package(delivery_days=1, revisions=0, price=500),),
    (basic_package(delivery_days=90, revisions=20, price=1_000_000),),
    (basic_package(revisions=None),),
    with_packages({}, {"price": 5_000}, {"price": 5_000}),  # equal prices are fine
])
def test_g4_packages_pass(packages: tuple[Package, ...]) -> None:
    assert errors(valid_gig(packages=packages, extras=Extras())) == set()


@pytest.mark.parametrize(("packages", "expected"), [
    ((), ("packages", "invalid_count")),
    (three_packages()[:2], ("packages", "invalid_count")),
    (three_packages() + (basic_package(),), ("packages", "too_many")),
    ((basic_package(tier="premium"),), ("packages.0.tier", "invalid_tier")),
    (("basic",), ("packages.0", "invalid_type")),
    (with_packages({}, {"name": ""}), ("packages.1.name", "required")),
    (with_packages({}, {"name": "n" * 41}), ("packages.1.name", "too_long")),
    (with_packages({"description": " "}), ("packages.0.description", "required")),
    (with_packages({"description": "d" * 201}), ("packages.0.description", "too_long")),
    (with_packages({}, {}, {"delivery_days": 91}), ("packages.2.delivery_days", "too_large")),
    (with_packages({}, {}, {"delivery_days": "7"}), ("packages.2.delivery_days", "invalid_type")),
    (with_packages({}, {"revisions": -1}), ("packages.1.revisions", "too_small")),
    (with_packages({}, {"revisions": 21}), ("packages.1.revisions", "too_large")),
    (with_packages({"price": 499}), ("packages.0.price", "too_small")),
    (with_packages({}, {}, {"price": 1_000_001}), ("packages.2.price", "too_large")),
    (with_packages({"price": 50.0}), ("packages.0.price", "invalid_type")),
    (with_packages({"price": True}), ("packages.0.price", "invalid_type")),
    (with_packages({}, {"price": 4_999}), ("packages.1.price", "price_order")),
    (with_packages({}, {}, {"price": 9_999}), ("packages.2.price", "price_order")),
])
def test_g4_packages_fail(packages: tuple[Any, ...], expected: tuple[str, str]) -> None:
    """G4 (numbers are [decision]s: name 40, description 200, 1–90 days, 0–20 revisions,
    $5–$10,000, non-decreasing prices)."""
    assert_only(valid_gig(packages=packages, extras=Extras()), (*expected, "G4"))


def test_g4_tiers_in_order() -> None:
    """G4: three tiers must be basic, standard, premium in that order (no price-order noise)."""
    gig = valid_gig(packages=tuple(reversed(three_packages())), extras=Extras())
    assert_only(gig, ("packages.0.tier", "invalid_tier", "G4"), ("packages.2.tier", "invalid_tier", "G4"))


def test_g4_delivery_days_zero_fails() -> None:
    gig = valid_gig(packages=(basic_package(delivery_days=0),), extras=Extras())
    assert_only(gig, ("packages.0.delivery_days", "too_small", "G4"))


# --------------------------------------------------------------------------------------------
# G5 extras
# --------------------------------------------------------------------------------------------
def test_g5_extras_pass() -> None:
    assert errors(valid_gig(extras=full_extras())) == set()
    assert errors(physical_gig()) == set()
    assert errors(valid_gig(extras=Extras(additional_revision=AdditionalRevision(100)))) == set()
    assert errors(valid_gig(extras=Extras(custom=(CustomExtra("x", "t" * 60, 1, 30),)))) == set()


@pytest.mark.parametrize(("extras", "expected"), [
    (Extras(fast_delivery=(FastDelivery("gold", 1, 100),)), ("extras.fast_delivery.0.tier", "unknown_tier")),
    (Extras(fast_delivery=(FastDelivery("basic", 5, 100),)), ("extras.fast_delivery.0.days", "not_faster")),
    (Extras(fast_delivery=(FastDelivery("basic", 6, 100),)), ("extras.fast_delivery.0.days", "not_faster")),
    (Extras(fast_delivery=(FastDelivery("basic", 0, 100),)), ("extras.fast_delivery.0.days", "too_small")),
    (Extras(fast_delivery=(FastDelivery("basic", 1, 0),)), ("extras.fast_delivery.0.price", "too_small")),
    (Extras(fast_delivery=(FastDelivery("basic", 1, 100), FastDelivery("basic", 2, 100))),
     ("extras.fast_delivery.1.tier", "duplicate")),
    (Extras(additional_revision=AdditionalRevision(0)), ("extras.additional_revision.price", "too_small")),
    (Extras(additional_revision=AdditionalRevision(100, 31)),
     ("extras.additional_revision.added_days", "too_large")),
    (Extras(custom=(CustomExtra("x", "", 100, 0),)), ("extras.custom.0.title", "required")),
    (Extras(custom=(CustomExtra("x", "t" * 61, 100, 0),)), ("extras.custom.0.title", "too_long")),
    (Extras(custom=(CustomExtra("x", "Rush", 0, 0),)), ("extras.custom.0.price", "too_small")),
    (Extras(custom=(CustomExtra("x", "Rush", 100, 31),)), ("extras.custom.0.added_days", "too_large")),
    (Extras(custom=(CustomExtra("x", "Rush", 100, -1),)), ("extras.custom.0.added_days", "too_small")),
    (Extras(custom=(CustomExtra("", "Rush", 100, 1),)), ("extras.custom.0.id", "required")),
    (Extras(custom=(CustomExtra("x", "Rush", 100, 1), CustomExtra("x", "Slow", 100, 1))),
     ("extras.custom.1.id", "duplicate")),
    (Extras(custom=tuple(CustomExtra(str(i), "Rush", 100, 1) for i in range(11))),
     ("extras.custom", "too_many")),
    (Extras(shipping=Shipping(500)), ("extras.shipping", "not_allowed")),
])
def test_g5_extras_fail(extras: Extras, expected: tuple[str, str]) -> None:
    """G5: fast delivery faster than its package; positive prices; custom extras; shipping only
    for physical gigs."""
    assert_only(valid_gig(extras=extras), (*expected, "G5"))


def test_g5_shipping_price_must_be_positive() -> None:
    gig = physical_gig(extras=Extras(shipping=Shipping(0)))
    assert_only(gig, ("extras.shipping.price", "too_small", "G5"))


def test_g5_fast_delivery_compares_with_its_own_tier() -> None:
    """Standard delivers in 5 days, premium in 7: 6 days is faster only for premium."""
    ok = Extras(fast_delivery=(FastDelivery("premium", 6, 100),))
    bad = Extras(fast_delivery=(FastDelivery("standard", 6, 100),))
    assert errors(valid_gig(extras=ok)) == set()
    assert_only(valid_gig(extras=bad), ("extras.fast_delivery.0.days", "not_faster", "G5"))


def test_w2_contact_details_in_custom_extra_title() -> None:
    gig = valid_gig(extras=Extras(custom=(CustomExtra("x", "Call 555-123-4567", 100, 0),)))
    assert_only(gig, ("extras.custom.0.title", "contact_details", "W2"))


# --------------------------------------------------------------------------------------------
# G6 description, FAQ, contact details (W2)
# --------------------------------------------------------------------------------------------
def test_g6_description_passes_up_to_1200() -> None:
    assert errors(valid_gig(description="d" * DESCRIPTION_MAX)) == set()


@pytest.mark.parametrize(("description", "code"), [("", "required"), ("\n", "required"),
                                                   ("d" * (DESCRIPTION_MAX + 1), "too_long")])
def test_g6_description_fails(description: str, code: str) -> None:
    assert_only(valid_gig(description=description), ("description", code, "G6"))


@pytest.mark.parametrize(("overrides", "path"), [
    ({"title": "I will shoot your home, www.shoots.com"}, "title"),
    ({"description": "Mail me: john at gmail dot com"}, "description"),
    ({"faq": (FaqEntry("Reach you on WhatsApp?", "Yes, whatsapp me"),)}, "faq.0.answer"),
    ({"faq": (FaqEntry("Email? a@b.com", "Ask"),)}, "faq.0.question"),
    ({"packages": with_packages({"name": "t.me/jd"})}, "packages.0.name"),
    ({"packages": with_packages({}, {}, {"description": "Call +1 555 123 4567"})},
     "packages.2.description"),
    ({"requirements": (Requirement("a", "Send plans to plans@x.com", RequirementType.FREE_TEXT, True),)},
     "requirements.0.question"),
])
def test_w2_g6_no_contact_details_in_gig_texts(overrides: dict[str, Any], path: str) -> None:
    """W2/G6: contact details in any gig text are reported with rule W2 on that field."""
    assert_only(valid_gig(**overrides), (path, "contact_details", "W2"))


def test_g6_faq_passes() -> None:
    faq = tuple(FaqEntry(f"Question {i}?", "q" * 600) for i in range(10))
    assert errors(valid_gig(faq=faq)) == set()
    assert errors(valid_gig(faq=())) == set()


@pytest.mark.parametrize(("faq", "expected"), [
    (tuple(FaqEntry("Why?", "Because") for _ in range(11)), ("faq", "too_many")),
    ((FaqEntry("", "Because"),), ("faq.0.question", "required")),
    ((FaqEntry("Why?", ""),), ("faq.0.answer", "required")),
    ((FaqEntry("q" * 201, "a"),), ("faq.0.question", "too_long")),
    ((FaqEntry("Why?", "a" * 601),), ("faq.0.answer", "too_long")),
])
def test_g6_faq_fails(faq: tuple[FaqEntry, ...], expected: tuple[str, str]) -> None:
    assert_only(valid_gig(faq=faq), (*expected, "G6"))


# --------------------------------------------------------------------------------------------
# G7 requirements
# --------------------------------------------------------------------------------------------
def choice(*options: str, **kw: Any) -> Requirement:
    return Requirement("c", "Which one?", RequirementType.MULTIPLE_CHOICE, True, options=options, **kw)


@pytest.mark.parametrize("requirements", [
    (),
    (choice("a", "b"),),
    (choice(*"abcdefghij", multiple=True),),
    (Requirement("f", "Upload plans", RequirementType.FILE, False),),
    (Requirement("t", "q" * 400, "free_text", True),),  # type: ignore[arg-type]
    tuple(Requirement(str(i), "Why?", RequirementType.FREE_TEXT, False) for i in range(10)),
])
def test_g7_requirements_pass(requirements: tuple[Requirement, ...]) -> None:
    assert errors(valid_gig(requirements=requirements)) == set()


@pytest.mark.parametrize(("requirements", "expected"), [
    ((Requirement("t", "", RequirementType.FREE_TEXT, True),), ("requirements.0.question", "required")),
    ((Requirement("t", "q" * 401, RequirementType.FREE_TEXT, True),),
     ("requirements.0.question", "too_long")),
    ((Requirement("t", "Why?", "essay", True),), ("requirements.0.answer_type", "invalid_choice")),  # type: ignore[arg-type]
    ((Requirement("t", "Why?", RequirementType.FREE_TEXT, "yes"),),  # type: ignore[arg-type]
     ("requirements.0.mandatory", "invalid_type")),
    ((choice("a"),), ("requirements.0.options", "too_few")),
    ((choice(*"abcdefghijk"),), ("requirements.0.options", "too_many")),
    ((choice("a", "b", "A "),), ("requirements.0.options", "duplicate")),
    ((choice("a", ""),), ("requirements.0.options.1", "required")),
    ((choice("a", "o" * 101),), ("requirements.0.options.1", "too_long")),
    ((Requirement("t", "Why?", RequirementType.FREE_TEXT, True, options=("a", "b")),),
     ("requirements.0.options", "not_allowed")),
    ((Requirement("f", "Plans?", RequirementType.FILE, True, multiple=True),),
     ("requirements.0.multiple", "not_allowed")),
    ((choice("a", "b"), choice("c", "d")), ("requirements.1.id", "duplicate")),
    (tuple(Requirement(str(i), "Why?", RequirementType.FREE_TEXT, False) for i in range(11)),
     ("requirements", "too_many")),
])
def test_g7_requirements_fail(requirements: tuple[Any, ...], expected: tuple[str, str]) -> None:
    assert_only(valid_gig(requirements=requirements), (*expected, "G7"))


# --------------------------------------------------------------------------------------------
# Drafts
# --------------------------------------------------------------------------------------------
def test_new_draft_may_be_empty() -> None:
    gig = Gig.new_draft(seller_id=SELLER_ID, now=NOW)
    assert gig.state is GigState.DRAFT and gig.id.startswith("gig_")
    assert (gig.created_at, gig.updated_at, gig.published_at) == (NOW, NOW, None)
    assert draft_errors(gig) == []
    assert publish_errors(gig, CATALOGUE)  # but it cannot be published


def test_draft_accepts_incomplete_values() -> None:
    """Drafts: required values, minimums and formats wait for publishing."""
    gig = Gig.new_draft(seller_id=SELLER_ID, now=NOW, title="", tags=("X",),
                        packages=(basic_package(price=0, delivery_days=0, name=""),),
                        requirements=(choice(),), description="call 555-123-4567")
    assert draft_errors(gig) == []


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"title": "t" * 81}, ("title", "too_long", "G1")),
    ({"tags": ("a",) * 6}, ("tags", "too_many", "G3")),
    ({"packages": (basic_package(price=2_000_000),)}, ("packages.0.price", "too_large", "G4")),
    ({"packages": (basic_package(delivery_days=-1),)}, ("packages.0.delivery_days", "too_small", "G4")),
    ({"packages": (basic_package(price="5"),)}, ("packages.0.price", "invalid_type", "G4")),
    ({"description": "d" * 1201}, ("description", "too_long", "G6")),
])
def test_draft_checks_types_and_upper_bounds(overrides: dict[str, Any], expected: tuple[str, str, str]) -> None:
    with pytest.raises(InvalidInput) as exc:
        Gig.new_draft(seller_id=SELLER_ID, now=NOW, **overrides)
    assert {(e.field, e.code, e.rule) for e in exc.value.fields} == {expected}


def test_edit_changes_a_draft() -> None:
    gig = Gig.new_draft(seller_id=SELLER_ID, now=NOW)
    result = gig.edit(LATER, CATALOGUE, title="I will draw plans", tags=["floor plan"])
    assert result is gig
    assert (gig.title, gig.tags, gig.updated_at, gig.created_at) == ("I will draw plans", ("floor plan",), LATER, NOW)


def test_edit_rejects_unknown_fields_and_keeps_the_gig() -> None:
    gig = valid_gig()
    with pytest.raises(InvalidInput) as exc:
        gig.edit(LATER, CATALOGUE, title="New", state="published", id="x")
    assert {e.field for e in exc.value.fields} == {"state", "id"}
    assert exc.value.code == "not_editable"
    assert gig.title == valid_gig().title


def test_edit_checks_before_changing_anything() -> None:
    gig = valid_gig()
    with pytest.raises(InvalidInput):
        gig.edit(LATER, CATALOGUE, title="New", description="d" * 1201)
    assert gig.title == valid_gig().title and gig.updated_at == NOW


def test_g9_removed_gig_cannot_be_edited() -> None:
    gig = published_gig().apply(GigAction.REMOVE, Actor.OPERATOR, LATER, reason="spam")
    with pytest.raises(Conflict) as exc:
        gig.edit(LATER, CATALOGUE, title="Back")
    assert exc.value.code == "gig_removed"


@pytest.mark.parametrize("change", [{"tags": ()}, {"title": ""}, {"description": "www.me.com"}])
def test_live_gig_must_stay_publishable(change: dict[str, Any]) -> None:
    gig = published_gig()
    with pytest.raises(InvalidInput):
        gig.edit(LATER, CATALOGUE, **change)
    gig.edit(LATER, CATALOGUE, tags=("drone",))
    assert gig.tags == ("drone",) and gig.state is GigState.PUBLISHED


# --------------------------------------------------------------------------------------------
# G9 / A4 transitions: every (state, action, actor)
# --------------------------------------------------------------------------------------------
# name -> (state, pause reason, with a pending revision)
STATES = {
    "draft": (GigState.DRAFT, None, False),
    "pending_approval": (GigState.PENDING_APPROVAL, None, False),
    "published": (GigState.PUBLISHED, None, False),
    "published+revision": (GigState.PUBLISHED, None, True),
    "paused(seller)": (GigState.PAUSED, PauseReason.SELLER, False),
    "paused(seller)+revision": (GigState.PAUSED, PauseReason.SELLER, True),
    "paused(availability)": (GigState.PAUSED, PauseReason.AVAILABILITY, False),
    "rejected": (GigState.REJECTED, None, False),
    "removed": (GigState.REMOVED, None, False),
}
WHO = {"publish": "seller", "pause": "seller", "resume": "seller", "hide": "system",
       "unhide": "system", "remove": "operator", "approve": "operator", "reject": "operator"}
ALLOWED = {  # (state, action) -> resulting (state, pause reason); the actor is WHO[action]; a new seller
    ("draft", "publish"): (GigState.PENDING_APPROVAL, None),  # G9: to the review queue
    ("rejected", "publish"): (GigState.PENDING_APPROVAL, None),  # G9: edited and resubmitted
    ("pending_approval", "approve"): (GigState.PUBLISHED, None),
    ("pending_approval", "reject"): (GigState.REJECTED, None),
    ("published+revision", "approve"): (GigState.PUBLISHED, None),  # the revision swapped in
    ("published+revision", "reject"): (GigState.PUBLISHED, None),  # the live version stays
    ("paused(seller)+revision", "approve"): (GigState.PAUSED, PauseReason.SELLER),
    ("paused(seller)+revision", "reject"): (GigState.PAUSED, PauseReason.SELLER),
    ("published", "pause"): (GigState.PAUSED, PauseReason.SELLER),
    ("published+revision", "pause"): (GigState.PAUSED, PauseReason.SELLER),
    ("paused(seller)", "resume"): (GigState.PUBLISHED, None),
    ("paused(seller)+revision", "resume"): (GigState.PUBLISHED, None),
    ("published", "hide"): (GigState.PAUSED, PauseReason.AVAILABILITY),
    ("published+revision", "hide"): (GigState.PAUSED, PauseReason.AVAILABILITY),
    ("paused(availability)", "unhide"): (GigState.PUBLISHED, None),
    **{(name, "remove"): (GigState.REMOVED, None) for name in STATES if name != "removed"},
}
REVISION = GigRevision(title="I will photograph your home at dusk", description="Twilight photos of your home.",
                       media=(), submitted_at=NOW)


def gig_in(state_name: str) -> Gig:
    state, reason, with_revision = STATES[state_name]
    published_at = NOW if state in (GigState.PUBLISHED, GigState.PAUSED, GigState.REMOVED) else None
    return valid_gig(state=state, pause_reason=reason, published_at=published_at,
                     submitted_at=NOW if state is GigState.PENDING_APPROVAL else None,
                     revision=REVISION if with_revision else None)


@pytest.mark.parametrize("actor", list(Actor))
@pytest.mark.parametrize("action", list(GigAction))
@pytest.mark.parametrize("state_name", list(STATES))
def test_g9_transition_table(state_name: str, action: GigAction, actor: Actor) -> None:
    """G9/A4: every (state, action, actor), as a new seller's gig: allowed → the expected state; a
    wrong actor → Forbidden; a wrong state → Conflict(invalid_transition); the gig is unchanged on
    refusal; every refusal names G9."""
    gig = gig_in(state_name)
    before = replace(gig)
    kwargs = {"catalogue": CATALOGUE, "reason": "fraud", "seller_level": SellerLevel.NEW_SELLER}
    if actor.value != WHO[action.value]:
        with pytest.raises(Forbidden) as forbidden:
            gig.apply(action, actor, LATER, **kwargs)
        assert (forbidden.value.code, forbidden.value.rule) == ("actor_not_allowed", "G9")
        assert gig == before
    elif (state_name, action.value) in ALLOWED:
        gig.apply(action, actor, LATER, **kwargs)
        assert (gig.state, gig.pause_reason) == ALLOWED[(state_name, action.value)]
        assert gig.updated_at == LATER
        assert not gig.can(action, actor)  # no action repeats itself
        if (state_name, action) == ("pending_approval", GigAction.APPROVE):
            assert gig.published_at == LATER  # listed for the first time: G2's lock starts
        if action is GigAction.PUBLISH:
            assert (gig.published_at, gig.submitted_at) == (None, LATER)
    else:
        assert not gig.can(action, actor)
        with pytest.raises(Conflict) as conflict:
            gig.apply(action, actor, LATER, **kwargs)
        assert (conflict.value.code, conflict.value.rule) == ("invalid_transition", "G9")
        assert gig == before


def test_g9_table_matches_the_expected_cells() -> None:
    cells = {(s, a.value) for s in STATES for a in GigAction if gig_in(s).can(a, Actor(WHO[a.value]))}
    assert cells == set(ALLOWED)
    assert len(GIG_TRANSITIONS) == 17


def test_g9_publish_sets_published_at_once() -> None:
    gig = published_gig()
    assert gig.published_at == NOW and gig.is_listed
    gig.apply("pause", "seller", LATER)
    assert not gig.is_listed
    gig.apply("resume", "seller", LATER + timedelta(days=1))
    assert gig.published_at == NOW and gig.is_listed


def test_a4_publish_while_unavailable_is_hidden() -> None:
    """A4: publishing while the seller is unavailable lands in paused(availability)."""
    gig = valid_gig().publish(LATER, CATALOGUE, seller_level=SellerLevel.LEVEL_1, seller_available=False)
    assert (gig.state, gig.pause_reason, gig.published_at) == (GigState.PAUSED, PauseReason.AVAILABILITY, LATER)
    assert not gig.is_listed
    with pytest.raises(Conflict):
        gig.apply(GigAction.RESUME, Actor.SELLER, LATER)
    gig.apply(GigAction.UNHIDE, Actor.SYSTEM, LATER)
    assert gig.is_listed and gig.pause_reason is None


def test_a4_seller_pause_survives_availability() -> None:
    """A gig the seller paused is not hidden, and not unhidden when the seller is back."""
    gig = published_gig().apply(GigAction.PAUSE, Actor.SELLER, LATER)
    assert not gig.can(GigAction.HIDE, Actor.SYSTEM)
    assert not gig.can(GigAction.UNHIDE, Actor.SYSTEM)


def test_g9_publish_incomplete_gig_fails_with_all_errors() -> None:
    gig = valid_gig(title="", tags=())
    with pytest.raises(InvalidInput) as exc:
        gig.publish(LATER, CATALOGUE, seller_level=SellerLevel.LEVEL_1)
    assert exc.value.code == "gig_incomplete"
    assert {(e.field, e.rule) for e in exc.value.fields} == {("title", "G1"), ("tags", "G3")}
    assert gig.state is GigState.DRAFT and gig.published_at is None


def test_g8_publish_refuses_media_errors() -> None:
    media = [FieldError("gallery", "at least one image", code="required", rule="G8")]
    with pytest.raises(InvalidInput) as exc:
        valid_gig().publish(LATER, CATALOGUE, seller_level=SellerLevel.NEW_SELLER, media_errors=media)
    assert exc.value.fields == media


def test_g9_publish_needs_the_catalogue() -> None:
    with pytest.raises(TypeError):
        valid_gig().apply(GigAction.PUBLISH, Actor.SELLER, LATER)


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_g9_remove_needs_a_reason(reason: str | None) -> None:
    gig = published_gig()
    with pytest.raises(InvalidInput) as exc:
        gig.apply(GigAction.REMOVE, Actor.OPERATOR, LATER, reason=reason)
    assert exc.value.fields[0].field == "reason"
    assert gig.state is GigState.PUBLISHED


def test_g9_remove_records_the_reason() -> None:
    gig = published_gig().apply(GigAction.REMOVE, Actor.OPERATOR, LATER, reason=" misleading ")
    assert (gig.state, gig.removed_reason, gig.is_listed) == (GigState.REMOVED, "misleading", False)

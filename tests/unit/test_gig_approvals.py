"""G9 gig review in the domain: levels that skip review (A2), publishing to the queue, approval
and rejection with a reason, resubmission, and a new seller's revisions of a live gig (the
approved version stays live until an operator swaps the revision in). The whole state table is
tests/unit/test_gigs.py::test_g9_transition_table."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.events import Actor
from chalicelib.domain.gigs import (
    REJECTION_REASON_MAX,
    Gig,
    GigAction,
    GigState,
    PauseReason,
    RevisionState,
)
from chalicelib.domain.levels import LEVEL_ORDER, SellerLevel, skips_gig_review

from .gig_factory import NOW, basic_package, demo_catalogue, valid_gig

CATALOGUE = demo_catalogue()
LATER = NOW + timedelta(hours=1)
LATEST = NOW + timedelta(hours=2)
NEW = SellerLevel.NEW_SELLER
L1 = SellerLevel.LEVEL_1


@pytest.mark.parametrize(("level", "skips"), [(SellerLevel.NEW_SELLER, False), (SellerLevel.LEVEL_1, True),
                                              (SellerLevel.LEVEL_2, True), (SellerLevel.TOP_RATED, True)])
def test_g9_level_1_and_above_skip_review(level: SellerLevel, skips: bool) -> None:
    assert skips_gig_review(level) is skips


def test_a2_levels_in_order() -> None:
    assert [level.value for level in LEVEL_ORDER] == ["new_seller", "level_1", "level_2", "top_rated"]


def pending() -> Gig:
    return valid_gig().publish(NOW, CATALOGUE, seller_level=NEW)


def live() -> Gig:
    """A new seller's gig, approved by an operator."""
    return pending().apply(GigAction.APPROVE, Actor.OPERATOR, NOW)


@pytest.mark.parametrize("level", [SellerLevel.LEVEL_1, SellerLevel.LEVEL_2, SellerLevel.TOP_RATED])
def test_g9_publish_by_level_1_or_above_lists_at_once(level: SellerLevel) -> None:
    gig = valid_gig().publish(LATER, CATALOGUE, seller_level=level)
    assert gig.is_listed and gig.published_at == LATER
    assert gig.review_submitted_at is None


def test_g9_publish_by_a_new_seller_waits_for_review() -> None:
    gig = valid_gig().publish(LATER, CATALOGUE, seller_level=NEW)
    assert gig.state is GigState.PENDING_APPROVAL
    assert not gig.is_listed and not gig.shows_page  # not visible, takes no orders
    assert gig.review_submitted_at == LATER and gig.published_at is None


def test_g9_publish_needs_the_level() -> None:
    with pytest.raises(TypeError):
        valid_gig().apply(GigAction.PUBLISH, Actor.SELLER, LATER, catalogue=CATALOGUE)


def test_g9_publish_to_review_still_checks_every_rule() -> None:
    with pytest.raises(InvalidInput) as exc:
        valid_gig(title="").publish(LATER, CATALOGUE, seller_level=NEW)
    assert exc.value.code == "gig_incomplete"
    assert {(e.field, e.rule) for e in exc.value.fields} == {("title", "G1")}


def test_g9_approval_lists_the_gig() -> None:
    gig = pending().apply(GigAction.APPROVE, Actor.OPERATOR, LATER)
    assert gig.is_listed and gig.published_at == LATER
    assert gig.review_submitted_at is None


def test_g9_a4_approval_while_the_seller_is_away_lists_it_hidden() -> None:
    gig = pending().apply(GigAction.APPROVE, Actor.OPERATOR, LATER, seller_available=False)
    assert (gig.state, gig.pause_reason) == (GigState.PAUSED, PauseReason.AVAILABILITY)
    assert gig.is_hidden_while_away and gig.published_at == LATER


def test_g9_rejection_keeps_the_reason_and_resubmission_clears_it() -> None:
    gig = pending().apply(GigAction.REJECT, Actor.OPERATOR, LATER, reason="  The photos are not yours. ")
    assert (gig.state, gig.rejection_reason) == (GigState.REJECTED, "The photos are not yours.")
    assert not gig.shows_page and gig.review_submitted_at is None
    gig.edit(LATER, CATALOGUE, title="I will photograph your home with my own camera")  # the seller edits it
    assert gig.state is GigState.REJECTED and gig.title.endswith("my own camera")
    gig.publish(LATEST, CATALOGUE, seller_level=NEW)  # and resubmits
    assert (gig.state, gig.rejection_reason, gig.review_submitted_at) == (GigState.PENDING_APPROVAL, None, LATEST)


def test_g9_a_rejected_gig_of_a_seller_now_level_1_publishes_at_once() -> None:
    gig = pending().apply(GigAction.REJECT, Actor.OPERATOR, LATER, reason="Blurry photos")
    assert gig.publish(LATEST, CATALOGUE, seller_level=L1).is_listed


@pytest.mark.parametrize("reason", [None, "", "   ", "x" * (REJECTION_REASON_MAX + 1)])
def test_g9_a_rejection_needs_a_reason(reason: str | None) -> None:
    gig = pending()
    with pytest.raises(InvalidInput) as exc:
        gig.apply(GigAction.REJECT, Actor.OPERATOR, LATER, reason=reason)
    assert [(e.field, e.rule) for e in exc.value.fields] == [("reason", "G9")]
    assert gig.state is GigState.PENDING_APPROVAL


@pytest.mark.parametrize("actor", [Actor.SELLER, Actor.BUYER, Actor.SYSTEM])
@pytest.mark.parametrize("action", [GigAction.APPROVE, GigAction.REJECT])
def test_g9_only_operators_decide(action: GigAction, actor: Actor) -> None:
    with pytest.raises(Forbidden) as exc:
        pending().apply(action, actor, LATER, reason="ok")
    assert (exc.value.code, exc.value.rule) == ("actor_not_allowed", "G9")


@pytest.mark.parametrize("action", [GigAction.APPROVE, GigAction.REJECT])
def test_g9_nothing_to_decide_on_a_live_gig_without_a_revision(action: GigAction) -> None:
    with pytest.raises(Conflict) as exc:
        live().apply(action, Actor.OPERATOR, LATER, reason="ok")
    assert (exc.value.code, exc.value.rule) == ("invalid_transition", "G9")


def test_g9_a_pending_gig_cannot_be_published_again_or_paused() -> None:
    for action in (GigAction.PUBLISH, GigAction.PAUSE):
        with pytest.raises(Conflict) as exc:
            pending().apply(action, Actor.SELLER, LATER, catalogue=CATALOGUE, seller_level=NEW)
        assert exc.value.rule == "G9"


# -- revisions of a live gig ---------------------------------------------------------------------
@pytest.mark.parametrize("change", [{"title": "I will photograph your home at dusk"},
                                    {"description": "Twilight photos of your home, edited the same day."},
                                    {"media": ("file_other",)}])
def test_g9_a_new_sellers_text_or_gallery_edit_waits_while_the_live_version_stays(change: dict) -> None:
    gig = live()
    before = {name: getattr(gig, name) for name in ("title", "description", "media")}
    gig.edit(LATER, CATALOGUE, seller_level=NEW, **change)
    assert {name: getattr(gig, name) for name in before} == before  # the approved version serves buyers
    assert gig.is_listed and gig.has_pending_revision
    assert gig.revision is not None and gig.revision.state is RevisionState.PENDING
    field, value = next(iter(change.items()))
    assert getattr(gig.revision, field) == value
    assert gig.review_submitted_at == LATER
    assert getattr(gig.as_submitted(), field) == value  # what the owner wrote


def test_g9_packages_and_prices_are_edited_in_place_not_reviewed() -> None:
    gig = live()
    cheaper = basic_package(price=900)
    packages = (cheaper, *gig.packages[1:])
    gig.edit(LATER, CATALOGUE, seller_level=NEW, packages=packages, tags=("dusk",))
    assert gig.packages[0].price == 900 and gig.tags == ("dusk",)
    assert gig.revision is None and gig.review_submitted_at is None


def test_g9_approving_a_revision_swaps_it_in() -> None:
    gig = live()
    gig.edit(LATER, CATALOGUE, seller_level=NEW, title="I will photograph your home at dusk")
    gig.apply(GigAction.APPROVE, Actor.OPERATOR, LATEST)
    assert gig.title == "I will photograph your home at dusk" and gig.revision is None
    assert gig.is_listed and gig.published_at == NOW  # still the first listing


def test_g9_rejecting_a_revision_keeps_the_live_gig_and_says_why() -> None:
    gig = live()
    title = gig.title
    gig.edit(LATER, CATALOGUE, seller_level=NEW, title="I will photograph your home at dusk")
    gig.apply(GigAction.REJECT, Actor.OPERATOR, LATEST, reason="Dusk shots are not in any package.")
    assert gig.title == title and gig.is_listed
    assert gig.revision is not None
    assert (gig.revision.state, gig.revision.rejection_reason, gig.revision.decided_at) == (
        RevisionState.REJECTED, "Dusk shots are not in any package.", LATEST)
    assert gig.review_submitted_at is None  # out of the queue
    # other edits leave the rejected revision as it is; changing its text sends it back to review
    gig.edit(LATEST, CATALOGUE, seller_level=NEW, tags=("dusk",))
    assert gig.revision.state is RevisionState.REJECTED
    gig.edit(LATEST, CATALOGUE, seller_level=NEW, description="Dusk and day photos of your home.")
    assert gig.revision.state is RevisionState.PENDING and gig.revision.title.endswith("at dusk")
    assert gig.review_submitted_at == LATEST and gig.title == title


def test_g9_further_edits_keep_the_queue_place_and_going_back_drops_the_revision() -> None:
    gig = live()
    title = gig.title
    gig.edit(LATER, CATALOGUE, seller_level=NEW, title="I will photograph your home at dusk")
    gig.edit(LATEST, CATALOGUE, seller_level=NEW, title="I will photograph your home at night")
    assert gig.revision is not None and gig.revision.title.endswith("at night")
    assert gig.review_submitted_at == LATER
    gig.edit(LATEST, CATALOGUE, seller_level=NEW, title=title)
    assert gig.revision is None and gig.review_submitted_at is None


def test_g9_a_level_1_seller_edits_a_live_gig_directly() -> None:
    gig = live()
    gig.edit(LATER, CATALOGUE, seller_level=NEW, description="Twilight photos of your home.")
    gig.edit(LATEST, CATALOGUE, seller_level=L1, title="I will photograph your home at dusk")
    assert gig.title == "I will photograph your home at dusk"
    assert gig.description == "Twilight photos of your home."  # the earlier edit came with it
    assert gig.revision is None


def test_g9_a_revision_must_pass_the_publish_check() -> None:
    gig = live()
    with pytest.raises(InvalidInput) as exc:
        gig.edit(LATER, CATALOGUE, seller_level=NEW, title="")
    assert [(e.field, e.rule) for e in exc.value.fields] == [("title", "G1")]
    assert gig.revision is None


def test_g9_a_paused_gig_keeps_its_pause_when_its_revision_is_decided() -> None:
    gig = live().apply(GigAction.PAUSE, Actor.SELLER, LATER)
    gig.edit(LATER, CATALOGUE, seller_level=NEW, title="I will photograph your home at dusk")
    gig.apply(GigAction.APPROVE, Actor.OPERATOR, LATEST)
    assert (gig.state, gig.pause_reason, gig.title) == (GigState.PAUSED, PauseReason.SELLER,
                                                        "I will photograph your home at dusk")


def test_g9_edits_of_a_gig_pending_approval_apply_to_it() -> None:
    gig = pending()
    gig.edit(LATER, CATALOGUE, seller_level=NEW, title="I will photograph your home at dusk")
    assert gig.title == "I will photograph your home at dusk" and gig.revision is None
    assert gig.review_submitted_at == NOW  # its place in the queue stays


def test_w1_a_demotion_takes_one_level_and_a_new_seller_has_none_to_lose():
    from chalicelib.domain.levels import SellerLevel, demoted

    assert [demoted(level) for level in SellerLevel] == [
        SellerLevel.NEW_SELLER, SellerLevel.NEW_SELLER, SellerLevel.LEVEL_1, SellerLevel.LEVEL_2]

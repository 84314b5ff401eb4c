"""The gig aggregate: a seller's listed service (G1–G10), its draft editing, its publish check and
its state machine.

Two levels of checking:

- **draft** (``draft_errors``, run by ``new_draft`` and ``edit``): a draft may be incomplete, so
  only types, upper bounds (lengths, counts, maximum values) and non-negative numbers are checked;
- **publish** (``publish_errors``): every G rule, all errors at once, each ``FieldError`` naming
  its rule id and a dotted path in the JSON body shape (``packages.1.price``,
  ``extras.fast_delivery.0.days``, ``requirements.2.options``, ``faq.0.answer``, ``tags.3``).

A gig that is not a draft must stay publishable, so ``edit`` runs the publish check on it too.
G10 (a buyer may order a quantity of a package) has no publish-time check: quantity is per order,
see ``pricing.price_selection``.

G9 review: publishing sends a gig to the operators' queue (``pending_approval``) unless the
seller's level skips review (``levels.skips_gig_review``: Level 1 and above). An operator approves
(it is listed) or rejects it with a reason (``rejected``: the seller edits and publishes again).
A new seller's edit of a live gig's title, description or gallery (``REVIEWED_FIELDS``) does not
change the live gig: it becomes the gig's pending ``revision`` while the approved version stays
listed (browse, the gig page, new orders), and an operator's approval swaps it in; a rejection
keeps the live version and tells the seller why. Every other field (packages, prices, extras,
tags, FAQ, requirements) is edited in place under the rules above (the live gig stays
publishable, the category is locked, G2), not reviewed: an order already placed keeps the terms it
was placed on (``pricing.gig_terms``), new orders take the new ones.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from enum import StrEnum
from itertools import pairwise
from typing import Any

from .catalogue import Catalogue
from .contact_details import contact_details_error
from .errors import Conflict, FieldError, Forbidden, InvalidInput
from .events import Actor
from .ids import new_id
from .levels import SellerLevel, skips_gig_review

# ---------------------------------------------------------------------------------------------
# Numbers. The seeds give G1's "short", G3's 1–5 and G6's 1,200; the rest are [decision]s.
# ---------------------------------------------------------------------------------------------
TITLE_MAX = 80  # G1 [decision] (rules.md)
TAGS_MIN, TAGS_MAX = 1, 5  # G3 (seeds)
TAG_LEN_MIN, TAG_LEN_MAX = 2, 20  # G3 [decision] a tag is a word or two
TAG_PATTERN = re.compile(r"[a-z0-9 -]+")  # G3 [decision] lowercase letters, digits, spaces, hyphens
PACKAGE_NAME_MAX = 40  # G4 [decision]
PACKAGE_DESCRIPTION_MAX = 200  # G4 [decision]
DELIVERY_DAYS_MIN, DELIVERY_DAYS_MAX = 1, 90  # G4 [decision] a quarter at most
REVISIONS_MAX = 20  # G4 [decision] more than 20 is what "unlimited" (None) is for
PRICE_MIN, PRICE_MAX = 500, 1_000_000  # G4 [decision] $5 to $10,000 per package, minor units
EXTRA_PRICE_MAX = PRICE_MAX  # G5 [decision] no extra costs more than the largest package
EXTRA_TITLE_MAX = 60  # G5 [decision] custom extra title
EXTRA_ADDED_DAYS_MAX = 30  # G5 [decision] days a custom extra or a revision may add
CUSTOM_EXTRAS_MAX = 10  # G5 [decision] custom extras on one gig
DESCRIPTION_MAX = 1_200  # G6 (seeds)
FAQ_MAX = 10  # G6 [decision]
FAQ_QUESTION_MAX, FAQ_ANSWER_MAX = 200, 600  # G6 [decision]
REQUIREMENTS_MAX = 10  # G7 [decision]
REQUIREMENT_QUESTION_MAX = 400  # G7 [decision]
OPTIONS_MIN, OPTIONS_MAX = 2, 10  # G7 [decision] multiple-choice options
OPTION_MAX = 100  # G7 [decision] one option's text
ITEM_ID_MAX = 40  # [decision] ids the client gives custom extras and requirements
# Per order, used by pricing (kept here so that every number lives in one place):
ORDER_QUANTITY_MAX = 20  # G10 [decision] packages of one kind in one order
CUSTOM_EXTRA_QUANTITY_MAX = 10  # G5/O10 [decision] of one custom extra in one order
EXTRA_REVISIONS_MAX = 20  # G5 [decision] additional revisions bought in one order

TIERS = ("basic", "standard", "premium")  # G4: one package (basic) or all three, in this order

EDITABLE_FIELDS = frozenset({
    "title", "category", "subcategory", "service_type", "tags", "description", "packages",
    "extras", "faq", "requirements", "physical", "media",
})
MEDIA_MAX = 7  # G8: 3 images, 1 video, 1 audio, 2 PDFs (the gallery rules: domain/files.py)
CATALOGUE_FIELDS = ("category", "subcategory", "service_type")  # G2: locked once published


REJECTION_REASON_MAX = 1_000  # G9 [decision] what an operator tells the seller (characters)
# G9 [decision]: what a new seller's edit of a live gig sends back to review ("title, description
# or gallery"); everything else is edited in place.
REVIEWED_FIELDS = ("title", "description", "media")


class GigState(StrEnum):  # G9
    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"  # in the operators' review queue
    PUBLISHED = "published"
    PAUSED = "paused"
    REJECTED = "rejected"  # with the operator's reason; the seller may edit and publish again
    REMOVED = "removed"


class RevisionState(StrEnum):  # G9: a new seller's edit of a live gig's texts or gallery
    PENDING = "pending"
    REJECTED = "rejected"


class PauseReason(StrEnum):  # G9: paused by the seller, or hidden while unavailable (A4)
    SELLER = "seller"
    AVAILABILITY = "availability"


class GigAction(StrEnum):
    PUBLISH = "publish"
    PAUSE = "pause"
    RESUME = "resume"
    HIDE = "hide"  # A4: the seller became unavailable
    UNHIDE = "unhide"  # A4: the seller is available again
    REMOVE = "remove"
    APPROVE = "approve"  # G9: an operator lists a gig pending approval, or swaps in its revision
    REJECT = "reject"  # G9: an operator refuses it, with a reason


class RequirementType(StrEnum):  # G7
    FREE_TEXT = "free_text"
    MULTIPLE_CHOICE = "multiple_choice"
    FILE = "file"


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Package:  # G4
    tier: str  # basic | standard | premium
    name: str
    description: str
    delivery_days: int
    revisions: int | None  # None = unlimited
    price: int  # minor units


@dataclass(frozen=True)
class FastDelivery:  # G5: replaces the tier's delivery days
    tier: str
    days: int
    price: int


@dataclass(frozen=True)
class AdditionalRevision:  # G5: price per revision
    price: int
    added_days: int = 0


@dataclass(frozen=True)
class CustomExtra:  # G5
    id: str
    title: str
    price: int
    added_days: int


@dataclass(frozen=True)
class Shipping:  # G5: physical gigs only
    price: int


@dataclass(frozen=True)
class Extras:  # G5
    fast_delivery: tuple[FastDelivery, ...] = ()
    additional_revision: AdditionalRevision | None = None
    custom: tuple[CustomExtra, ...] = ()
    shipping: Shipping | None = None

    def fast_delivery_for(self, tier: str) -> FastDelivery | None:
        return next((f for f in self.fast_delivery if f.tier == tier), None)

    def custom_extra(self, extra_id: str) -> CustomExtra | None:
        return next((c for c in self.custom if c.id == extra_id), None)


@dataclass(frozen=True)
class FaqEntry:  # G6
    question: str
    answer: str


@dataclass(frozen=True)
class Requirement:  # G7
    id: str
    question: str
    answer_type: RequirementType
    mandatory: bool
    options: tuple[str, ...] = ()  # multiple_choice only
    multiple: bool = False  # multiple_choice only: the buyer may pick several


@dataclass(frozen=True)
class GigRevision:
    """G9: a new seller's edit of a live gig's title, description and gallery, waiting for an
    operator (``pending``) or refused (``rejected``, with the reason). The gig itself keeps serving
    the approved values until an approval swaps these in."""

    title: str
    description: str
    media: tuple[str, ...]
    submitted_at: datetime  # its place in the review queue (kept while the seller edits it further)
    state: RevisionState = RevisionState.PENDING
    rejection_reason: str | None = None
    decided_at: datetime | None = None


@dataclass(frozen=True)
class GigTransition:
    actors: frozenset[Actor]
    to: GigState
    requires_reason: PauseReason | None = None  # the pause reason the gig must have
    sets_reason: PauseReason | None = None  # the pause reason the gig gets
    unreviewed_to: GigState | None = None  # G9: where a seller whose level skips review lands instead
    on_revision: bool = False  # G9: acts on the pending revision; the state and pause reason stay


_SELLER, _OPERATOR, _SYSTEM = frozenset({Actor.SELLER}), frozenset({Actor.OPERATOR}), frozenset({Actor.SYSTEM})

# G9 + A4: every gig transition, one place. Publishing (without review) or an approval while the
# seller is unavailable lands in paused(availability) instead of published (see Gig.apply).
GIG_TRANSITIONS: dict[tuple[GigState, GigAction], GigTransition] = {
    (GigState.DRAFT, GigAction.PUBLISH): GigTransition(_SELLER, GigState.PENDING_APPROVAL,
                                                       unreviewed_to=GigState.PUBLISHED),
    (GigState.REJECTED, GigAction.PUBLISH): GigTransition(_SELLER, GigState.PENDING_APPROVAL,
                                                          unreviewed_to=GigState.PUBLISHED),
    (GigState.PENDING_APPROVAL, GigAction.APPROVE): GigTransition(_OPERATOR, GigState.PUBLISHED),
    (GigState.PENDING_APPROVAL, GigAction.REJECT): GigTransition(_OPERATOR, GigState.REJECTED),
    (GigState.PUBLISHED, GigAction.APPROVE): GigTransition(_OPERATOR, GigState.PUBLISHED, on_revision=True),
    (GigState.PUBLISHED, GigAction.REJECT): GigTransition(_OPERATOR, GigState.PUBLISHED, on_revision=True),
    (GigState.PAUSED, GigAction.APPROVE): GigTransition(_OPERATOR, GigState.PAUSED, on_revision=True),
    (GigState.PAUSED, GigAction.REJECT): GigTransition(_OPERATOR, GigState.PAUSED, on_revision=True),
    (GigState.PUBLISHED, GigAction.PAUSE): GigTransition(_SELLER, GigState.PAUSED, sets_reason=PauseReason.SELLER),
    (GigState.PAUSED, GigAction.RESUME): GigTransition(_SELLER, GigState.PUBLISHED, requires_reason=PauseReason.SELLER),
    (GigState.PUBLISHED, GigAction.HIDE): GigTransition(_SYSTEM, GigState.PAUSED, sets_reason=PauseReason.AVAILABILITY),
    (GigState.PAUSED, GigAction.UNHIDE): GigTransition(_SYSTEM, GigState.PUBLISHED,
                                                       requires_reason=PauseReason.AVAILABILITY),
    (GigState.DRAFT, GigAction.REMOVE): GigTransition(_OPERATOR, GigState.REMOVED),
    (GigState.PENDING_APPROVAL, GigAction.REMOVE): GigTransition(_OPERATOR, GigState.REMOVED),
    (GigState.REJECTED, GigAction.REMOVE): GigTransition(_OPERATOR, GigState.REMOVED),
    (GigState.PUBLISHED, GigAction.REMOVE): GigTransition(_OPERATOR, GigState.REMOVED),
    (GigState.PAUSED, GigAction.REMOVE): GigTransition(_OPERATOR, GigState.REMOVED),
}
# Who may ever take each action (the same in every state): a wrong actor is Forbidden, a wrong
# state a Conflict.
ACTION_ACTORS: dict[GigAction, frozenset[Actor]] = {
    action: frozenset().union(*(t.actors for (_, a), t in GIG_TRANSITIONS.items() if a is action))
    for action in GigAction
}
LIVE_STATES = frozenset({GigState.PUBLISHED, GigState.PAUSED})  # approved: a revision is reviewed apart


# ---------------------------------------------------------------------------------------------
# The aggregate
# ---------------------------------------------------------------------------------------------
@dataclass
class Gig:
    """Mutable aggregate: ``edit`` and ``apply`` check everything first, then change the gig in
    place and return it (so both ``gig.edit(...)`` and ``gig = gig.edit(...)`` work). Versions
    belong to persistence."""

    id: str
    seller_id: str
    state: GigState
    title: str
    category: str
    subcategory: str
    service_type: str | None
    tags: tuple[str, ...]
    description: str
    packages: tuple[Package, ...]
    extras: Extras
    faq: tuple[FaqEntry, ...]
    requirements: tuple[Requirement, ...]
    physical: bool
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None = None  # first publication; set once, locks G2
    pause_reason: PauseReason | None = None
    removed_reason: str | None = None
    media: tuple[str, ...] = ()  # G8: file ids, in gallery order (checked by domain/files.py)
    submitted_at: datetime | None = None  # G9: when it last entered the review queue (pending approval)
    rejection_reason: str | None = None  # G9: why an operator rejected it (state rejected), for the seller
    revision: GigRevision | None = None  # G9: a new seller's edit of the live gig's texts or gallery

    @classmethod
    def new_draft(cls, *, seller_id: str, now: datetime, gig_id: str | None = None,
                  title: str = "", category: str = "", subcategory: str = "",
                  service_type: str | None = None, tags: Sequence[str] = (),
                  description: str = "", packages: Sequence[Package] = (),
                  extras: Extras | None = None, faq: Sequence[FaqEntry] = (),
                  requirements: Sequence[Requirement] = (), physical: bool = False,
                  media: Sequence[str] = ()) -> Gig:
        gig = cls(
            id=gig_id or new_id("gig"), seller_id=seller_id, state=GigState.DRAFT,
            title=title, category=category, subcategory=subcategory, service_type=service_type,
            tags=tuple(tags), description=description, packages=tuple(packages),
            extras=extras if extras is not None else Extras(), faq=tuple(faq),
            requirements=tuple(requirements), physical=physical, created_at=now, updated_at=now,
            media=tuple(media),
        )
        _raise_if(draft_errors(gig), "invalid gig draft")
        return gig

    @property
    def is_listed(self) -> bool:
        """Shown in the marketplace and open to orders (A4, G9)."""
        return self.state == GigState.PUBLISHED

    @property
    def is_hidden_while_away(self) -> bool:
        """A4: out of the marketplace only because its seller is unavailable; its page still
        shows it, with the seller's away notice, and takes no orders."""
        return self.state == GigState.PAUSED and self.pause_reason == PauseReason.AVAILABILITY

    @property
    def shows_page(self) -> bool:
        """Whether the public gig page shows it (a draft, a gig the seller paused, a removed gig: no)."""
        return self.is_listed or self.is_hidden_while_away

    @property
    def was_published(self) -> bool:
        return self.published_at is not None

    @property
    def has_pending_revision(self) -> bool:
        return (self.state in LIVE_STATES and self.revision is not None
                and self.revision.state is RevisionState.PENDING)

    @property
    def review_submitted_at(self) -> datetime | None:
        """G9: the gig's place in the operators' queue (oldest first), or None when nothing of it
        awaits review: a gig pending approval, or a live gig's pending revision."""
        if self.state is GigState.PENDING_APPROVAL:
            return self.submitted_at
        if self.has_pending_revision:
            assert self.revision is not None
            return self.revision.submitted_at
        return None

    def as_submitted(self) -> Gig:
        """The gig as its seller last wrote it: the live gig with its revision's title,
        description and gallery (pending or rejected) in place; the gig itself without one."""
        if self.revision is None:
            return self
        r = self.revision
        return replace(self, title=r.title, description=r.description, media=r.media)

    def package(self, tier: str) -> Package | None:
        return next((p for p in self.packages if p.tier == tier), None)

    # -- editing ------------------------------------------------------------------------------
    def edit(self, now: datetime, catalogue: Catalogue, *, media_errors: Iterable[FieldError] = (),
             seller_level: SellerLevel = SellerLevel.NEW_SELLER, **changes: Any) -> Gig:
        """Change editable fields. Drafts get the draft check; any other gig must stay publishable
        (``media_errors``: G8 for the edited gallery, checked elsewhere). Category, subcategory and
        service type are locked once the gig was published (G2).

        G9: the changes apply to the gig as its seller last wrote it (``as_submitted``). On a live
        gig (published or paused) whose seller's level does not skip review, changes to the title,
        description or gallery become the pending revision (or update it; the queue place stays)
        and the live values stay; changing them back to the live values drops the revision; a
        rejected revision stays rejected until one of them changes. A seller who skips review
        edits the live gig directly (a revision left from before is superseded). Every other field
        changes in place."""
        if self.state == GigState.REMOVED:
            raise Conflict("a removed gig cannot be edited", code="gig_removed", rule="G9")
        unknown = sorted(set(changes) - EDITABLE_FIELDS)
        if unknown:
            raise InvalidInput("not editable", code="not_editable", fields=[
                FieldError(name, "not an editable field", code="not_editable") for name in unknown])
        changes = {k: tuple(v) if isinstance(v, list) else v for k, v in changes.items()}
        if self.was_published:
            locked = [FieldError(name, "cannot change after the gig was published",
                                 code="locked", rule="G2")
                      for name in CATALOGUE_FIELDS
                      if name in changes and changes[name] != getattr(self, name)]
            _raise_if(locked, "category is locked")
        candidate = replace(self.as_submitted(), **changes, updated_at=now)
        if self.state == GigState.DRAFT:
            _raise_if(draft_errors(candidate), "invalid gig draft")
        else:
            # The live version differs from the candidate only in REVIEWED_FIELDS, which no other
            # rule reads (G8's needs depend on the locked category): checking the candidate checks both.
            _raise_if(publish_errors(candidate, catalogue, media_errors), "a live gig must stay complete")
        if self.state in LIVE_STATES:
            candidate = self._split_revision(candidate, now, seller_level,
                                             touched=any(name in changes for name in REVIEWED_FIELDS))
        self._take(candidate)
        return self

    def _split_revision(self, candidate: Gig, now: datetime, seller_level: SellerLevel, *, touched: bool) -> Gig:
        """G9: on a live gig, what of ``candidate`` goes live and what waits for review."""
        live = {name: getattr(self, name) for name in REVIEWED_FIELDS}
        wanted = {name: getattr(candidate, name) for name in REVIEWED_FIELDS}
        if skips_gig_review(seller_level) and touched:
            return replace(candidate, revision=None)  # straight in; supersedes an earlier revision
        if not touched or (self.revision is not None and self.revision.state is RevisionState.REJECTED
                           and wanted == {name: getattr(self.revision, name) for name in REVIEWED_FIELDS}):
            return replace(candidate, **live, revision=self.revision)
        if wanted == live:
            return replace(candidate, revision=None)
        kept = self.revision.submitted_at if self.has_pending_revision and self.revision else now
        revision = GigRevision(title=candidate.title, description=candidate.description, media=candidate.media,
                               submitted_at=kept)
        return replace(candidate, **live, revision=revision)

    # -- transitions --------------------------------------------------------------------------
    def transition(self, action: GigAction) -> GigTransition | None:
        """The table's transition for ``action`` from the gig's current state and pause reason."""
        t = GIG_TRANSITIONS.get((self.state, action))
        if t is None or (t.requires_reason is not None and t.requires_reason != self.pause_reason):
            return None
        if t.on_revision and not self.has_pending_revision:
            return None
        return t

    def can(self, action: GigAction, actor: Actor) -> bool:
        """Whether the table allows it now (the publish check and seller availability aside)."""
        t = self.transition(action)
        return t is not None and actor in t.actors

    def apply(self, action: GigAction | str, actor: Actor | str, now: datetime, *,
              catalogue: Catalogue | None = None, seller_available: bool = True,
              seller_level: SellerLevel | None = None,
              media_errors: Iterable[FieldError] = (), reason: str | None = None) -> Gig:
        """Take ``action`` as ``actor`` (G9). Keyword arguments by action:

        - publish: ``catalogue`` and ``seller_level`` (required: G9, a level that skips review
          publishes at once, any other sends the gig to review), ``seller_available`` (A4: False
          lists it straight into paused/availability), ``media_errors`` (G8, checked elsewhere);
        - approve: ``seller_available`` (A4, as for publishing);
        - reject, remove: ``reason`` (required).

        Raises Forbidden (code ``actor_not_allowed``) when this actor never takes this action,
        Conflict (code ``invalid_transition``) when the gig's state does not allow it, and
        InvalidInput (code ``gig_incomplete``) when publishing a gig that breaks a G rule.
        """
        action, actor = GigAction(action), Actor(actor)
        if actor not in ACTION_ACTORS[action]:
            raise Forbidden(f"{actor} may not {action} a gig", code="actor_not_allowed", rule="G9")
        t = self.transition(action)
        if t is None:
            raise Conflict(f"cannot {action} a gig that is {self._state_text()}",
                           code="invalid_transition", rule="G9")
        if t.on_revision:
            self._take(self._decide_revision(action, now, reason))
            return self
        to, pause_reason = t.to, t.sets_reason
        updates: dict[str, Any] = {}
        if action is GigAction.PUBLISH:
            if catalogue is None or seller_level is None:
                raise TypeError("publish needs the catalogue and the seller's level")
            _raise_if(publish_errors(self, catalogue, media_errors), "the gig is not complete",
                      code="gig_incomplete")
            updates["rejection_reason"] = None
            if skips_gig_review(seller_level) and t.unreviewed_to is not None:
                to = t.unreviewed_to
            else:
                updates["submitted_at"] = now
        elif action is GigAction.REJECT:
            updates["rejection_reason"] = _rejection_reason(reason)
        elif action is GigAction.REMOVE:
            if not isinstance(reason, str) or not reason.strip():
                raise InvalidInput("a removal needs a reason", fields=[
                    FieldError("reason", "required", code="required", rule="G9")])
            updates["removed_reason"] = reason.strip()
        if to is GigState.PUBLISHED and action in (GigAction.PUBLISH, GigAction.APPROVE):
            updates["published_at"] = self.published_at or now  # first listing: locks G2
            if not seller_available:  # A4: hidden from the start
                to, pause_reason = GigState.PAUSED, PauseReason.AVAILABILITY
        self._take(replace(self, state=to, pause_reason=pause_reason, updated_at=now, **updates))
        return self

    def _decide_revision(self, action: GigAction, now: datetime, reason: str | None) -> Gig:
        """G9: approve swaps the revision into the live gig; reject keeps the live gig and the
        revision, rejected with the reason, for the seller to see and edit."""
        revision = self.revision
        assert revision is not None
        if action is GigAction.APPROVE:
            return replace(self, title=revision.title, description=revision.description, media=revision.media,
                           revision=None, updated_at=now)
        rejected = replace(revision, state=RevisionState.REJECTED, rejection_reason=_rejection_reason(reason),
                           decided_at=now)
        return replace(self, revision=rejected, updated_at=now)

    def publish(self, now: datetime, catalogue: Catalogue, *, seller_level: SellerLevel,
                seller_available: bool = True, media_errors: Iterable[FieldError] = ()) -> Gig:
        return self.apply(GigAction.PUBLISH, Actor.SELLER, now, catalogue=catalogue, seller_level=seller_level,
                          seller_available=seller_available, media_errors=media_errors)

    def _state_text(self) -> str:
        return f"{self.state} ({self.pause_reason})" if self.pause_reason else str(self.state)

    def _take(self, other: Gig) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(other, f.name))


def _rejection_reason(reason: str | None) -> str:
    """G9: a rejection tells the seller why, in at most REJECTION_REASON_MAX characters."""
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise InvalidInput("a rejection needs a reason", code="reason_required", fields=[
            FieldError("reason", "required: the seller is told why", code="required", rule="G9")])
    if len(text) > REJECTION_REASON_MAX:
        raise InvalidInput("the reason is too long", fields=[
            FieldError("reason", f"at most {REJECTION_REASON_MAX} characters", code="too_long", rule="G9")])
    return text


def _raise_if(errors: list[FieldError], message: str, *, code: str | None = None) -> None:
    if errors:
        raise InvalidInput(message, code=code, fields=errors)


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------
def draft_errors(gig: Gig) -> list[FieldError]:
    """Types, upper bounds and non-negative numbers only: a draft may be incomplete."""
    return _Checker(publishing=False).run(gig, None)


def publish_errors(gig: Gig, catalogue: Catalogue,
                   media_errors: Iterable[FieldError] = ()) -> list[FieldError]:
    """Every G rule, all at once (G1–G7; G8 media errors are checked by the media module and
    passed in; G9 is the state machine; G10 is per order)."""
    return _Checker(publishing=True).run(gig, catalogue) + list(media_errors)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Checker:
    """Collects FieldErrors. Checks that only make sense on a complete gig (required values,
    minimums, formats, cross-field and catalogue rules, contact details) run when publishing."""

    def __init__(self, *, publishing: bool) -> None:
        self.publishing = publishing
        self.errors: list[FieldError] = []

    def add(self, path: str, message: str, code: str, rule: str) -> None:
        self.errors.append(FieldError(path, message, code=code, rule=rule))

    # -- primitives ---------------------------------------------------------------------------
    def text(self, path: str, value: object, *, max_len: int, rule: str,
             required: bool = True, contact_check: bool = True) -> bool:
        """A text field; returns whether it is a string (so callers may go on)."""
        if not isinstance(value, str):
            self.add(path, "must be text", "invalid_type", rule)
            return False
        if len(value) > max_len:
            self.add(path, f"at most {max_len} characters", "too_long", rule)
        if self.publishing and required and not value.strip():
            self.add(path, "required", "required", rule)
        if self.publishing and contact_check:
            self.contact_details(path, value)
        return True

    def contact_details(self, path: str, value: str) -> None:
        """W2 (G6 for gig texts): the one check shared by every text people write or publish."""
        found = contact_details_error(path, value)
        if found is not None:
            self.errors.append(found)

    def integer(self, path: str, value: object, *, low: int, high: int, rule: str) -> bool:
        if not _is_int(value):
            self.add(path, "must be an integer", "invalid_type", rule)
            return False
        assert isinstance(value, int)
        if value > high:
            self.add(path, f"at most {high}", "too_large", rule)
        elif value < 0 or (self.publishing and value < low):
            self.add(path, f"at least {low}", "too_small", rule)
        return True

    def items(self, path: str, value: object, kind: type | tuple[type, ...], *, high: int,
              rule: str, low: int = 0) -> list[Any]:
        """A list field: its type, its count; returns the well-typed items (with their index)."""
        if not isinstance(value, (tuple, list)):
            self.add(path, "must be a list", "invalid_type", rule)
            return []
        if len(value) > high:
            self.add(path, f"at most {high}", "too_many", rule)
        elif self.publishing and len(value) < low:
            self.add(path, f"at least {low}", "too_few", rule)
        good = []
        for i, item in enumerate(value):
            if isinstance(item, kind):
                good.append((i, item))
            else:
                self.add(f"{path}.{i}", "invalid item", "invalid_type", rule)
        return good

    def price(self, path: str, value: object, *, rule: str, low: int = 1,
              high: int = EXTRA_PRICE_MAX) -> bool:
        return self.integer(path, value, low=low, high=high, rule=rule)

    # -- rules --------------------------------------------------------------------------------
    def run(self, gig: Gig, catalogue: Catalogue | None) -> list[FieldError]:
        self.title(gig)
        self.category(gig, catalogue)
        self.tags(gig)
        self.packages(gig)
        self.extras(gig)
        self.description(gig)
        self.faq(gig)
        self.requirements(gig)
        if not isinstance(gig.physical, bool):
            self.add("physical", "must be true or false", "invalid_type", "G5")
        for i, file_id in self.items("media", gig.media, str, high=MEDIA_MAX, rule="G8"):
            self.text(f"media.{i}", file_id, max_len=ITEM_ID_MAX, rule="G8", contact_check=False)
        return self.errors

    def title(self, gig: Gig) -> None:
        # G1: required, at most TITLE_MAX. "I will ..." is recommended only: no error.
        self.text("title", gig.title, max_len=TITLE_MAX, rule="G1")

    def category(self, gig: Gig, catalogue: Catalogue | None) -> None:
        # G2: category, subcategory and (where the subcategory has some) service type exist.
        ok = all(isinstance(getattr(gig, name), str) for name in ("category", "subcategory"))
        ok = ok and (gig.service_type is None or isinstance(gig.service_type, str))
        if not ok:
            for name in CATALOGUE_FIELDS:
                value = getattr(gig, name)
                if not isinstance(value, str) and not (name == "service_type" and value is None):
                    self.add(name, "must be text", "invalid_type", "G2")
            return
        if not self.publishing or catalogue is None:
            return
        if not gig.category:
            self.add("category", "required", "required", "G2")
            return
        cat = catalogue.category(gig.category)
        if cat is None:
            self.add("category", "no such category", "unknown_category", "G2")
            return
        if not gig.subcategory:
            self.add("subcategory", "required", "required", "G2")
            return
        sub = cat.subcategory(gig.subcategory)
        if sub is None:
            self.add("subcategory", "no such subcategory in this category", "unknown_subcategory", "G2")
            return
        if sub.service_types and not gig.service_type:
            self.add("service_type", "required in this subcategory", "required", "G2")
        elif sub.service_types and sub.service_type(gig.service_type or "") is None:
            self.add("service_type", "no such service type in this subcategory",
                     "unknown_service_type", "G2")
        elif not sub.service_types and gig.service_type is not None:
            self.add("service_type", "this subcategory has no service types", "not_allowed", "G2")

    def tags(self, gig: Gig) -> None:
        # G3: 1–5 tags, each 2–20 of [a-z0-9 -], no duplicates.
        seen: set[str] = set()
        for i, tag in self.items("tags", gig.tags, str, low=TAGS_MIN, high=TAGS_MAX, rule="G3"):
            path = f"tags.{i}"
            if len(tag) > TAG_LEN_MAX:
                self.add(path, f"at most {TAG_LEN_MAX} characters", "too_long", "G3")
            if not self.publishing:
                continue
            if len(tag.strip()) < TAG_LEN_MIN:
                self.add(path, f"at least {TAG_LEN_MIN} characters", "too_short", "G3")
            elif not TAG_PATTERN.fullmatch(tag):
                self.add(path, "lowercase letters, digits, spaces and hyphens only",
                         "invalid_format", "G3")
            self.contact_details(path, tag)  # W2: tags are published with the gig
            if tag in seen:
                self.add(path, "duplicate tag", "duplicate", "G3")
            seen.add(tag)

    def packages(self, gig: Gig) -> None:
        # G4: one package (basic) or three (basic, standard, premium) in that order.
        pkgs = self.items("packages", gig.packages, Package, high=len(TIERS), rule="G4")
        if self.publishing and isinstance(gig.packages, (tuple, list)) and len(gig.packages) in (0, 2):
            self.add("packages", "one package, or three (basic, standard, premium)",
                     "invalid_count", "G4")
        for i, p in pkgs:
            path = f"packages.{i}"
            if not isinstance(p.tier, str):
                self.add(f"{path}.tier", "must be text", "invalid_type", "G4")
            elif self.publishing and i < len(TIERS) and p.tier != TIERS[i]:
                self.add(f"{path}.tier", f"must be {TIERS[i]!r}", "invalid_tier", "G4")
            self.text(f"{path}.name", p.name, max_len=PACKAGE_NAME_MAX, rule="G4")
            self.text(f"{path}.description", p.description, max_len=PACKAGE_DESCRIPTION_MAX, rule="G4")
            self.integer(f"{path}.delivery_days", p.delivery_days, low=DELIVERY_DAYS_MIN,
                         high=DELIVERY_DAYS_MAX, rule="G4")
            if p.revisions is not None:
                self.integer(f"{path}.revisions", p.revisions, low=0, high=REVISIONS_MAX, rule="G4")
            self.price(f"{path}.price", p.price, low=PRICE_MIN, high=PRICE_MAX, rule="G4")
        # G4 [decision]: a higher tier never costs less than a lower one.
        if self.publishing and tuple(p.tier for _, p in pkgs) == TIERS:
            for (_, lower), (i, higher) in pairwise(pkgs):
                if _is_int(lower.price) and _is_int(higher.price) and higher.price < lower.price:
                    self.add(f"packages.{i}.price", f"must not be less than the {lower.tier} price",
                             "price_order", "G4")

    def extras(self, gig: Gig) -> None:
        # G5: fast delivery per existing tier; revisions; custom extras; shipping if physical.
        ex = gig.extras
        if not isinstance(ex, Extras):
            self.add("extras", "invalid extras", "invalid_type", "G5")
            return
        packages = {p.tier: p for p in gig.packages
                    if isinstance(p, Package) and isinstance(p.tier, str)}
        tiers_seen: set[str] = set()
        for i, fd in self.items("extras.fast_delivery", ex.fast_delivery, FastDelivery,
                                high=len(TIERS), rule="G5"):
            path = f"extras.fast_delivery.{i}"
            self.price(f"{path}.price", fd.price, rule="G5")
            if not self.integer(f"{path}.days", fd.days, low=1, high=DELIVERY_DAYS_MAX, rule="G5"):
                continue
            if not self.publishing:
                continue
            package = packages.get(fd.tier) if isinstance(fd.tier, str) else None
            if package is None:
                self.add(f"{path}.tier", "no package with this tier", "unknown_tier", "G5")
            elif _is_int(package.delivery_days) and fd.days >= package.delivery_days:
                self.add(f"{path}.days", f"must be fewer than the package's {package.delivery_days} days",
                         "not_faster", "G5")
            if fd.tier in tiers_seen:
                self.add(f"{path}.tier", "one fast delivery per tier", "duplicate", "G5")
            tiers_seen.add(fd.tier)
        if ex.additional_revision is not None:
            if isinstance(ex.additional_revision, AdditionalRevision):
                self.price("extras.additional_revision.price", ex.additional_revision.price, rule="G5")
                self.integer("extras.additional_revision.added_days",
                             ex.additional_revision.added_days, low=0, high=EXTRA_ADDED_DAYS_MAX,
                             rule="G5")
            else:
                self.add("extras.additional_revision", "invalid", "invalid_type", "G5")
        ids_seen: set[str] = set()
        for i, ce in self.items("extras.custom", ex.custom, CustomExtra, high=CUSTOM_EXTRAS_MAX,
                                rule="G5"):
            path = f"extras.custom.{i}"
            if self.text(f"{path}.id", ce.id, max_len=ITEM_ID_MAX, rule="G5",
                         contact_check=False):
                if self.publishing and ce.id in ids_seen:
                    self.add(f"{path}.id", "duplicate extra id", "duplicate", "G5")
                ids_seen.add(ce.id)
            self.text(f"{path}.title", ce.title, max_len=EXTRA_TITLE_MAX, rule="G5")
            self.price(f"{path}.price", ce.price, rule="G5")
            self.integer(f"{path}.added_days", ce.added_days, low=0, high=EXTRA_ADDED_DAYS_MAX,
                         rule="G5")
        if ex.shipping is not None:
            if not isinstance(ex.shipping, Shipping):
                self.add("extras.shipping", "invalid", "invalid_type", "G5")
            else:
                self.price("extras.shipping.price", ex.shipping.price, rule="G5")
                if self.publishing and gig.physical is not True:
                    self.add("extras.shipping", "only for gigs that deliver a physical item",
                             "not_allowed", "G5")

    def description(self, gig: Gig) -> None:
        # G6: required, at most 1,200 characters, no contact details (W2).
        self.text("description", gig.description, max_len=DESCRIPTION_MAX, rule="G6")

    def faq(self, gig: Gig) -> None:
        # G6: FAQ entries, at most FAQ_MAX; no contact details in them (W2).
        for i, entry in self.items("faq", gig.faq, FaqEntry, high=FAQ_MAX, rule="G6"):
            self.text(f"faq.{i}.question", entry.question, max_len=FAQ_QUESTION_MAX, rule="G6")
            self.text(f"faq.{i}.answer", entry.answer, max_len=FAQ_ANSWER_MAX, rule="G6")

    def requirements(self, gig: Gig) -> None:
        # G7: question, answer type, mandatory flag; options for multiple choice only.
        ids_seen: set[str] = set()
        for i, req in self.items("requirements", gig.requirements, Requirement,
                                 high=REQUIREMENTS_MAX, rule="G7"):
            path = f"requirements.{i}"
            if self.text(f"{path}.id", req.id, max_len=ITEM_ID_MAX, rule="G7",
                         contact_check=False):
                if self.publishing and req.id in ids_seen:
                    self.add(f"{path}.id", "duplicate requirement id", "duplicate", "G7")
                ids_seen.add(req.id)
            self.text(f"{path}.question", req.question, max_len=REQUIREMENT_QUESTION_MAX, rule="G7")
            if not isinstance(req.mandatory, bool):
                self.add(f"{path}.mandatory", "must be true or false", "invalid_type", "G7")
            if not isinstance(req.multiple, bool):
                self.add(f"{path}.multiple", "must be true or false", "invalid_type", "G7")
            try:
                answer_type = RequirementType(req.answer_type)
            except ValueError:
                self.add(f"{path}.answer_type", "free_text, multiple_choice or file",
                         "invalid_choice", "G7")
                continue
            choice = answer_type is RequirementType.MULTIPLE_CHOICE
            if not choice:
                if req.options:
                    self.add(f"{path}.options", "only multiple-choice questions have options",
                             "not_allowed", "G7")
                if req.multiple is True:
                    self.add(f"{path}.multiple", "only multiple-choice questions allow several "
                             "answers", "not_allowed", "G7")
                continue
            options = self.items(f"{path}.options", req.options, str, low=OPTIONS_MIN,
                                 high=OPTIONS_MAX, rule="G7")
            for j, option in options:
                self.text(f"{path}.options.{j}", option, max_len=OPTION_MAX, rule="G7")
            if self.publishing and len({o.strip().lower() for _, o in options}) < len(options):
                self.add(f"{path}.options", "options must be distinct", "duplicate", "G7")

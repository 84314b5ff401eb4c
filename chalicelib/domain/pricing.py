"""The price of a buyer's selection on a gig (O1: the server computes it), in integer minor units.

- the package: its price × quantity (G10);
- fast delivery (G5): replaces the package's delivery days, costs its price × quantity;
- additional revisions (G5): each costs the revision price, adds its added days and one revision
  (unlimited stays unlimited);
- custom extras (G5): price × their own quantity, added days × that quantity;
- shipping (G5): its price once, physical gigs only.

Delivery days = (fast-delivery days or package days) + every added day. The function does not
look at the gig's state: whether the gig may be ordered is the order service's question (O2).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .errors import FieldError, InvalidInput
from .gigs import CUSTOM_EXTRA_QUANTITY_MAX, EXTRA_REVISIONS_MAX, ORDER_QUANTITY_MAX, Gig
from .money import Money
from .orders.terms import OrderLine, Terms


@dataclass(frozen=True)
class Selection:
    tier: str
    quantity: int = 1
    fast_delivery: bool = False
    extra_revisions: int = 0
    custom_extras: tuple[tuple[str, int], ...] = ()  # (extra id, quantity)
    shipping: bool = False


@dataclass(frozen=True)
class QuoteLine:
    kind: str  # package | fast_delivery | additional_revision | custom_extra | shipping
    description: str
    unit_price: int
    quantity: int
    amount: int


@dataclass(frozen=True)
class Quote:
    lines: tuple[QuoteLine, ...]
    total: Money
    delivery_days: int
    revisions: int | None  # None = unlimited


def _line(kind: str, description: str, unit_price: int, quantity: int) -> QuoteLine:
    return QuoteLine(kind, description, unit_price, quantity, unit_price * quantity)


def _count_error(path: str, value: object, low: int, high: int, rule: str) -> FieldError | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return FieldError(path, f"must be a whole number from {low} to {high}",
                          code="out_of_range", rule=rule)
    return None


def price_selection(gig: Gig, selection: Selection) -> Quote:
    """The quote for ``selection``; InvalidInput naming every bad field (``tier``, ``quantity``,
    ``fast_delivery``, ``extra_revisions``, ``custom_extras.N.id``, ``custom_extras.N.quantity``,
    ``shipping``) with code ``not_offered`` / ``out_of_range`` / ``duplicate``."""
    errors: list[FieldError] = []

    def fail(path: str, message: str, code: str, rule: str) -> None:
        errors.append(FieldError(path, message, code=code, rule=rule))

    package = gig.package(selection.tier)
    if package is None:
        fail("tier", "the gig has no such package", "not_offered", "G4")
    qty_error = _count_error("quantity", selection.quantity, 1, ORDER_QUANTITY_MAX, "G10")
    if qty_error:
        errors.append(qty_error)
    fast = gig.extras.fast_delivery_for(selection.tier) if selection.fast_delivery else None
    if selection.fast_delivery and fast is None:
        fail("fast_delivery", "no fast delivery for this package", "not_offered", "G5")
    revision = gig.extras.additional_revision
    rev_error = _count_error("extra_revisions", selection.extra_revisions, 0, EXTRA_REVISIONS_MAX, "G5")
    if rev_error:
        errors.append(rev_error)
    elif selection.extra_revisions and revision is None:
        fail("extra_revisions", "the gig offers no additional revisions", "not_offered", "G5")
    customs = []
    seen: set[str] = set()
    for i, (extra_id, qty) in enumerate(selection.custom_extras):
        extra = gig.extras.custom_extra(extra_id)
        if extra is None:
            fail(f"custom_extras.{i}.id", "the gig has no such extra", "not_offered", "G5")
        elif extra_id in seen:
            fail(f"custom_extras.{i}.id", "listed twice", "duplicate", "G5")
        q_error = _count_error(f"custom_extras.{i}.quantity", qty, 1, CUSTOM_EXTRA_QUANTITY_MAX, "G5")
        if q_error:
            errors.append(q_error)
        seen.add(extra_id)
        if extra is not None:
            customs.append((extra, qty))
    shipping = gig.extras.shipping if gig.physical else None
    if selection.shipping and shipping is None:
        fail("shipping", "the gig does not ship anything", "not_offered", "G5")
    if errors:
        raise InvalidInput("invalid selection", code="invalid_selection", fields=errors)
    assert package is not None

    lines = [_line("package", package.name, package.price, selection.quantity)]
    days = package.delivery_days
    revisions = package.revisions
    if fast is not None:
        lines.append(_line("fast_delivery", f"Delivery in {fast.days} days", fast.price,
                           selection.quantity))
        days = fast.days
    if selection.extra_revisions:
        assert revision is not None
        lines.append(_line("additional_revision", "Additional revision", revision.price,
                           selection.extra_revisions))
        days += revision.added_days * selection.extra_revisions
        if revisions is not None:
            revisions += selection.extra_revisions
    for extra, qty in customs:
        lines.append(_line("custom_extra", extra.title, extra.price, qty))
        days += extra.added_days * qty
    if selection.shipping and shipping is not None:
        lines.append(_line("shipping", "Shipping", shipping.price, 1))
    total = Money(sum(line.amount for line in lines))
    return Quote(tuple(lines), total, days, revisions)


@dataclass(frozen=True)
class ExtrasQuote:
    lines: tuple[QuoteLine, ...]
    added_days: int
    added_revisions: int


def price_extras(gig: Gig, extra_revisions: int, custom_extras: tuple[tuple[str, int], ...]) -> ExtrasQuote:
    """O10: extras from the gig's own list offered during an order, priced as at ordering (G5)."""
    errors: list[FieldError] = []
    lines: list[QuoteLine] = []
    days = 0
    revision = gig.extras.additional_revision
    rev_error = _count_error("extra_revisions", extra_revisions, 0, EXTRA_REVISIONS_MAX, "O10")
    if rev_error:
        errors.append(rev_error)
    elif extra_revisions:
        if revision is None:
            errors.append(FieldError("extra_revisions", "the gig offers no additional revisions",
                                     code="not_offered", rule="O10"))
        else:
            lines.append(_line("additional_revision", "Additional revision", revision.price, extra_revisions))
            days += revision.added_days * extra_revisions
    seen: set[str] = set()
    for i, (extra_id, qty) in enumerate(custom_extras):
        extra = gig.extras.custom_extra(extra_id)
        q_error = _count_error(f"custom_extras.{i}.quantity", qty, 1, CUSTOM_EXTRA_QUANTITY_MAX, "O10")
        if extra is None or extra_id in seen:
            errors.append(FieldError(f"custom_extras.{i}.id", "the gig has no such extra (or it is listed twice)",
                                     code="not_offered", rule="O10"))
        elif q_error:
            errors.append(q_error)
        else:
            lines.append(_line("custom_extra", extra.title, extra.price, qty))
            days += extra.added_days * qty
        seen.add(extra_id)
    if errors:
        raise InvalidInput("invalid extras", code="invalid_extras", fields=errors)
    return ExtrasQuote(tuple(lines), days, extra_revisions)


def order_lines(lines: Iterable[QuoteLine]) -> tuple[OrderLine, ...]:
    """Priced lines as an order keeps them."""
    return tuple(OrderLine(q.kind, q.description, q.unit_price, q.quantity, q.amount) for q in lines)


def gig_terms(gig: Gig, selection: Selection) -> Terms:
    """The terms an order on ``gig`` is placed on: the priced selection as one payment stage."""
    quote = price_selection(gig, selection)
    lines = order_lines(quote.lines)
    return Terms.single_stage(gig.title, lines, quote.delivery_days, quote.revisions, tuple(gig.requirements),
                              tier=selection.tier, quantity=selection.quantity)

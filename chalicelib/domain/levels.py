"""Seller levels (A2) and what they allow today (G9).

The levels are the rules' [decision]: new seller, Level 1, Level 2, Top Rated. Evaluating them
(daily, on a rolling 60-day window) is a later feature; until then a level is set by
``services.accounts.set_seller_level`` (demo data, tests, and that evaluation when it comes) and a
seller starts as a new seller."""
from __future__ import annotations

from enum import StrEnum


class SellerLevel(StrEnum):  # A2
    NEW_SELLER = "new_seller"
    LEVEL_1 = "level_1"
    LEVEL_2 = "level_2"
    TOP_RATED = "top_rated"


# A2: from lowest to highest (a demotion moves one step down this list).
LEVEL_ORDER: tuple[SellerLevel, ...] = (SellerLevel.NEW_SELLER, SellerLevel.LEVEL_1, SellerLevel.LEVEL_2,
                                        SellerLevel.TOP_RATED)
# G9 [decision]: a seller with Level 1 or above publishes, and edits a live gig, without review.
REVIEW_FREE_FROM = SellerLevel.LEVEL_1


def rank(level: SellerLevel) -> int:
    return LEVEL_ORDER.index(SellerLevel(level))


def demoted(level: SellerLevel) -> SellerLevel:
    """W1: one level down (a new seller has none to lose). An operator issues the warning, so a Top
    Rated seller may lose that level this way too (A2: operators alone take it away)."""
    return LEVEL_ORDER[max(rank(level) - 1, 0)]


def skips_gig_review(level: SellerLevel) -> bool:
    """G9: whether this seller's gigs (publishing, and edits of a live gig's title, description or
    gallery) go live without an operator's review."""
    return rank(level) >= rank(REVIEW_FREE_FROM)

"""Demo data for `make run`, loaded through the same services a request uses (so it obeys every
rule): a catalogue, three sellers with published gigs, two buyers and an operator, a conversation,
orders, an open buyer request of alice's with an offer from omar (B1, B2), and a milestone order in
progress (C2). dana (Level 2) and omar (Level 1) publish without review; lior is a new seller (A2):
olga approved his first gig and his second waits in the review queue (G9)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from chalicelib.domain.accounts import Language, LanguageLevel, PortfolioEntry, SellerProfile
from chalicelib.domain.buyer_requests import RequestDraft
from chalicelib.domain.catalogue import Category, ServiceType, Subcategory
from chalicelib.domain.custom_offers import OfferDraft
from chalicelib.domain.gigs import GigState
from chalicelib.domain.levels import SellerLevel
from chalicelib.domain.orders import Milestone
from chalicelib.domain.pricing import Selection
from chalicelib.domain.requirements import Answer
from chalicelib.services import (
    accounts,
    buyer_requests,
    catalogue,
    conversations,
    custom_offers,
    gig_approvals,
    gigs,
    orders,
    quick_responses,
    runtime,
)
from local.tokens import DEMO_OPERATORS, demo_groups, make_token, user_id_for

CATALOGUE = [
    Category("renovation", "Renovation & Repairs", (
        Subcategory("kitchen-remodel", "Kitchen remodel"),
        Subcategory("bathroom-remodel", "Bathroom remodel"),
        Subcategory("painting", "Painting", (ServiceType("interior", "Interior"), ServiceType("exterior", "Exterior"))),
    )),
    Category("real-estate", "Real Estate Services", (
        Subcategory("property-photography", "Property photography",
                    (ServiceType("photos", "Photos"), ServiceType("drone", "Drone"))),
        Subcategory("home-staging", "Home staging"),
        Subcategory("listing-copy", "Listing copywriting"),
    )),
    Category("video-animation", "Video & Animation", (
        Subcategory("property-tours", "Property video tours", requires_video=True),
    )),
]

SELLERS = {
    "dana": SellerProfile("Dana Builds", "Licensed contractor: kitchens and bathrooms for 12 years.", "file_demo_dana",
                          ("kitchen remodel", "tiling", "plumbing"), (Language("English", LanguageLevel.NATIVE),),
                          (PortfolioEntry("Oak Street family", "Full kitchen remodel in six weeks."),)),
    "omar": SellerProfile("Omar Lens", "Real-estate photographer, drone certified.", "file_demo_omar",
                          ("photography", "drone"), (Language("English", LanguageLevel.FLUENT),
                                                     Language("Arabic", LanguageLevel.NATIVE)),
                          (PortfolioEntry("Harbor Realty", "200 listings shot in 2025."),)),
    "lior": SellerProfile("Lior Words", "I write listing descriptions that sell homes faster.", "file_demo_lior",
                          ("copywriting", "staging advice"), (Language("Hebrew", LanguageLevel.NATIVE),
                                                              Language("English", LanguageLevel.FLUENT)),
                          (PortfolioEntry("Maple Homes", "Listing copy for 40 homes."),)),
}
BUYERS = ["alice", "bob"]
OPERATORS = list(DEMO_OPERATORS)


def _three(base: int, days: int, names=("Basic", "Standard", "Premium")) -> list[dict]:
    return [{"tier": tier, "name": name, "description": f"{name} package", "delivery_days": days + i * 2,
             "revisions": None if tier == "premium" else 1 + i, "price": base * (1 + i)}
            for i, (tier, name) in enumerate(zip(("basic", "standard", "premium"), names, strict=True))]


GIGS = {
    "dana": [
        {"title": "I will plan and manage your kitchen remodel", "category": "renovation",
         "subcategory": "kitchen-remodel", "tags": ["kitchen", "remodel", "cabinets"],
         "description": "From layout to the last tile: plans, quotes from trades and site visits.",
         "packages": _three(25000, 7),
         "extras": {"fast_delivery": [{"tier": "basic", "days": 3, "price": 5000}],
                    "additional_revision": {"price": 2000, "added_days": 1},
                    "custom": [{"title": "3D rendering of the new kitchen", "price": 8000, "added_days": 2}]},
         "faq": [{"question": "Do you work outside the city?", "answer": "Yes, within 50 miles."}],
         "requirements": [{"question": "What is the size of your kitchen?", "answer_type": "free_text",
                           "mandatory": True},
                          {"question": "Budget range?", "answer_type": "multiple_choice", "mandatory": True,
                           "options": ["under 10k", "10k to 30k", "over 30k"]}]},
        {"title": "I will design your bathroom renovation", "category": "renovation",
         "subcategory": "bathroom-remodel", "tags": ["bathroom", "remodel"],
         "description": "A full bathroom design with materials list and a schedule.",
         "packages": [{"tier": "basic", "name": "Design", "description": "Layout and materials",
                       "delivery_days": 5, "revisions": 2, "price": 15000}]},
    ],
    "omar": [
        {"title": "I will photograph your property for listing", "category": "real-estate",
         "subcategory": "property-photography", "service_type": "photos", "tags": ["photography", "listing"],
         "description": "Twenty-five edited HDR photos of your home, ready for any listing site.",
         "packages": _three(12000, 3)},
        {"title": "I will shoot aerial drone photos of your home", "category": "real-estate",
         "subcategory": "property-photography", "service_type": "drone", "tags": ["drone", "aerial"],
         "description": "Ten aerial photos and a short overview clip of the property.",
         "packages": [{"tier": "basic", "name": "Aerial", "description": "10 photos", "delivery_days": 4,
                       "revisions": 1, "price": 18000}]},
    ],
    "lior": [
        {"title": "I will write a listing description that sells", "category": "real-estate",
         "subcategory": "listing-copy", "tags": ["copywriting", "listing"],
         "description": "A warm, accurate description of your home in 250 words.",
         "packages": _three(4000, 2)},
    ],
}
# A2 levels of the demo sellers (G9: Level 1 and above publish without review).
LEVELS = {"dana": SellerLevel.LEVEL_2, "omar": SellerLevel.LEVEL_1, "lior": SellerLevel.NEW_SELLER}
# G9: lior's second gig, published by a new seller: it waits in the operators' queue.
PENDING_GIG = {"title": "I will write the copy for your open house flyer", "category": "real-estate",
               "subcategory": "listing-copy", "tags": ["copywriting", "flyer"],
               "description": "A one-page flyer text for your open house: headline, highlights and directions.",
               "packages": [{"tier": "basic", "name": "Flyer", "description": "One flyer text",
                             "delivery_days": 2, "revisions": 2, "price": 3000}]}


def load(progress: Callable[[str], None] = print, scanner=None) -> dict[str, str]:
    """Loads everything and returns a demo token per user. Each seller's gigs show a generated
    cover image, uploaded and scanned like any upload (``scanner``: the running ClamAV, or the
    stand-in for generated images, local/media_seed.py)."""
    from local.media_seed import seed_gig_image, seed_profile_photo

    clock = runtime.clock()
    for category in CATALOGUE:
        catalogue.put_category(category, "seed", clock)
    progress(f"catalogue: {len(CATALOGUE)} categories")
    tokens: dict[str, str] = {}
    for name, profile in SELLERS.items():
        user_id = user_id_for(name)
        photo = seed_profile_photo(user_id, clock, scanner)  # A1: the seller's own clean image
        accounts.activate_seller(user_id, name, f"{name}@example.test", replace(profile, photo=photo), clock)
        accounts.set_seller_level(user_id, LEVELS[name])
        cover = seed_gig_image(user_id, clock, scanner)
        for fields in GIGS.get(name, []):
            gig = gigs.create_draft(user_id, {**fields, "media": [cover]}, clock)
            if gigs.publish(user_id, gig.id, clock).state is GigState.PENDING_APPROVAL:  # G9: a new seller
                gig_approvals.approve(user_id_for(OPERATORS[0]), gig.id, "Demo data: checked.", clock)
        progress(f"seller {name} ({LEVELS[name]}): {len(GIGS.get(name, []))} published gigs")
        tokens[name] = make_token(name)
    lior = user_id_for("lior")
    pending = gigs.create_draft(lior, {**PENDING_GIG, "media": gigs.list_own(lior, 1, None)[0][0].media}, clock)
    gigs.publish(lior, pending.id, clock)
    progress("review queue (G9): lior's flyer gig waits for an operator")
    for name in BUYERS:
        accounts.profile(user_id_for(name), name, f"{name}@example.test", clock)
        tokens[name] = make_token(name)
    for name in OPERATORS:
        tokens[name] = make_token(name, demo_groups(name))
    progress(f"buyers: {', '.join(BUYERS)}; operators: {', '.join(OPERATORS)}")
    bob, omar = user_id_for("bob"), user_id_for("omar")
    conversation, _ = conversations.write_to(bob, omar, None, "Hi Omar, could you shoot a two-bedroom flat next "
                                             "week?", [], None, clock)
    conversations.write_to(omar, None, bob, "Gladly. Which day suits you, and is there a balcony?", [], None, clock)
    quick_responses.create(omar, "Thanks", "Thanks for your message! I answer within a day.", clock)
    omar_gig = gigs.list_own(omar, 1, None)[0][0]
    custom_offers.send(conversation.id, omar, OfferDraft(
        gig_id=omar_gig.id, description="Two-bedroom flat: 30 edited photos, balcony included, shot next Tuesday",
        price=14_500, delivery_days=3, revisions=2, requirements_asked=False), clock)
    progress("messages: bob and omar have a conversation with a pending custom offer; omar has a quick response")
    _orders(clock, progress)
    _buyer_request(clock, progress)
    _milestone_order(conversation.id, clock, progress)
    return tokens


def _buyer_request(clock, progress: Callable[[str], None]) -> None:
    """alice's open buyer request in real estate (omar and lior see it in their feeds, B1) with
    omar's offer on it (B2), pending."""
    alice, omar = user_id_for("alice"), user_id_for("omar")
    posted = buyer_requests.post(alice, RequestDraft(
        description="Photos of a three-room flat for its listing, about 25 pictures, some at dusk",
        category="real-estate", subcategory="property-photography", budget=20_000, delivery_days=7), clock)
    buyer_requests.fan_out(posted.request.id)  # what the dispatcher's reaction does, at once for the demo
    omar_gig = next(g for g in gigs.list_own(omar, 10, None)[0] if g.category == "real-estate")
    buyer_requests.send_offer(posted.request.id, omar, OfferDraft(
        gig_id=omar_gig.id, description="Three rooms and the balcony at dusk: 25 edited photos in 4 days",
        price=16_000, delivery_days=4, revisions=1), clock)
    progress("buyer requests: alice's open request in real estate, with omar's pending offer")


# C2: omar's offer to bob for a whole listing shoot, in three milestones.
DEMO_MILESTONES = (
    Milestone("Interior photos", "Thirty edited photos of every room", 3, 9_000, 1),
    Milestone("Aerial photos", "Ten drone photos of the house and the street", 4, 12_000, 1),
    Milestone("Listing set", "The full set: every photo, resized for the listing sites", 2, 5_000, 0),
)


def _milestone_order(conversation_id: str, clock, progress: Callable[[str], None]) -> None:
    """bob accepted omar's offer in three milestones (C2); omar delivered the first, bob approved it
    (omar earned 80% of it, C5) and paid the second, which is in progress."""
    bob, omar = user_id_for("bob"), user_id_for("omar")
    drone_gig = gigs.list_own(omar, 2, None)[0][-1]
    offer, _ = custom_offers.send(conversation_id, omar, OfferDraft(
        gig_id=drone_gig.id, description="Your listing shoot in three parts: interiors, aerials, the final set",
        price=sum(m.amount for m in DEMO_MILESTONES), delivery_days=sum(m.delivery_days for m in DEMO_MILESTONES),
        revisions=None, requirements_asked=False, milestones=DEMO_MILESTONES), clock)
    _, order = custom_offers.accept(offer.id, orders.Viewer(bob), clock)
    orders.deliver(order.id, orders.Viewer(omar), "The interior photos, all thirty.", (), False, clock)
    orders.accept(order.id, orders.Viewer(bob), clock)
    orders.start_next_milestone(order.id, orders.Viewer(bob), clock)
    progress(f"milestone order: bob and omar, {order.number}: milestone 1 approved, milestone 2 in progress")


def _orders(clock, progress: Callable[[str], None]) -> None:
    """alice has two orders with dana: one in progress, one delivered and waiting for her answer."""
    alice, dana = user_id_for("alice"), user_id_for("dana")
    buyer = orders.Viewer(alice)
    gig = gigs.list_own(dana, 1, None)[0][0]
    placed = []
    for _ in range(2):
        order = orders.place(alice, gig.id, Selection(tier=gig.packages[0].tier), clock)
        answers = [Answer(r.id, text="A two-bedroom flat, 70 m2" if r.answer_type == "free_text" else None,
                          choices=r.options[:1] if r.answer_type == "multiple_choice" else ())
                   for r in order.requirements if r.mandatory]
        if order.requirements:
            orders.submit_requirements(order.id, buyer, answers, clock)
        placed.append(order)
    orders.deliver(placed[1].id, orders.Viewer(dana), "Here are the first drafts.", (), False, clock)
    progress(f"orders: alice bought from dana twice ({placed[0].number} in progress, {placed[1].number} delivered)")

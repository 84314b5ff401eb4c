"""The operator-managed catalogue (G2)."""
from __future__ import annotations

from dataclasses import replace

from chalicelib.domain.audit import AuditAction, ObjectKind
from chalicelib.domain.audit import record as audit_entry
from chalicelib.domain.catalogue import Catalogue, Category, validate_slug
from chalicelib.domain.clock import Clock
from chalicelib.domain.errors import Conflict, FieldError, InvalidInput, NotFound
from chalicelib.services import runtime
from chalicelib.store import audit as audit_store
from chalicelib.store import catalogue as catalogue_store
from chalicelib.store import gigs as gig_store


def get() -> Catalogue:
    return catalogue_store.load()


def put_category(category: Category, operator_id: str, clock: Clock) -> Category:
    """Creates or replaces a category. A subcategory that listed gigs use cannot be dropped (G2:
    their category is fixed once published)."""
    validate_slug(category.slug)
    try:
        Catalogue(categories=(category,))
    except InvalidInput as exc:  # report paths relative to the body, not the whole catalogue
        fields = [replace(f, field=f.field.removeprefix("categories.0.")) for f in exc.fields]
        raise InvalidInput(exc.message, code=exc.code, fields=fields) from None
    existing = catalogue_store.get(category.slug)
    if existing:
        kept = {s.slug for s in category.subcategories}
        in_use = [s.slug for s in existing.value.subcategories
                  if s.slug not in kept and gig_store.has_listings(f"sub:{category.slug}/{s.slug}")]
        if in_use:
            raise Conflict("Published gigs use these subcategories; they cannot be removed.",
                           code="subcategory_in_use", rule="G2",
                           fields=[FieldError("subcategories", f"{slug!r} is in use", "in_use", "G2")
                                   for slug in in_use])
    uow = runtime.current().unit_of_work()
    catalogue_store.stage_save(uow, existing, category)
    audit_store.stage(uow, audit_entry(operator_id, AuditAction.CATEGORY_SAVED, ObjectKind.CATEGORY, category.slug,
                                       "", clock, {"created": str(existing is None).lower()}))
    uow.commit()
    return category


def delete_category(slug: str, operator_id: str, clock: Clock) -> None:
    existing = catalogue_store.get(slug)
    if existing is None:
        raise NotFound("No such category.")
    if gig_store.has_listings(f"cat:{slug}"):
        raise Conflict("Published gigs use this category; it cannot be removed.", code="category_in_use", rule="G2")
    uow = runtime.current().unit_of_work()
    catalogue_store.stage_delete(uow, existing)
    audit_store.stage(uow, audit_entry(operator_id, AuditAction.CATEGORY_REMOVED, ObjectKind.CATEGORY, slug, "", clock))
    uow.commit()

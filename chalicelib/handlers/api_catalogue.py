"""The catalogue: listed publicly, managed by operators (G2)."""
from __future__ import annotations

from chalicelib.domain.catalogue import Category
from chalicelib.domain.codec import from_primitive, to_primitive
from chalicelib.handlers.api import Api, Call
from chalicelib.handlers.schemas.catalogue import CatalogueOut, CategoryIn, CategoryOut
from chalicelib.services import catalogue, runtime

api = Api(__name__, tag="catalogue")


@api.route("/catalogue", "GET", summary="Categories, subcategories and service types", response=CatalogueOut,
           public=True)
def get_catalogue(call: Call) -> CatalogueOut:
    return CatalogueOut(categories=[to_primitive(c) for c in catalogue.get().categories])


@api.route("/catalogue/categories/{slug}", "PUT", summary="Create or replace a category (operators)",
           request=CategoryIn, response=CategoryOut, operator_only=True)
def put_category(call: Call, slug: str) -> CategoryOut:
    category = from_primitive(Category, {"slug": slug, **call.body.model_dump(mode="json")})
    return CategoryOut(**to_primitive(catalogue.put_category(category, call.user.user_id, runtime.clock())))


@api.route("/catalogue/categories/{slug}", "DELETE", summary="Remove an unused category (operators)",
           operator_only=True)
def delete_category(call: Call, slug: str) -> None:
    catalogue.delete_category(slug, call.user.user_id, runtime.clock())

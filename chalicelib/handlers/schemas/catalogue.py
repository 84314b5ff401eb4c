from __future__ import annotations

from pydantic import BaseModel, Field

from chalicelib.handlers.schemas import RequestModel


class ServiceTypeModel(RequestModel):
    slug: str = Field(max_length=100)
    name: str = Field(max_length=200)


class SubcategoryModel(RequestModel):
    slug: str = Field(max_length=100)
    name: str = Field(max_length=200)
    service_types: list[ServiceTypeModel] = Field(default_factory=list, max_length=50)
    requires_video: bool = False
    allows_audio: bool = False


class CategoryIn(RequestModel):
    name: str = Field(max_length=200)
    subcategories: list[SubcategoryModel] = Field(default_factory=list, max_length=100)


class CategoryOut(BaseModel):
    slug: str
    name: str
    subcategories: list[SubcategoryModel]


class CatalogueOut(BaseModel):
    categories: list[CategoryOut]

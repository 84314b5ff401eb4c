"""Scheduled functions. Chalice turns ``schedule`` into an EventBridge rule in the package."""
from __future__ import annotations

from chalice import Blueprint, Rate

from chalicelib.services import runtime, sweeper

blueprint = Blueprint(__name__)


@blueprint.schedule(Rate(1, unit=Rate.MINUTES), name="sweeper")
def sweep(event) -> dict:
    return sweeper.sweep(runtime.clock()).as_dict()

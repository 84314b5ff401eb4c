"""The Chalice app: builds and installs the runtime (the composition root, chalicelib/root.py),
registers blueprints and middleware, nothing else."""
from chalice import Chalice

from chalicelib.config import settings
from chalicelib.handlers import (
    api_accounts,
    api_buyer_requests,
    api_catalogue,
    api_collaboration,
    api_custom_offers,
    api_files,
    api_gigs,
    api_messages,
    api_meta,
    api_notifications,
    api_orders,
    api_reactions,
    scan_consumer,
    schedules,
)
from chalicelib.handlers.middleware import http_middleware
from chalicelib.root import build_runtime
from chalicelib.services import runtime

runtime.install(build_runtime(settings()))

app = Chalice(app_name="marketplace")
app.register_middleware(http_middleware, "http")

for module in (api_meta, api_accounts, api_catalogue, api_gigs, api_files, api_orders, api_messages,
               api_notifications, api_collaboration, api_reactions, api_custom_offers, api_buyer_requests):
    app.register_blueprint(module.api.blueprint)
app.register_blueprint(schedules.blueprint)
app.register_blueprint(scan_consumer.blueprint)

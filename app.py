"""The Chalice app: builds and installs the runtime (the composition root, chalicelib/root.py),
registers blueprints and middleware, nothing else."""
from chalice import Chalice

from chalicelib.config import settings
from chalicelib.handlers import (
    api_accounts,
    api_audit,
    api_buyer_requests,
    api_catalogue,
    api_collaboration,
    api_coupons,
    api_custom_offers,
    api_files,
    api_gig_approvals,
    api_gigs,
    api_messages,
    api_meta,
    api_metrics,
    api_notifications,
    api_orders,
    api_reactions,
    api_reports,
    api_reviews,
    api_warnings,
    scan_consumer,
    schedules,
    ws_live,
)
from chalicelib.handlers.middleware import http_middleware
from chalicelib.root import build_runtime
from chalicelib.services import runtime

runtime.install(build_runtime(settings()))

app = Chalice(app_name="marketplace")
# The live channel (WebSocket API, chalicelib/handlers/ws_live.py) is an experimental Chalice feature.
app.experimental_feature_flags.update(["WEBSOCKETS"])
app.register_middleware(http_middleware, "http")

for module in (api_meta, api_accounts, api_catalogue, api_gigs, api_files, api_orders, api_messages,
               api_notifications, api_collaboration, api_reactions, api_custom_offers, api_buyer_requests,
               api_audit, api_gig_approvals, api_reviews, api_warnings, api_reports, api_coupons,
               api_metrics):
    app.register_blueprint(module.api.blueprint)
if settings().test_clock:  # the local run and stages that enable it; never production (config.py)
    from chalicelib.handlers import api_dev_clock

    app.register_blueprint(api_dev_clock.api.blueprint)
app.register_blueprint(schedules.blueprint)
app.register_blueprint(scan_consumer.blueprint)
# The live channel's WebSocket routes. Chalice wraps WebSocket handlers only on the app (on a
# Blueprint they stay unwrapped) and packages them as "app.<function name>": hence here, by name.
live_connect = app.on_ws_connect(name="live_connect")(ws_live.live_connect)
live_disconnect = app.on_ws_disconnect(name="live_disconnect")(ws_live.live_disconnect)
live_message = app.on_ws_message(name="live_message")(ws_live.live_message)

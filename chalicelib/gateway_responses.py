"""The errors API Gateway itself answers (unknown route, missing token, body too large...), as
RFC 9457 problems. One table for both worlds: infra/ renders it into GatewayResponse resources
and local/ (chalice local, the test client) maps LocalGateway errors through it, so clients see
the same problem+json locally and in AWS."""
from __future__ import annotations

# responseType -> (status, code, title)
GATEWAY_RESPONSES: dict[str, tuple[int, str, str]] = {
    # API Gateway answers an unknown path or method with this type (a 403 by default): for a
    # client it is simply a route that does not exist.
    "MISSING_AUTHENTICATION_TOKEN": (404, "route_not_found", "No such route"),
    "UNAUTHORIZED": (401, "unauthenticated", "Authentication required"),
    "ACCESS_DENIED": (403, "forbidden", "Access denied"),
    "EXPIRED_TOKEN": (401, "token_expired", "Token expired"),
    "INVALID_SIGNATURE": (401, "unauthenticated", "Invalid token signature"),
    "RESOURCE_NOT_FOUND": (404, "route_not_found", "No such route"),
    "BAD_REQUEST_BODY": (400, "bad_request", "Bad request body"),
    "BAD_REQUEST_PARAMETERS": (400, "bad_request", "Bad request parameters"),
    "INVALID_API_KEY": (403, "forbidden", "Access denied"),
    "WAF_FILTERED": (403, "forbidden", "Blocked by the firewall"),
    "REQUEST_TOO_LARGE": (413, "body_too_large", "Request body too large"),
    "UNSUPPORTED_MEDIA_TYPE": (415, "unsupported_media_type", "Unsupported media type"),
    "THROTTLED": (429, "throttled", "Too many requests"),
    "QUOTA_EXCEEDED": (429, "throttled", "Quota exceeded"),
    "AUTHORIZER_FAILURE": (500, "authorizer_failed", "The authorizer failed"),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, "authorizer_failed", "The authorizer is misconfigured"),
    "API_CONFIGURATION_ERROR": (500, "gateway_error", "The API is misconfigured"),
    "INTEGRATION_FAILURE": (502, "gateway_error", "The service failed to answer"),
    "INTEGRATION_TIMEOUT": (504, "timeout", "The service took too long to answer"),
    # The two defaults catch whatever is not listed above; every type API Gateway documents
    # for REST APIs is listed, so they rarely apply.
    "DEFAULT_4XX": (400, "bad_request", "Bad request"),
    "DEFAULT_5XX": (502, "gateway_error", "The service failed to answer"),
}

PROBLEM_CONTENT_TYPE = "application/problem+json"

# Browsers may call the API from any origin: it authenticates with a token in the Authorization
# header, never with cookies, so no origin gains anything a token does not already give. Routes
# (Chalice CORSConfig) and gateway responses both send it.
CORS_ALLOW_ORIGIN = "*"

"""Makes Chalice's local API Gateway answer its own errors (unknown route, bad token) with the same
problem+json that the deployed gateway responses give (chalicelib/gateway_responses.py)."""
from __future__ import annotations

import json
from http import HTTPStatus

from chalice.local import ChaliceRequestHandler, LocalGateway, LocalGatewayException
from chalice.test import Client, TestHTTPClient

from chalicelib.gateway_responses import CORS_ALLOW_ORIGIN, GATEWAY_RESPONSES, PROBLEM_CONTENT_TYPE

_TYPE_BY_LOCAL_STATUS = {403: "MISSING_AUTHENTICATION_TOKEN", 401: "UNAUTHORIZED", 504: "DEFAULT_5XX"}


def gateway_problem(response_type: str, detail: str) -> dict:
    status, code, title = GATEWAY_RESPONSES[response_type]
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, "code": code}
    # The same headers as the deployed gateway responses (infra renders them from the same table).
    headers = {"Content-Type": PROBLEM_CONTENT_TYPE, "Access-Control-Allow-Origin": CORS_ALLOW_ORIGIN}
    return {"statusCode": status, "headers": headers, "multiValueHeaders": {},
            "body": json.dumps(body)}


class ProblemLocalGateway(LocalGateway):
    def handle_request(self, method, path, headers, body):
        try:
            return super().handle_request(method, path, headers, body)
        except LocalGatewayException as exc:
            response_type = _TYPE_BY_LOCAL_STATUS.get(exc.CODE, "DEFAULT_4XX")
            detail = "No such route." if response_type == "MISSING_AUTHENTICATION_TOKEN" else "Rejected by the gateway."
            return gateway_problem(response_type, detail)
        except (ValueError, IndexError, TypeError, KeyError):
            # Chalice local decodes the JWT itself and raises on a malformed one; API Gateway
            # would answer 401.
            return gateway_problem("UNAUTHORIZED", "The token is malformed.")


class ProblemRequestHandler(ChaliceRequestHandler):
    def __init__(self, request, client_address, server, app_object, config):
        self.local_gateway = ProblemLocalGateway(app_object, config)
        super(ChaliceRequestHandler, self).__init__(request, client_address, server)

    def send_error(self, code, message=None, explain=None):
        """What http.server answers itself (a method it has no handler for, a malformed request
        line) is problem+json too, not its HTML page."""
        phrase = HTTPStatus(code).phrase if code in HTTPStatus._value2member_map_ else "Error"
        body = json.dumps({"type": "about:blank", "title": phrase, "status": code,
                           "detail": message or phrase,
                           "code": "method_not_allowed" if code == 501 else "bad_request"}).encode()
        self.send_response(code, message)
        self.send_header("Content-Type", PROBLEM_CONTENT_TYPE)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class ProblemTestClient(Client):
    """chalice.test.Client whose gateway answers like the deployed one."""

    @property
    def http(self) -> TestHTTPClient:
        if self._http_client is None:
            client = TestHTTPClient(self._app, self._chalice_config)
            client._local_gateway = ProblemLocalGateway(self._app, self._chalice_config)
            self._http_client = client
        return self._http_client

"""Adapters that deliver notifications outside the app: e-mail (SES) and push (SNS).

Each module has the port (a Protocol the dispatcher is written against), the AWS adapter and a
recording stand-in for tests. Locally and in the integration tests the AWS adapters talk to moto,
which keeps what was sent."""
from __future__ import annotations

from botocore.exceptions import ClientError


class Undeliverable(Exception):
    """The provider refused this one message for good (a rejected address, an invalid
    parameter): retrying cannot help, so the dispatcher records it and moves on. Anything else
    (throttling, timeouts, a missing topic) is raised as is and the event stays pending."""


def raise_if_permanent(error: ClientError, permanent: frozenset[str]) -> None:
    code = error.response.get("Error", {}).get("Code", "")
    if code in permanent:
        raise Undeliverable(f"{code}: {error.response.get('Error', {}).get('Message', '')}") from error

"""W1: a blocked account cannot sign in. The identity port disables the user in the user pool and
signs them out everywhere (Cognito's AdminDisableUser and AdminUserGlobalSignOut: refresh tokens
revoked; an ID token already issued lives out its hour, and the app refuses its writes anyway);
unblocking enables the user again. Locally (and in the tests unless they install Cognito) a port
that only logs.

The port is driven by the ``account_identity`` reaction on ``account.blocked`` and
``account.unblocked`` events (after the block's transaction committed, retried with backoff like
every reaction). It acts on the account's standing as it is when it runs, so a replayed block
event never disables an account unblocked since."""
from __future__ import annotations

from functools import cached_property
from typing import Any, Protocol

import boto3

from chalicelib.config import Settings
from chalicelib.domain.events import Event
from chalicelib.observability import logger
from chalicelib.services.payments import LOCAL_STAGES
from chalicelib.store import users as user_store


class IdentityPort(Protocol):
    def disable(self, username: str) -> None:
        """No sign-in any more, and every session ended."""

    def enable(self, username: str) -> None:
        """Sign-in allowed again."""


class LoggingIdentity:
    """Local runs and tests: nothing to disable; says what it would do."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def disable(self, username: str) -> None:
        self.calls.append(("disable", username))
        logger.info("identity: would disable the user and sign them out everywhere", extra={"username": username})

    def enable(self, username: str) -> None:
        self.calls.append(("enable", username))
        logger.info("identity: would enable the user", extra={"username": username})


class CognitoIdentity:
    def __init__(self, user_pool_id: str, region: str) -> None:
        self.user_pool_id = user_pool_id
        self.region = region

    @cached_property
    def _client(self) -> Any:
        return boto3.client("cognito-idp", region_name=self.region)

    def disable(self, username: str) -> None:
        self._client.admin_disable_user(UserPoolId=self.user_pool_id, Username=username)
        self._client.admin_user_global_sign_out(UserPoolId=self.user_pool_id, Username=username)

    def enable(self, username: str) -> None:
        self._client.admin_enable_user(UserPoolId=self.user_pool_id, Username=username)


def user_pool_id(user_pool_arn: str) -> str:
    """``arn:aws:cognito-idp:<region>:<account>:userpool/<pool id>`` -> the pool id."""
    return user_pool_arn.rsplit("/", 1)[-1]


def identity_port_for(settings: Settings) -> IdentityPort:
    """The user pool in a deployed stage; a logging stand-in locally and in the tests."""
    if settings.stage.strip().lower() in LOCAL_STAGES:
        return LoggingIdentity()
    return CognitoIdentity(user_pool_id(settings.user_pool_arn), settings.aws_region)


class AccountIdentityReaction:
    """W1: ``account.blocked`` disables the sign-in, ``account.unblocked`` enables it, each only
    while the account's standing still says so. Idempotent: disabling twice is disabling once."""

    def __init__(self, port: IdentityPort) -> None:
        self.port = port

    def __call__(self, event: Event, context: object) -> bool | None:
        user_id = event.stream.partition(":")[2]
        found = user_store.get(user_id)
        if found is None:
            return None
        restriction = found.value.standing.restriction
        blocked = restriction is not None and restriction.blocked
        if event.kind == "account.blocked" and blocked:
            self.port.disable(found.value.username)
        elif event.kind == "account.unblocked" and not blocked:
            self.port.enable(found.value.username)
        return None

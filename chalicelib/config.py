"""Settings read once from the environment. Locally the defaults name the moto-served resources;
in AWS the CDK stack sets every one of them in the Chalice stage config."""
from __future__ import annotations

from functools import lru_cache

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Stages that serve real users: no test clock there, whatever the configuration says.
PRODUCTION_STAGES = frozenset({"prod", "production"})


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    # "local" for `make run` and the tests; the CDK stack sets STAGE to its stage name.
    stage: str = "local"
    # The payment processor (services/payments.port_for). Empty or "local": LocalPayments, which
    # accepts every charge and is allowed only when the stage is local or test; any deployed stage
    # without a processor fails closed (placing an order answers 503 payments_unavailable).
    payments: str = ""
    aws_region: str = "us-east-1"
    table_name: str = "marketplace"
    idempotency_table_name: str = "marketplace-idempotency"
    upload_bucket: str = "marketplace-uploads"
    scan_queue_name: str = "marketplace-scan"
    # The Cognito user pool behind the API's authorizer. CDK overwrites the ARN in the packaged
    # template; this default is only what `chalice local` and the tests see.
    user_pool_arn: str = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_local"
    # Deadlines are spread over this many partitions of the sparse "due" index so no single
    # partition grows hot; the sweeper queries each shard for what is due, nothing else.
    due_shards: int = 8
    # How many days an idempotency record is kept.
    idempotency_days: int = 1
    # The virus scanner (chalicelib/files/clamav.py): "auto" uses clamd when its socket exists,
    # else the clamscan command; "clamd" or "clamscan" forces one. An empty database directory
    # means ClamAV's own default (/var/lib/clamav; /opt/clamav/db in the scanner image).
    scanner: str = "auto"
    clamd_socket: str = "/tmp/clamd.sock"
    clamscan_path: str = "clamscan"
    clamav_database_dir: str = ""
    # JSON bodies larger than this are refused with 413 before parsing.
    max_body_bytes: int = 256 * 1024
    # Notifications: e-mail goes out through SES from this (verified) address; push is published
    # to this SNS topic with a ``user_id`` message attribute for the push fan-out to route. The
    # default ARN is the one moto gives the topic local/resources.py creates.
    notification_sender: str = "notifications@marketplace.example"
    push_topic_arn: str = "arn:aws:sns:us-east-1:123456789012:marketplace-push"
    # Links in e-mail (F3 invitations) are this origin followed by the API path
    # (``/shared/<token>/files``); CDK sets it from the ``public_base_url`` context.
    public_base_url: str = "http://127.0.0.1:8000"
    # The live channel (domain/live.py): API Gateway's management endpoint of the WebSocket API's
    # stage (https://<api id>.execute-api.<region>.amazonaws.com/<stage>), set by CDK; `make run`
    # points it at its local stand-in. Empty: nothing is pushed live (the feed still fills).
    live_endpoint: str = ""
    # The test clock (domain/dev_clock.py; `POST /dev/clock`): on in `make run`, on in a deployed
    # stage only when its CDK context says so, refused in a production stage (the app will not start).
    test_clock: bool = False

    @model_validator(mode="after")
    def _no_test_clock_in_production(self) -> Settings:
        if self.test_clock and self.stage.lower() in PRODUCTION_STAGES:
            raise ValueError(f"TEST_CLOCK is on in the production stage {self.stage!r}: the test clock "
                             "moves every timer of real orders; turn it off")
        return self


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings()

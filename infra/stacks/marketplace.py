"""The marketplace back end: data, uploads, identity, the Chalice app and its alarms.

One stack per stage. The stack's construct id *is* the Chalice stage (the CDK construct
packages the app with ``stage = scope.to_string()``), so ``MarketplaceStack(app, "dev")``
packages the ``dev`` stage of ``.chalice/config.json`` and names the CloudFormation stack
``marketplace-dev``.

Everything the Lambda functions may do is spelled out as explicit IAM actions: no ``grant_*``
helper is used, because those emit wildcard actions (``s3:GetObject*``, ``s3:List*``, ...).
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Iterator, Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from chalice.cdk import Chalice
from constructs import Construct

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

APP_NAME = "marketplace"
# What app.py's settings fall back to when SCAN_QUEUE_NAME is unset (chalicelib/config.py).
APP_DEFAULT_SCAN_QUEUE = "marketplace-scan"
DEFAULT_ALLOWED_ORIGINS = ["http://localhost:3000"]
# The From address of notification e-mail (context ``notification_sender``). It, or its domain,
# must be a verified SES identity in the stack's region; verifying it is an operator's step.
DEFAULT_NOTIFICATION_SENDER = "notifications@marketplace.example"
# Stages that serve real users: the test clock (`POST /dev/clock`) is refused there, as the app's
# settings refuse it (chalicelib/config.py PRODUCTION_STAGES; infra cannot import the app).
PRODUCTION_STAGES = frozenset({"prod", "production"})

# Powertools Metrics of the app (chalicelib/observability.py): namespace and ``service`` dimension,
# and the dispatcher's metric of dead-lettered outbox events (chalicelib/handlers/schedules.py;
# tests/infra checks the names agree).
METRICS_NAMESPACE = "Marketplace"
METRICS_SERVICE = "marketplace"
DEAD_LETTERED_METRIC = "DeadLettered"
API_STAGE = "api"  # the API Gateway stage, the first segment of every URL
API_LAMBDA_TIMEOUT = 30  # seconds; API Gateway gives up after 29 anyway
SCAN_LAMBDA_TIMEOUT = 60  # seconds; the scan consumer reads and inspects a whole object
# AWS's advice for an SQS event source: visibility timeout at least 6x the function timeout.
SCAN_VISIBILITY_TIMEOUT = 6 * SCAN_LAMBDA_TIMEOUT
SCAN_MAX_RECEIVE_COUNT = 5
# The scan consumer runs ClamAV (see infra/README.md, "Virus scanning"): memory for the loaded
# signatures, /tmp for the object and ClamAV's extraction (MaxScanSize, chalicelib/files/clamav.py).
SCAN_LAMBDA_MEMORY = 3008  # MB
SCAN_EPHEMERAL_STORAGE = 2048  # MB of /tmp
# Where the ClamAV layer puts clamscan and where the definitions are unpacked at cold start.
SCANNER_ENVIRONMENT = {
    "SCANNER": "clamscan",
    "CLAMSCAN_PATH": "/opt/bin/clamscan",
    "CLAMAV_DATABASE_DIR": "/tmp/clamav-db",
}

SCAN_STATUS_TAG = "scan-status"
SCAN_CLEAN = "clean"

TABLE_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:TransactWriteItems",
    "dynamodb:TransactGetItems",
    "dynamodb:ConditionCheckItem",
]
IDEMPOTENCY_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
]
# The API presigns POST uploads (PutObject, PutObjectTagging when the form sets tags) and GET
# downloads; the bucket policy still refuses any GET of an object that is not tagged clean.
API_OBJECT_ACTIONS = [
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:GetObjectTagging",
    "s3:GetObjectVersionTagging",
    "s3:PutObject",
    "s3:PutObjectTagging",
    "s3:PutObjectVersionTagging",
]
# The scanner reads the exact version it was notified about and tags that version.
SCANNER_OBJECT_ACTIONS = [
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:GetObjectTagging",
    "s3:GetObjectVersionTagging",
    "s3:PutObjectTagging",
    "s3:PutObjectVersionTagging",
]
QUEUE_CONSUMER_ACTIONS = [
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:ChangeMessageVisibility",
]


def problem_template(status: int, code: str, title: str) -> str:
    """The API Gateway mapping template for one gateway response: an RFC 9457 body.

    ``$context.error.messageString`` is the message already quoted and escaped as a JSON
    string, so the body stays valid JSON whatever the message says."""
    head = json.dumps({"type": "about:blank", "title": title, "status": status, "code": code})
    return head[:-1] + ', "detail": $context.error.messageString}'


def test_clock_enabled(stage: str, value: Any) -> bool:
    """The ``test_clock`` context (``-c test_clock=true``): the operators' `POST /dev/clock` in a
    dev or test stage. Never in production: asking for it there fails the synthesis."""
    enabled = str(value).strip().lower() in ("1", "true", "yes", "on") if value is not None else False
    if enabled and stage.lower() in PRODUCTION_STAGES:
        raise ValueError(f"test_clock cannot be enabled in the production stage {stage!r}")
    return enabled


def _context_list(value: Any, default: Sequence[str]) -> list[str]:
    """A list from CDK context: a real list (cdk.json) or a string (``-c key=...``) that is
    either JSON or comma-separated."""
    if value is None:
        return list(default)
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            value = json.loads(text)
        else:
            value = [part.strip() for part in text.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"expected a list of strings, got {value!r}")
    return value


# W1: what the identity port calls on the user pool (chalicelib/services/identity.py).
IDENTITY_ACTIONS = [
    "cognito-idp:AdminDisableUser",
    "cognito-idp:AdminUserGlobalSignOut",
    "cognito-idp:AdminEnableUser",
]


class MarketplaceStack(cdk.Stack):
    def __init__(
        self,
        scope: Construct,
        stage: str,
        *,
        source_dir: str = REPO_ROOT,
        allowed_origins: Sequence[str] | None = None,
        alarm_email: str | None = None,
        notification_sender: str | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("stack_name", f"{APP_NAME}-{stage}")
        kwargs.setdefault("description", f"Marketplace back end ({stage})")
        super().__init__(scope, stage, **kwargs)
        self.stage = stage
        self._packaged: dict[str, Any] | None = None
        if allowed_origins is None:
            allowed_origins = _context_list(
                self.node.try_get_context("allowed_origins"), DEFAULT_ALLOWED_ORIGINS
            )
        if alarm_email is None:
            alarm_email = self.node.try_get_context("alarm_email") or None
        if notification_sender is None:
            notification_sender = (
                self.node.try_get_context("notification_sender") or DEFAULT_NOTIFICATION_SENDER
            )
        if "@" not in notification_sender:
            raise ValueError(f"notification_sender must be an e-mail address: {notification_sender!r}")
        self.notification_sender = notification_sender
        # The ClamAV layer (clamscan, libclamav and freshclam built for Amazon Linux 2023).
        self.clamav_layer_arn = self.node.try_get_context("clamav_layer_arn") or None
        self.allowed_origins = list(allowed_origins)
        # Links in e-mail (F3 invitations) start with this origin: the front end's, by default
        # the first allowed origin.
        self.public_base_url = (
            self.node.try_get_context("public_base_url") or self.allowed_origins[0]
        )
        self.test_clock = test_clock_enabled(stage, self.node.try_get_context("test_clock"))
        self.scan_queue_name = f"{stage}-{APP_NAME}-scan"
        # Every function logs to <prefix>/<logical id>; the roles may write there only.
        self.log_group_prefix = f"/aws/lambda/{APP_NAME}-{stage}"

        self._data()
        self._uploads()
        self._notifications()
        self._identity()
        self._roles()
        self._app(source_dir)
        self._alarms(alarm_email)
        self._outputs()

    # -- data ------------------------------------------------------------------------------
    def _data(self) -> None:
        pitr = dynamodb.PointInTimeRecoverySpecification(point_in_time_recovery_enabled=True)
        string = dynamodb.AttributeType.STRING
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(name="pk", type=string),
            sort_key=dynamodb.Attribute(name="sk", type=string),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=pitr,
            time_to_live_attribute="expires_at",
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self.table.add_global_secondary_index(
            index_name="gsi1",
            partition_key=dynamodb.Attribute(name="gsi1pk", type=string),
            sort_key=dynamodb.Attribute(name="gsi1sk", type=string),
            projection_type=dynamodb.ProjectionType.ALL,
        )
        self.table.add_global_secondary_index(
            index_name="gsi2",
            partition_key=dynamodb.Attribute(name="gsi2pk", type=string),
            sort_key=dynamodb.Attribute(name="gsi2sk", type=string),
            projection_type=dynamodb.ProjectionType.ALL,
        )
        # Sparse: only events not yet dispatched carry outbox_shard/outbox_at.
        self.table.add_global_secondary_index(
            index_name="outbox",
            partition_key=dynamodb.Attribute(name="outbox_shard", type=string),
            sort_key=dynamodb.Attribute(name="outbox_at", type=string),
            projection_type=dynamodb.ProjectionType.ALL,
        )
        # Sparse: only items with a pending deadline carry due_shard/due_at.
        self.table.add_global_secondary_index(
            index_name="due",
            partition_key=dynamodb.Attribute(name="due_shard", type=string),
            sort_key=dynamodb.Attribute(name="due_at", type=string),
            projection_type=dynamodb.ProjectionType.ALL,
        )
        # aws-lambda-powertools DynamoDBPersistenceLayer defaults: key "id", TTL "expiration".
        self.idempotency_table = dynamodb.Table(
            self,
            "IdempotencyTable",
            partition_key=dynamodb.Attribute(name="id", type=string),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=pitr,
            time_to_live_attribute="expiration",
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            # Records live a day; losing them on stack deletion costs nothing.
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )

    # -- uploads ---------------------------------------------------------------------------
    def _uploads(self) -> None:
        self.scan_dlq = sqs.Queue(
            self,
            "ScanDeadLetterQueue",
            queue_name=f"{self.scan_queue_name}-dlq",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            retention_period=cdk.Duration.days(14),
        )
        # SSE-SQS (not KMS): S3 can deliver notifications to it without a key policy.
        self.scan_queue = sqs.Queue(
            self,
            "ScanQueue",
            queue_name=self.scan_queue_name,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            visibility_timeout=cdk.Duration.seconds(SCAN_VISIBILITY_TIMEOUT),
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.scan_dlq, max_receive_count=SCAN_MAX_RECEIVE_COUNT
            ),
        )
        self.bucket = s3.Bucket(
            self,
            "UploadBucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            # A scan verdict is recorded against an object version; a later upload under the
            # same key is a new version and must be scanned on its own.
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            cors=[
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.POST, s3.HttpMethods.GET],
                    allowed_origins=self.allowed_origins,
                    allowed_headers=["*"],
                    exposed_headers=["ETag", "x-amz-version-id"],
                    max_age=3000,
                )
            ],
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="abort-incomplete-multipart-uploads",
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(1),
                ),
                s3.LifecycleRule(
                    id="expire-noncurrent-versions",
                    noncurrent_version_expiration=cdk.Duration.days(30),
                ),
            ],
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self.bucket.add_event_notification(
            s3.EventType.OBJECT_CREATED, s3n.SqsDestination(self.scan_queue)
        )

    # -- notifications ---------------------------------------------------------------------
    def _notifications(self) -> None:
        # The dispatcher publishes every push here with a ``user_id`` message attribute; the push
        # fan-out (a mobile back end or platform endpoints behind filter policies) subscribes.
        # Encrypted with the AWS-managed SNS key: its key policy lets SNS use it for callers in
        # this account, so publishers need no KMS grant.
        self.push_topic = sns.Topic(
            self,
            "PushTopic",
            display_name=f"marketplace {self.stage} push",
            master_key=kms.Alias.from_alias_name(self, "SnsManagedKey", "alias/aws/sns"),
        )

    # -- identity --------------------------------------------------------------------------
    def _identity(self) -> None:
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            user_pool_name=f"{APP_NAME}-{self.stage}",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=cdk.Duration.days(3),
            ),
            mfa=cognito.Mfa.OPTIONAL,
            # TOTP only: SMS would need an SNS role and a spend limit.
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self.operators_group = cognito.CfnUserPoolGroup(
            self,
            "OperatorsGroup",
            user_pool_id=self.user_pool.user_pool_id,
            group_name="operators",
            description="Marketplace operators (back-office actions)",
        )
        self.user_pool_client = self.user_pool.add_client(
            "AppClient",
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_password=True, user_srp=True),
            prevent_user_existence_errors=True,
        )

    # -- IAM -------------------------------------------------------------------------------
    def _common_statements(self, role: iam.Role) -> None:
        """What every function of the app may do: the tables, logs, traces and metrics."""
        table_arn = self.table.table_arn
        role.add_to_policy(
            iam.PolicyStatement(
                sid="Table",
                actions=TABLE_ACTIONS,
                resources=[table_arn, f"{table_arn}/index/*"],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="IdempotencyTable",
                actions=IDEMPOTENCY_ACTIONS,
                resources=[self.idempotency_table.table_arn],
            )
        )
        log_groups = self.format_arn(
            service="logs",
            resource="log-group",
            resource_name=f"{self.log_group_prefix}/*",
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="Logs",
                actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[log_groups, f"{log_groups}:*"],
            )
        )
        # These APIs have no resource-level permissions: the resource has to be "*".
        role.add_to_policy(
            iam.PolicyStatement(
                sid="Tracing",
                actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                resources=["*"],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="Metrics",
                actions=["cloudwatch:PutMetricData"],
                resources=["*"],
                conditions={
                    "StringEquals": {"cloudwatch:namespace": "Marketplace"},
                },
            )
        )

    def _notification_statements(self, role: iam.Role) -> None:
        """The notification dispatcher (a schedule of the app): e-mail from the one sender,
        push to the one topic."""
        sender = self.notification_sender
        identities = [sender, sender.rsplit("@", 1)[1]]  # verified as an address or a domain
        role.add_to_policy(
            iam.PolicyStatement(
                sid="Email",
                actions=["ses:SendEmail"],
                resources=[
                    self.format_arn(service="ses", resource="identity", resource_name=name)
                    for name in identities
                ],
                conditions={"StringEquals": {"ses:FromAddress": sender}},
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="Push", actions=["sns:Publish"], resources=[self.push_topic.topic_arn]
            )
        )
        # W1: a block disables the user and signs them out everywhere; an unblock enables them
        # (the account_identity reaction, chalicelib/services/identity.py). This pool only.
        role.add_to_policy(
            iam.PolicyStatement(
                sid="BlockSignIn",
                actions=IDENTITY_ACTIONS,
                resources=[self.user_pool.user_pool_arn],
            )
        )

    def _roles(self) -> None:
        lambda_principal = iam.ServicePrincipal("lambda.amazonaws.com")
        objects = self.bucket.arn_for_objects("*")

        # API handlers and the sweeper.
        self.app_role = iam.Role(
            self,
            "AppRole",
            assumed_by=lambda_principal,
            description="Marketplace Lambda functions (API, schedules)",
        )
        self._common_statements(self.app_role)
        self._notification_statements(self.app_role)
        self.app_role.add_to_policy(
            iam.PolicyStatement(sid="Uploads", actions=API_OBJECT_ACTIONS, resources=[objects])
        )

        # The scan consumer: the only principal allowed to read an object before it is clean.
        self.scanner_role = iam.Role(
            self,
            "ScannerRole",
            assumed_by=lambda_principal,
            description="Marketplace upload scanner (SQS consumer)",
        )
        self._common_statements(self.scanner_role)
        self.scanner_role.add_to_policy(
            iam.PolicyStatement(
                sid="ScanObjects", actions=SCANNER_OBJECT_ACTIONS, resources=[objects]
            )
        )
        self.scanner_role.add_to_policy(
            iam.PolicyStatement(
                sid="ScanQueue",
                actions=QUEUE_CONSUMER_ACTIONS,
                resources=[self.scan_queue.queue_arn],
            )
        )

        # No one -- not the API, not an administrator -- downloads an object whose version is
        # not tagged clean. The scanner is the one exception: it must read what it scans.
        self.bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="DenyReadUnlessScannedClean",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=["s3:GetObject", "s3:GetObjectVersion"],
                resources=[objects],
                conditions={
                    "StringNotEquals": {f"s3:ExistingObjectTag/{SCAN_STATUS_TAG}": SCAN_CLEAN},
                    "ArnNotEquals": {"aws:PrincipalArn": self.scanner_role.role_arn},
                },
            )
        )

    # -- the Chalice app -------------------------------------------------------------------
    def _app(self, source_dir: str) -> None:
        source_dir = os.path.abspath(source_dir)
        self.source_dir = source_dir
        environment = {
            "STAGE": self.stage,
            "TABLE_NAME": self.table.table_name,
            "IDEMPOTENCY_TABLE_NAME": self.idempotency_table.table_name,
            "UPLOAD_BUCKET": self.bucket.bucket_name,
            "SCAN_QUEUE_NAME": self.scan_queue_name,
            "USER_POOL_ARN": self.user_pool.user_pool_arn,
            "NOTIFICATION_SENDER": self.notification_sender,
            "PUSH_TOPIC_ARN": self.push_topic.topic_arn,
            "PUBLIC_BASE_URL": self.public_base_url,
            # Always set, so `chalice package` registers /dev/clock only where the context asks.
            "TEST_CLOCK": "true" if self.test_clock else "false",
            "POWERTOOLS_SERVICE_NAME": METRICS_SERVICE,
            "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
            "LOG_LEVEL": "INFO",
        }
        stage_config = {
            "api_gateway_stage": API_STAGE,
            "lambda_timeout": API_LAMBDA_TIMEOUT,
            "lambda_memory_size": 512,
            "xray": True,
            "manage_iam_role": False,
            "iam_role_arn": self.app_role.role_arn,
            "environment_variables": environment,
        }
        packaging_env: dict[str, str] = {}
        if not (os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")):
            # `chalice package` asks botocore for a region only to spell service principals;
            # the template itself stays region-agnostic.
            region = self.region if not cdk.Token.is_unresolved(self.region) else "us-east-1"
            packaging_env["AWS_DEFAULT_REGION"] = region
        # The construct writes `chalice package` output to ./chalice.out: keep it in the cloud
        # assembly directory (cdk.out), with the rest of the synthesis output.
        work_dir = cdk.Stage.of(self).outdir
        with _packaging_environment(source_dir, work_dir, packaging_env):
            self.chalice = Chalice(self, "App", source_dir=source_dir, stage_config=stage_config)

        self.function_ids = sorted(
            logical_id
            for logical_id, resource in self._packaged_resources()
            if resource.get("Type") == "AWS::Serverless::Function"
        )
        self._log_groups()
        self._wire_scan_consumers()
        self._patch_rest_api()
        self._wire_live_channel()

    def _packaged_template(self) -> dict[str, Any]:
        if self._packaged is not None:
            return self._packaged
        # The construct writes `chalice package`'s SAM template here and includes it; reading
        # the JSON is simpler than walking CfnInclude's typed L1 properties.
        path = os.path.join(self.chalice._sam_package_dir, "sam.json")  # noqa: SLF001
        with open(path) as f:
            self._packaged = json.load(f)
        return self._packaged

    def _packaged_resources(self) -> Iterator[tuple[str, dict[str, Any]]]:
        yield from self._packaged_template().get("Resources", {}).items()

    def _log_groups(self) -> None:
        """One log group per function, created before it, with a retention, named under the
        prefix the roles may write to. The function is pointed at it with LoggingConfig, so
        Lambda never creates an unmanaged, never-expiring group of its own. (Chalice's own
        ``log_retention_in_days`` cannot be used: with an API it emits a log group that refers
        to ``${ApiHandler}`` while the function is ``APIHandler``, and the template does not
        load.)"""
        for logical_id in self.function_ids:
            log_group = logs.LogGroup(
                self,
                f"{logical_id}LogGroup",
                log_group_name=f"{self.log_group_prefix}/{logical_id}",
                retention=logs.RetentionDays.ONE_MONTH,
                removal_policy=cdk.RemovalPolicy.DESTROY,
            )
            self.chalice.get_resource(logical_id).add_property_override(
                "LoggingConfig", {"LogGroup": log_group.log_group_name}
            )

    def _wire_scan_consumers(self) -> None:
        """Point every SQS event source of the app at the scan queue this stack owns.

        Chalice renders ``@app.on_sqs_message(queue=name)`` as an ARN string built from the
        name. Replacing it with the queue's real ARN (a GetAtt) makes CloudFormation create
        the queue before the event source mapping and cannot drift from the name the app read
        at packaging time. The consumer also gets the scanner role and a longer timeout."""
        def is_scan_queue(name: str) -> bool:
            # The app's default, or "<any stage>-marketplace-scan" (the app module is imported
            # once per process, so it may carry the name of another stage synthesized before).
            return name == APP_DEFAULT_SCAN_QUEUE or name.endswith(f"-{APP_NAME}-scan")

        self.scan_function_ids: list[str] = []
        for logical_id, resource in self._packaged_resources():
            if resource.get("Type") != "AWS::Serverless::Function":
                continue
            events = resource.get("Properties", {}).get("Events", {}) or {}
            for event_id, event in events.items():
                if event.get("Type") != "SQS":
                    continue
                queue = event["Properties"]["Queue"]
                name = (queue.get("Fn::Sub") if isinstance(queue, dict) else queue) or ""
                name = name.rsplit(":", 1)[-1]
                if not is_scan_queue(name):
                    raise ValueError(
                        f"{logical_id} consumes SQS queue {name!r}, which this stack does not "
                        f"create (it creates {self.scan_queue_name!r})"
                    )
                function = self.chalice.get_resource(logical_id)
                function.add_property_override(
                    f"Events.{event_id}.Properties.Queue", self.scan_queue.queue_arn
                )
                function.add_property_override("Role", self.scanner_role.role_arn)
                function.add_property_override("Timeout", SCAN_LAMBDA_TIMEOUT)
                function.add_property_override("MemorySize", SCAN_LAMBDA_MEMORY)
                function.add_property_override("EphemeralStorage", {"Size": SCAN_EPHEMERAL_STORAGE})
                for key, value in SCANNER_ENVIRONMENT.items():
                    function.add_property_override(f"Environment.Variables.{key}", value)
                if self.clamav_layer_arn:
                    function.add_property_override("Layers", [self.clamav_layer_arn])
                self.scan_function_ids.append(logical_id)

    def _wire_live_channel(self) -> None:
        """The WebSocket API `chalice package` makes for the live channel (the app's ``live_*``
        handlers, chalicelib/handlers/ws_live.py): every function is told its management endpoint
        (``LIVE_ENDPOINT``: the notifications dispatcher posts frames there), and the app role may
        post to and close its connections, nothing else of any API."""
        resources = dict(self._packaged_resources())
        self.live_api_id: str | None = None
        if "WebsocketAPI" not in resources:
            return
        stage = resources["WebsocketAPIStage"]["Properties"]["StageName"]
        api_id = self.chalice.get_resource("WebsocketAPI").ref
        self.live_api_id = api_id
        self.live_endpoint = cdk.Fn.sub(
            "https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/" + stage, {"Api": api_id}
        )
        for logical_id in self.function_ids:
            self.chalice.get_resource(logical_id).add_property_override(
                "Environment.Variables.LIVE_ENDPOINT", self.live_endpoint
            )
        connections = cdk.Stack.of(self).format_arn(
            service="execute-api", resource=api_id, resource_name=f"{stage}/*/@connections/*"
        )
        self.app_role.add_to_policy(
            iam.PolicyStatement(
                sid="LiveConnections",
                actions=["execute-api:ManageConnections"],
                resources=[connections],
            )
        )
        cdk.CfnOutput(self, "LiveUrl", value=cdk.Fn.sub(
            "wss://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/" + stage, {"Api": api_id}
        ), description="The live channel: connect with ?token=<Cognito ID token>")

    def _patch_rest_api(self) -> None:
        resources = dict(self._packaged_resources())
        self.authorizer_names: list[str] = []
        if "RestAPI" not in resources:
            return
        rest_api = self.chalice.get_resource("RestAPI")
        body = resources["RestAPI"]["Properties"]["DefinitionBody"]

        # The authorizer was packaged with a placeholder pool ARN; point it at the real pool.
        for name, scheme in (body.get("securityDefinitions") or {}).items():
            if scheme.get("x-amazon-apigateway-authtype") == "cognito_user_pools":
                rest_api.add_property_override(
                    f"DefinitionBody.securityDefinitions.{name}"
                    ".x-amazon-apigateway-authorizer.providerARNs",
                    [self.user_pool.user_pool_arn],
                )
                self.authorizer_names.append(name)

        # API Gateway's own errors as problem+json. These live in the API definition
        # (x-amazon-apigateway-gateway-responses), not in separate
        # AWS::ApiGateway::GatewayResponse resources: SAM re-imports the body in "overwrite"
        # mode whenever it changes, which silently drops gateway responses defined outside it
        # (aws/serverless-application-model#390, #623), and a change to a separate resource
        # would not trigger a new deployment either. Inside the body they are part of the
        # deployment hash and survive every update.
        responses = _load_module(
            os.path.join(self.source_dir, "chalicelib", "gateway_responses.py")
        )
        content_type = f"'{responses.PROBLEM_CONTENT_TYPE}'"  # a header value is a literal
        rest_api.add_property_override(
            "DefinitionBody.x-amazon-apigateway-gateway-responses",
            {
                response_type: {
                    "statusCode": str(status),
                    "responseParameters": {
                        "gatewayresponse.header.Content-Type": content_type,
                        # Without it a browser cannot read a gateway-level 401 or 404.
                        "gatewayresponse.header.Access-Control-Allow-Origin":
                            f"'{responses.CORS_ALLOW_ORIGIN}'",
                    },
                    "responseTemplates": {
                        "application/json": problem_template(status, code, title)
                    },
                }
                for response_type, (status, code, title) in responses.GATEWAY_RESPONSES.items()
            },
        )
        self.rest_api_id = rest_api.ref

    # -- alarms ----------------------------------------------------------------------------
    def _alarms(self, alarm_email: str | None) -> None:
        # Unencrypted on purpose: CloudWatch cannot publish to a topic under the AWS-managed
        # SNS key, and alarm notifications carry no customer data.
        self.alarm_topic = sns.Topic(self, "AlarmTopic", display_name=f"marketplace {self.stage}")
        if alarm_email:
            self.alarm_topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        action = cw_actions.SnsAction(self.alarm_topic)

        dlq_alarm = cloudwatch.Alarm(
            self,
            "ScanDeadLetterAlarm",
            alarm_description="Uploads failed scanning 5 times and sit in the dead-letter queue",
            metric=self.scan_dlq.metric_approximate_number_of_messages_visible(
                period=cdk.Duration.minutes(1), statistic="Maximum"
            ),
            threshold=0,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        dlq_alarm.add_alarm_action(action)

        # Outbox events whose reactions failed MAX_ATTEMPTS times (the dispatcher's DeadLettered
        # metric, published by Powertools with its ``service`` dimension): an operator lists and
        # replays them (GET /operator/dead-letters).
        dead_letter_alarm = cloudwatch.Alarm(
            self,
            "OutboxDeadLetterAlarm",
            alarm_description="Outbox events were dead-lettered after repeated failed reactions; "
            "see GET /operator/dead-letters",
            metric=cloudwatch.Metric(
                namespace=METRICS_NAMESPACE,
                metric_name=DEAD_LETTERED_METRIC,
                dimensions_map={"service": METRICS_SERVICE},
                period=cdk.Duration.minutes(5),
                statistic="Sum",
            ),
            threshold=0,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        dead_letter_alarm.add_alarm_action(action)
        self.dead_letter_alarm = dead_letter_alarm

        for logical_id in self.function_ids:
            function_name = self.chalice.get_resource(logical_id).ref
            alarm = cloudwatch.Alarm(
                self,
                f"{logical_id}ErrorsAlarm",
                alarm_description=f"{logical_id} raised errors",
                metric=cloudwatch.Metric(
                    namespace="AWS/Lambda",
                    metric_name="Errors",
                    dimensions_map={"FunctionName": function_name},
                    period=cdk.Duration.minutes(1),
                    statistic="Sum",
                ),
                threshold=0,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=1,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            alarm.add_alarm_action(action)

    # -- outputs ---------------------------------------------------------------------------
    def _outputs(self) -> None:
        if getattr(self, "rest_api_id", None) is not None:
            cdk.CfnOutput(
                self,
                "ApiUrl",
                value=cdk.Fn.sub(
                    "https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/"
                    f"{API_STAGE}/",
                    {"Api": self.rest_api_id},
                ),
            )
        outputs = {
            "TableName": self.table.table_name,
            "IdempotencyTableName": self.idempotency_table.table_name,
            "UploadBucketName": self.bucket.bucket_name,
            "ScanQueueUrl": self.scan_queue.queue_url,
            "ScanDeadLetterQueueUrl": self.scan_dlq.queue_url,
            "UserPoolId": self.user_pool.user_pool_id,
            "UserPoolClientId": self.user_pool_client.user_pool_client_id,
            "AlarmTopicArn": self.alarm_topic.topic_arn,
            "PushTopicArn": self.push_topic.topic_arn,
        }
        for name, value in outputs.items():
            cdk.CfnOutput(self, name, value=value)


def _load_module(path: str) -> Any:
    """Import one file of the app by path (chalicelib is not on sys.path when infra runs)."""
    name = "_marketplace_infra_" + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# What `chalice package` imports from the source directory.
APP_MODULES = ("app", "chalicelib")


def _is_app_module(name: str) -> bool:
    return any(name == m or name.startswith(m + ".") for m in APP_MODULES)


class _packaging_environment:
    """While `chalice package` imports app.py:

    - the repo root first on sys.path, so ``import app`` is never infra/app.py;
    - the environment restored in full afterwards: `chalice package` copies the stage's
      environment variables (CDK token strings among them, SCAN_QUEUE_NAME, ...) and
      AWS_EXECUTION_ENV into os.environ before it imports the app;
    - a fresh import of app.py and chalicelib, so the app sees that environment even if this
      process imported it before (several stages, or a test session), and the rest of the
      process gets its own modules back afterwards, untouched;
    - the working directory the construct writes its output under."""

    def __init__(self, source_dir: str, work_dir: str, env: dict[str, str]) -> None:
        self.source_dir = source_dir
        self.work_dir = work_dir
        self.env = env
        self.saved_env: dict[str, str] = {}
        self.saved_path: list[str] = []
        self.saved_modules: dict[str, Any] = {}
        self.saved_cwd = ""

    def __enter__(self) -> None:
        self.saved_cwd = os.getcwd()
        os.makedirs(self.work_dir, exist_ok=True)
        os.chdir(self.work_dir)
        self.saved_path = list(sys.path)
        if self.source_dir in sys.path:
            sys.path.remove(self.source_dir)
        sys.path.insert(0, self.source_dir)
        self.saved_env = dict(os.environ)
        os.environ.update(self.env)
        self.saved_modules = {n: m for n, m in sys.modules.items() if _is_app_module(n)}
        for name in self.saved_modules:
            del sys.modules[name]

    def __exit__(self, *exc: object) -> None:
        for name in [n for n in sys.modules if _is_app_module(n)]:
            del sys.modules[name]
        sys.modules.update(self.saved_modules)
        os.chdir(self.saved_cwd)
        sys.path[:] = self.saved_path
        for key in [k for k in os.environ if k not in self.saved_env]:
            del os.environ[key]
        for key, value in self.saved_env.items():
            if os.environ.get(key) != value:
                os.environ[key] = value

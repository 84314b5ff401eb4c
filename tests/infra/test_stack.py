"""The synthesized CloudFormation template: what the stack promises the app and the operators."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Match

from tests.infra.conftest import STAGE

# The session fixture `synth` (conftest.py) synthesizes the stack once; its `json` is the
# template, `template` the aws_cdk.assertions.Template, `stack` the MarketplaceStack.
Synth = Any

REPO_ROOT = Path(__file__).resolve().parents[2]
INFRA_DIR = REPO_ROOT / "infra"
# Synthesis is never judged on speed; a run this long is a hang, reported as TimeoutExpired.
SYNTH_HUNG_AFTER = 1800
PLACEHOLDER_POOL_ARN = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_local"


def getatt(logical_id: str, attribute: str = "Arn") -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, attribute]}


def ref(logical_id: str) -> dict[str, Any]:
    return {"Ref": logical_id}


def functions(synth: Synth) -> dict[str, dict[str, Any]]:
    found = synth.resources("AWS::Serverless::Function")
    assert found, "the packaged Chalice app has no functions"
    return found


def statements(synth: Synth) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every statement of every policy document anywhere in the template."""

    def walk(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
        if isinstance(node, dict):
            if "Statement" in node and isinstance(node["Statement"], (list, dict)):
                found = node["Statement"]
                for i, statement in enumerate(found if isinstance(found, list) else [found]):
                    yield f"{where}/Statement/{i}", statement
            for key, value in node.items():
                if key != "Statement":
                    yield from walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from walk(value, f"{where}/{i}")

    yield from walk(synth.json["Resources"], "Resources")


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def policy_statements(synth: Synth, role_construct: Any) -> list[dict[str, Any]]:
    role_id = synth.logical_id(role_construct)
    found = []
    for policy in synth.resources("AWS::IAM::Policy").values():
        if ref(role_id) in policy["Properties"].get("Roles", []):
            found.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    assert found, f"no policy attached to {role_id}"
    return found


def bucket_policy(synth: Synth) -> list[dict[str, Any]]:
    bucket_id = synth.logical_id(synth.stack.bucket)
    policies = [
        p
        for p in synth.resources("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == ref(bucket_id)
    ]
    assert len(policies) == 1
    return policies[0]["Properties"]["PolicyDocument"]["Statement"]


# -- data ----------------------------------------------------------------------------------
def test_table_keys_indexes_pitr_ttl_encryption(synth: Synth) -> None:
    table_id = synth.logical_id(synth.stack.table)
    synth.template.has_resource(
        "AWS::DynamoDB::Table",
        {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"},
    )
    props = synth.json["Resources"][table_id]["Properties"]
    assert props["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    # AWS-managed KMS key: SSE on, no customer key.
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert "KMSMasterKeyId" not in props["SSESpecification"]
    attributes = {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]}
    assert attributes == {
        "pk": "S", "sk": "S", "gsi1pk": "S", "gsi1sk": "S", "gsi2pk": "S", "gsi2sk": "S",
        "due_shard": "S", "due_at": "S", "outbox_shard": "S", "outbox_at": "S",
    }
    indexes = {i["IndexName"]: i for i in props["GlobalSecondaryIndexes"]}
    assert set(indexes) == {"gsi1", "gsi2", "due", "outbox"}
    for name, (hash_key, range_key) in {
        "gsi1": ("gsi1pk", "gsi1sk"),
        "gsi2": ("gsi2pk", "gsi2sk"),
        "due": ("due_shard", "due_at"),
        "outbox": ("outbox_shard", "outbox_at"),
    }.items():
        assert indexes[name]["KeySchema"] == [
            {"AttributeName": hash_key, "KeyType": "HASH"},
            {"AttributeName": range_key, "KeyType": "RANGE"},
        ]
        assert indexes[name]["Projection"] == {"ProjectionType": "ALL"}


def test_idempotency_table(synth: Synth) -> None:
    props = synth.json["Resources"][synth.logical_id(synth.stack.idempotency_table)]["Properties"]
    assert props["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert props["AttributeDefinitions"] == [{"AttributeName": "id", "AttributeType": "S"}]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


# -- uploads -------------------------------------------------------------------------------
def test_upload_bucket_is_private_encrypted_versioned(synth: Synth) -> None:
    bucket_id = synth.logical_id(synth.stack.bucket)
    resource = synth.json["Resources"][bucket_id]
    assert resource["DeletionPolicy"] == "Retain"
    props = resource["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"] == [
        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
    ]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    rules = props["LifecycleConfiguration"]["Rules"]
    assert any(
        r.get("AbortIncompleteMultipartUpload", {}).get("DaysAfterInitiation")
        and r["Status"] == "Enabled"
        for r in rules
    )
    # autoDeleteObjects would add a custom resource with a wildcard-ish role: not wanted.
    assert not synth.resources("Custom::S3AutoDeleteObjects")


def test_upload_bucket_cors_takes_origins_from_context(synth: Synth) -> None:
    props = synth.json["Resources"][synth.logical_id(synth.stack.bucket)]["Properties"]
    (rule,) = props["CorsConfiguration"]["CorsRules"]
    assert set(rule["AllowedMethods"]) == {"POST", "GET"}
    assert rule["AllowedOrigins"] == synth.allowed_origins
    assert synth.allowed_origins != synth.module.DEFAULT_ALLOWED_ORIGINS


def test_allowed_origins_context_parsing(stack_module: Any) -> None:
    parse = stack_module._context_list
    default = ["http://localhost:3000"]
    assert parse(None, default) == default
    assert parse('["https://a.example", "https://b.example"]', default) == [
        "https://a.example", "https://b.example",
    ]
    assert parse("https://a.example, https://b.example", default) == [
        "https://a.example", "https://b.example",
    ]
    with pytest.raises(ValueError):
        parse([1, 2], default)


def test_the_production_api_has_no_test_clock(synth: Synth) -> None:
    """`POST /dev/clock` moves every timer: the packaged production API must not have the route
    (app.py registers it only when TEST_CLOCK is on, and the stack sets it off here)."""
    (rest_api,) = synth.resources("AWS::Serverless::Api").values()
    paths = rest_api["Properties"]["DefinitionBody"]["paths"]
    assert "/orders" in paths and "/gigs/{gig_id}" in paths  # the packaged API is really here
    assert not [path for path in paths if path.startswith("/dev")]


def test_test_clock_context(stack_module: Any) -> None:
    enabled = stack_module.test_clock_enabled
    assert enabled("dev", None) is False and enabled("dev", "false") is False
    assert enabled("dev", "true") is True and enabled("staging", True) is True
    for stage in ("prod", "production", "Prod"):
        assert enabled(stage, None) is False
        with pytest.raises(ValueError, match="production"):
            enabled(stage, "true")


def test_bucket_refuses_plain_http(synth: Synth) -> None:
    assert any(
        s["Effect"] == "Deny"
        and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for s in bucket_policy(synth)
    )


def test_bucket_denies_download_unless_scanned_clean(synth: Synth) -> None:
    (deny,) = [s for s in bucket_policy(synth) if s.get("Sid") == "DenyReadUnlessScannedClean"]
    assert deny["Effect"] == "Deny"
    assert deny["Principal"] == {"AWS": "*"}
    assert sorted(as_list(deny["Action"])) == ["s3:GetObject", "s3:GetObjectVersion"]
    assert deny["Condition"]["StringNotEquals"] == {"s3:ExistingObjectTag/scan-status": "clean"}
    # The only exception is the scanner role (it must read what it scans). The API role is
    # not exempt: it cannot hand out a download of an unscanned object.
    scanner = getatt(synth.logical_id(synth.stack.scanner_role))
    assert deny["Condition"]["ArnNotEquals"] == {"aws:PrincipalArn": scanner}
    assert set(deny["Condition"]) == {"StringNotEquals", "ArnNotEquals"}
    resource = json.dumps(deny["Resource"])
    assert synth.logical_id(synth.stack.bucket) in resource and "/*" in resource


def test_scan_queue_has_dead_letter_queue(synth: Synth) -> None:
    module = synth.module
    queue_id = synth.logical_id(synth.stack.scan_queue)
    dlq_id = synth.logical_id(synth.stack.scan_dlq)
    queue = synth.json["Resources"][queue_id]["Properties"]
    dlq = synth.json["Resources"][dlq_id]["Properties"]
    assert queue["QueueName"] == f"{synth.stage}-marketplace-scan"
    assert queue["SqsManagedSseEnabled"] is True
    assert dlq["SqsManagedSseEnabled"] is True
    assert queue["VisibilityTimeout"] == 6 * module.SCAN_LAMBDA_TIMEOUT == 360
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": getatt(dlq_id),
        "maxReceiveCount": 5,
    }
    assert dlq["MessageRetentionPeriod"] == 14 * 24 * 3600


def test_bucket_notifies_scan_queue_of_new_objects(synth: Synth) -> None:
    queue_id = synth.logical_id(synth.stack.scan_queue)
    synth.template.has_resource_properties(
        "Custom::S3BucketNotifications",
        {
            "BucketName": ref(synth.logical_id(synth.stack.bucket)),
            "NotificationConfiguration": {
                "QueueConfigurations": [
                    {"Events": ["s3:ObjectCreated:*"], "QueueArn": getatt(queue_id)}
                ]
            },
        },
    )
    # ...and S3 may send to the queue (only from this bucket).
    synth.template.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "Queues": [ref(queue_id)],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Action": Match.array_with(["sqs:SendMessage"]),
                                "Principal": {"Service": "s3.amazonaws.com"},
                                "Condition": {
                                    "ArnLike": {
                                        "aws:SourceArn": getatt(
                                            synth.logical_id(synth.stack.bucket)
                                        )
                                    }
                                },
                            }
                        )
                    ]
                )
            },
        },
    )


# -- identity ------------------------------------------------------------------------------
def test_user_pool_operators_group_and_client(synth: Synth) -> None:
    pool_id = synth.logical_id(synth.stack.user_pool)
    pool = synth.json["Resources"][pool_id]["Properties"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True  # no self sign-up
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["MfaConfiguration"] == "OPTIONAL"
    password = pool["Policies"]["PasswordPolicy"]
    assert password["MinimumLength"] >= 12
    assert all(
        password[k]
        for k in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols")
    )
    synth.template.has_resource_properties(
        "AWS::Cognito::UserPoolGroup", {"GroupName": "operators", "UserPoolId": ref(pool_id)}
    )
    synth.template.has_resource_properties(
        "AWS::Cognito::UserPoolClient",
        {
            "UserPoolId": ref(pool_id),
            "GenerateSecret": False,
            "ExplicitAuthFlows": Match.array_with(
                ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"]
            ),
        },
    )


# -- the Chalice app -----------------------------------------------------------------------
def test_functions_get_the_stage_config(synth: Synth) -> None:
    stack = synth.stack
    expected = {
        "STAGE": synth.stage,
        "TABLE_NAME": ref(synth.logical_id(stack.table)),
        "IDEMPOTENCY_TABLE_NAME": ref(synth.logical_id(stack.idempotency_table)),
        "UPLOAD_BUCKET": ref(synth.logical_id(stack.bucket)),
        "SCAN_QUEUE_NAME": f"{synth.stage}-marketplace-scan",
        "USER_POOL_ARN": getatt(synth.logical_id(stack.user_pool)),
        "NOTIFICATION_SENDER": stack.notification_sender,
        "PUSH_TOPIC_ARN": ref(synth.logical_id(stack.push_topic)),
        "POWERTOOLS_SERVICE_NAME": "marketplace",
        "POWERTOOLS_METRICS_NAMESPACE": "Marketplace",
        "LOG_LEVEL": "INFO",
        "TEST_CLOCK": "false",
    }
    for logical_id, function in functions(synth).items():
        variables = function["Properties"]["Environment"]["Variables"]
        for key, value in expected.items():
            assert variables.get(key) == value, (logical_id, key)
        assert function["Properties"]["Tracing"] == "Active"
        # Each function logs to a group the stack owns (retention, IAM scope).
        log_group = function["Properties"]["LoggingConfig"]["LogGroup"]
        (log_group_id,) = log_group.values()
        assert synth.json["Resources"][log_group_id]["Type"] == "AWS::Logs::LogGroup"


def test_functions_run_with_the_stack_roles_only(synth: Synth) -> None:
    stack = synth.stack
    app_role = getatt(synth.logical_id(stack.app_role))
    scanner_role = getatt(synth.logical_id(stack.scanner_role))
    queue_arn = getatt(synth.logical_id(stack.scan_queue))
    for logical_id, function in functions(synth).items():
        events = function["Properties"].get("Events") or {}
        sqs = [e for e in events.values() if e["Type"] == "SQS"]
        if sqs:
            assert function["Properties"]["Role"] == scanner_role, logical_id
            assert function["Properties"]["Timeout"] == synth.module.SCAN_LAMBDA_TIMEOUT
            assert all(e["Properties"]["Queue"] == queue_arn for e in sqs)
        else:
            assert function["Properties"]["Role"] == app_role, logical_id
    # Chalice manages no role of its own: the only roles are ours and CDK's notification helper.
    roles = set(synth.resources("AWS::IAM::Role"))
    ours = {synth.logical_id(stack.app_role), synth.logical_id(stack.scanner_role)}
    assert ours <= roles
    for other in roles - ours:
        assert other.startswith("BucketNotificationsHandler"), other


def test_scan_consumer_is_wired(synth: Synth) -> None:
    """app.py's @app.on_sqs_message scan consumer reads the stack's queue with the scanner role
    and runs ClamAV with room for it (F1)."""
    consumers = synth.stack.scan_function_ids
    assert len(consumers) == 1
    (logical_id,) = consumers
    props = synth.json["Resources"][logical_id]["Properties"]
    (event,) = props["Events"].values()
    assert event["Type"] == "SQS" and event["Properties"]["Queue"] == getatt(synth.logical_id(synth.stack.scan_queue))
    assert event["Properties"]["BatchSize"] == 1  # a failure retries exactly one upload
    assert props["Role"] == getatt(synth.logical_id(synth.stack.scanner_role))
    assert props["MemorySize"] == synth.module.SCAN_LAMBDA_MEMORY
    assert props["EphemeralStorage"] == {"Size": synth.module.SCAN_EPHEMERAL_STORAGE}
    variables = props["Environment"]["Variables"]
    for key, value in synth.module.SCANNER_ENVIRONMENT.items():
        assert variables[key] == value
    assert variables["UPLOAD_BUCKET"] == ref(synth.logical_id(synth.stack.bucket))


def test_sweeper_schedule(synth: Synth) -> None:
    schedules = [
        event["Properties"]
        for function in functions(synth).values()
        for event in (function["Properties"].get("Events") or {}).values()
        if event["Type"] == "Schedule"
    ]
    rules = [r["Properties"] for r in synth.resources("AWS::Events::Rule").values()]
    expressions = [s["Schedule"] for s in schedules] + [r.get("ScheduleExpression") for r in rules]
    assert "rate(1 minute)" in expressions, expressions


def test_notification_dispatcher_has_its_own_schedule(synth: Synth) -> None:
    scheduled = [
        logical_id
        for logical_id, function in functions(synth).items()
        for event in (function["Properties"].get("Events") or {}).values()
        if event["Type"] == "Schedule" and event["Properties"]["Schedule"] == "rate(1 minute)"
    ]
    assert len(scheduled) == 2 and any("otification" in f for f in scheduled), scheduled


def test_authorizer_uses_the_user_pool(synth: Synth) -> None:
    (api,) = synth.resources("AWS::Serverless::Api").values()
    schemes = api["Properties"]["DefinitionBody"].get("securityDefinitions") or {}
    cognito = {
        name: s for name, s in schemes.items()
        if s.get("x-amazon-apigateway-authtype") == "cognito_user_pools"
    }
    assert cognito, "the API has no Cognito authorizer"
    pool_arn = getatt(synth.logical_id(synth.stack.user_pool))
    for scheme in cognito.values():
        assert scheme["x-amazon-apigateway-authorizer"]["providerARNs"] == [pool_arn]
    assert PLACEHOLDER_POOL_ARN not in json.dumps(synth.json)
    assert "us-east-1_local" not in json.dumps(synth.json)


def test_gateway_responses_are_problem_json(synth: Synth, gateway_responses: Any) -> None:
    (api,) = synth.resources("AWS::Serverless::Api").values()
    rendered = api["Properties"]["DefinitionBody"]["x-amazon-apigateway-gateway-responses"]
    table = gateway_responses.GATEWAY_RESPONSES
    assert set(rendered) == set(table)
    content_type = f"'{gateway_responses.PROBLEM_CONTENT_TYPE}'"
    assert content_type == "'application/problem+json'"
    for response_type, (status, code, title) in table.items():
        response = rendered[response_type]
        assert response["statusCode"] == str(status), response_type
        assert response["responseParameters"] == {
            "gatewayresponse.header.Content-Type": content_type,
            "gatewayresponse.header.Access-Control-Allow-Origin": "'*'",
        }
        template = response["responseTemplates"]["application/json"]
        # API Gateway substitutes a JSON string literal for $context.error.messageString.
        body = json.loads(template.replace("$context.error.messageString", '"he said \\"no\\""'))
        assert body == {
            "type": "about:blank",
            "title": title,
            "status": status,
            "code": code,
            "detail": 'he said "no"',
        }


# -- least privilege -----------------------------------------------------------------------
def test_no_wildcard_actions(synth: Synth) -> None:
    """No statement grants an action with a wildcard. The single tolerated wildcard is the
    ``s3:*`` of the bucket's deny-non-TLS statement (enforce_ssl): a wildcard in a Deny takes
    rights away and must stay broad, so it is allowed only in that exact shape."""
    seen = 0
    for where, statement in statements(synth):
        seen += 1
        assert "NotAction" not in statement, where
        actions = as_list(statement.get("Action", []))
        assert actions, where
        wild = [a for a in actions if not isinstance(a, str) or "*" in a]
        if not wild:
            continue
        assert statement["Effect"] == "Deny", (where, wild)
        assert statement.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}, where
        assert wild == ["s3:*"], where
    assert seen > 10  # the walk really found the policies


def test_app_role_grants(synth: Synth) -> None:
    stack = synth.stack
    module = synth.module
    table_arn = getatt(synth.logical_id(stack.table))
    granted = policy_statements(synth, stack.app_role)
    by_sid = {s["Sid"]: s for s in granted}
    assert by_sid["Table"]["Action"] == module.TABLE_ACTIONS
    assert by_sid["Table"]["Resource"] == [
        table_arn,
        {"Fn::Join": ["", [table_arn, "/index/*"]]},
    ]
    assert by_sid["IdempotencyTable"]["Resource"] == getatt(
        synth.logical_id(stack.idempotency_table)
    )
    assert sorted(by_sid["Uploads"]["Action"]) == sorted(module.API_OBJECT_ACTIONS)
    actions = {a for s in granted for a in as_list(s["Action"])}
    assert {"ses:SendEmail", "sns:Publish", "xray:PutTraceSegments",
            "logs:PutLogEvents", "cloudwatch:PutMetricData"} <= actions
    # Push goes to the stack's push topic only; e-mail from the configured sender only.
    assert by_sid["Push"]["Action"] == "sns:Publish"
    assert by_sid["Push"]["Resource"] == ref(synth.logical_id(stack.push_topic))
    assert by_sid["Email"]["Action"] == "ses:SendEmail"
    sender = stack.notification_sender
    assert by_sid["Email"]["Condition"] == {"StringEquals": {"ses:FromAddress": sender}}
    resources = json.dumps(by_sid["Email"]["Resource"])
    assert f":identity/{sender}" in resources and f":identity/{sender.split('@')[1]}" in resources
    assert "*" not in resources
    # W1: blocks reach the stack's user pool only.
    assert by_sid["BlockSignIn"]["Action"] == module.IDENTITY_ACTIONS
    assert by_sid["BlockSignIn"]["Resource"] == getatt(synth.logical_id(stack.user_pool), "Arn")
    # Only the scanner consumes the queue.
    assert not any(a.startswith("sqs:") for a in actions)
    # The live channel: post to (and close) connections of the stack's WebSocket API only.
    live = by_sid["LiveConnections"]
    assert live["Action"] == "execute-api:ManageConnections"
    assert "WebsocketAPI" in json.dumps(live["Resource"]) and "/@connections/*" in json.dumps(live["Resource"])


def test_scanner_role_grants(synth: Synth) -> None:
    stack = synth.stack
    granted = policy_statements(synth, stack.scanner_role)
    by_sid = {s["Sid"]: s for s in granted}
    assert sorted(by_sid["ScanQueue"]["Action"]) == sorted(
        ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
         "sqs:ChangeMessageVisibility"]
    )
    assert by_sid["ScanQueue"]["Resource"] == getatt(synth.logical_id(stack.scan_queue))
    assert "s3:PutObject" not in by_sid["ScanObjects"]["Action"]
    assert "s3:PutObjectVersionTagging" in by_sid["ScanObjects"]["Action"]
    # The scanner stages events in the outbox; the dispatcher (app role) sends them.
    actions = {a for s in granted for a in as_list(s["Action"])}
    assert not any(a.startswith(("ses:", "sns:")) for a in actions)


def test_push_topic_is_encrypted(synth: Synth) -> None:
    topic = synth.json["Resources"][synth.logical_id(synth.stack.push_topic)]
    # The AWS-managed SNS key, as an alias ARN in the stack's own account and region.
    assert topic["Properties"]["KmsMasterKeyId"]["Fn::Join"][1][-1] == ":alias/aws/sns"


def test_notification_sender_must_be_an_address(stack_module: Any) -> None:
    import aws_cdk as cdk

    with pytest.raises(ValueError, match="e-mail address"):
        stack_module.MarketplaceStack(cdk.App(), "bad", notification_sender="not-an-address")


# -- alarms and outputs --------------------------------------------------------------------
def test_dead_letter_queue_alarm(synth: Synth) -> None:
    synth.template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Namespace": "AWS/SQS",
            "MetricName": "ApproximateNumberOfMessagesVisible",
            "Dimensions": [
                {"Name": "QueueName",
                 "Value": getatt(synth.logical_id(synth.stack.scan_dlq), "QueueName")}
            ],
            "Threshold": 0,
            "ComparisonOperator": "GreaterThanThreshold",
            "AlarmActions": [ref(synth.logical_id(synth.stack.alarm_topic))],
        },
    )


def test_dead_lettered_outbox_events_raise_an_alarm(synth: Synth, stack_module: Any) -> None:
    """Reactions that keep failing end as dead letters: the dispatcher's DeadLettered metric
    (Powertools, namespace and service dimension of the app) alarms on any."""
    from chalicelib.handlers.schedules import DEAD_LETTERED_METRIC

    assert stack_module.DEAD_LETTERED_METRIC == DEAD_LETTERED_METRIC
    synth.template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Namespace": "Marketplace",
            "MetricName": "DeadLettered",
            "Dimensions": [{"Name": "service", "Value": "marketplace"}],
            "Statistic": "Sum",
            "Threshold": 0,
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching",
            "AlarmActions": [ref(synth.logical_id(synth.stack.alarm_topic))],
        },
    )
    env = next(iter(functions(synth).values()))["Properties"]["Environment"]["Variables"]
    assert env["POWERTOOLS_METRICS_NAMESPACE"] == "Marketplace" and env["POWERTOOLS_SERVICE_NAME"] == "marketplace"
    assert env["PUBLIC_BASE_URL"] == synth.stack.allowed_origins[0]


def test_every_function_has_an_errors_alarm(synth: Synth) -> None:
    alarmed = {
        alarm["Properties"]["Dimensions"][0]["Value"]["Ref"]
        for alarm in synth.resources("AWS::CloudWatch::Alarm").values()
        if alarm["Properties"].get("MetricName") == "Errors"
        and alarm["Properties"]["Namespace"] == "AWS/Lambda"
        and alarm["Properties"]["Threshold"] == 0
        and alarm["Properties"]["ComparisonOperator"] == "GreaterThanThreshold"
    }
    assert alarmed == set(functions(synth))
    # The API handler and the sweeper at least.
    assert len(alarmed) >= 2


def test_the_live_channel_is_a_websocket_api_on_the_app(synth: Synth) -> None:
    """`chalice package` makes the WebSocket API of the app's live_* handlers; every function knows
    its management endpoint (the dispatcher posts frames there) and runs with the app role."""
    (api,) = synth.resources("AWS::ApiGatewayV2::Api").values()
    assert api["Properties"]["ProtocolType"] == "WEBSOCKET"
    routes = {r["Properties"]["RouteKey"] for r in synth.resources("AWS::ApiGatewayV2::Route").values()}
    assert routes == {"$connect", "$disconnect", "$default"}
    for logical_id, function in functions(synth).items():
        endpoint = function["Properties"]["Environment"]["Variables"]["LIVE_ENDPOINT"]
        assert "WebsocketAPI" in json.dumps(endpoint) and "https://" in json.dumps(endpoint), logical_id
    assert "wss://" in json.dumps(synth.json["Outputs"]["LiveUrl"])


def test_outputs(synth: Synth) -> None:
    outputs = synth.json["Outputs"]
    for name in ("ApiUrl", "TableName", "IdempotencyTableName", "UploadBucketName",
                 "ScanQueueUrl", "ScanDeadLetterQueueUrl", "UserPoolId", "UserPoolClientId",
                 "PushTopicArn"):
        assert name in outputs, name
    assert "execute-api" in json.dumps(outputs["ApiUrl"])


# -- the template as a whole ---------------------------------------------------------------
def test_cfn_lint_reports_no_errors(synth: Synth) -> None:
    from cfnlint.api import ManualArgs, lint_file

    # No rule is ignored. The known warnings are CDK's own (W3005: an explicit DependsOn next
    # to a GetAtt in the bucket-notification helper); they are printed, not failed.
    matches = lint_file(synth.path, config=ManualArgs(regions=["us-east-1", "eu-west-1"]))
    for match in matches:
        print(match)
    errors = [m for m in matches if m.rule.id.startswith("E")]
    assert not errors, "\n".join(str(m) for m in errors)


def test_app_entry_point_synthesizes(tmp_path: Path) -> None:
    """`python infra/app.py` (what `cdk synth` runs) works from a clean process."""
    env = dict(os.environ, CDK_OUTDIR=str(tmp_path / "cdk.out"))
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [sys.executable, str(INFRA_DIR / "app.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=SYNTH_HUNG_AFTER,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    template = json.loads((tmp_path / "cdk.out" / "dev.template.json").read_text())
    assert template["Transform"] == "AWS::Serverless-2016-10-31"
    assert any(r["Type"] == "AWS::Serverless::Api" for r in template["Resources"].values())
    # `chalice package` output stays inside the cloud assembly, not in the working directory.
    assert not (tmp_path / "chalice.out").exists()
    assert (tmp_path / "cdk.out" / "chalice.out").is_dir()


# -- an SQS consumer (a stand-in app until app.py has one) ---------------------------------
@pytest.fixture(scope="module")
def stub_template(synth_stub: Any) -> dict[str, Any]:
    # The consumer reads the queue name from the environment, as app.py will.
    return synth_stub('os.environ.get("SCAN_QUEUE_NAME", "marketplace-scan")')


def test_scan_consumer_is_wired_to_the_stack_queue(stub_template: dict[str, Any]) -> None:
    resources = stub_template["Resources"]
    (queue_id,) = [k for k, v in resources.items()
                   if v["Type"] == "AWS::SQS::Queue" and "RedrivePolicy" in v["Properties"]]
    (scanner_role,) = [k for k in resources if k.startswith("ScannerRole")
                       and resources[k]["Type"] == "AWS::IAM::Role"]
    consumers = {
        k: v for k, v in resources.items()
        if v["Type"] == "AWS::Serverless::Function"
        and any(e["Type"] == "SQS" for e in (v["Properties"].get("Events") or {}).values())
    }
    assert len(consumers) == 1
    (consumer,) = consumers.values()
    props = consumer["Properties"]
    (event,) = props["Events"].values()
    # The real queue ARN (a dependency CloudFormation orders on), not a name-built string.
    assert event["Properties"]["Queue"] == getatt(queue_id)
    assert props["Role"] == getatt(scanner_role)
    assert props["Timeout"] * 6 == resources[queue_id]["Properties"]["VisibilityTimeout"]
    assert props["Environment"]["Variables"]["SCAN_QUEUE_NAME"] == f"{STAGE}-marketplace-scan"
    # ...and the other functions keep the app role.
    others = [v for k, v in resources.items()
              if v["Type"] == "AWS::Serverless::Function" and k not in consumers]
    assert others and all(o["Properties"]["Role"] != getatt(scanner_role) for o in others)


def test_consumer_of_an_unknown_queue_fails_the_synth(synth_stub: Any) -> None:
    with pytest.raises(Exception, match="does not create"):
        synth_stub('"some-other-queue"')


def test_synthesis_leaves_the_process_alone(synth_stub: Any) -> None:
    """Packaging imports app.py under the stack's environment; afterwards the process has its
    own modules, path, environment and working directory back (other tests import app.py)."""
    import importlib

    before_modules = {n: m for n, m in sys.modules.items()
                      if n == "app" or n.startswith("chalicelib")}
    before = (list(sys.path), dict(os.environ), os.getcwd())
    synth_stub('"marketplace-scan"')
    after_modules = {n: m for n, m in sys.modules.items()
                     if n == "app" or n.startswith("chalicelib")}
    assert after_modules == before_modules
    assert (list(sys.path), dict(os.environ), os.getcwd()) == before
    if "app" in sys.modules:
        assert importlib.import_module("app").__file__ == str(REPO_ROOT / "app.py")

"""Creates what the CDK stack owns in AWS (table, idempotency table, bucket, queues, push topic) on
the local moto server or inside a test's moto mock, and verifies the notification sender with SES
(in AWS an operator verifies it once). Idempotent: existing resources are left alone."""
from __future__ import annotations

import json

import boto3

from chalicelib.config import settings
from chalicelib.store.table import create_table


def create_all() -> dict:
    s = settings()
    create_table()
    dynamodb = boto3.client("dynamodb", region_name=s.aws_region)
    if s.idempotency_table_name not in dynamodb.list_tables()["TableNames"]:
        dynamodb.create_table(
            TableName=s.idempotency_table_name, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    s3 = boto3.client("s3", region_name=s.aws_region)
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if s.upload_bucket not in existing:
        s3.create_bucket(Bucket=s.upload_bucket)
        s3.put_bucket_versioning(Bucket=s.upload_bucket, VersioningConfiguration={"Status": "Enabled"})
    sqs = boto3.client("sqs", region_name=s.aws_region)
    dlq_url = sqs.create_queue(QueueName=f"{s.scan_queue_name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue_url = sqs.create_queue(QueueName=s.scan_queue_name, Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"}),
        "VisibilityTimeout": "360"})["QueueUrl"]
    # moto names the topic's ARN after its own account, which the push_topic_arn default matches.
    topic_arn = boto3.client("sns", region_name=s.aws_region).create_topic(
        Name=s.push_topic_arn.rsplit(":", 1)[-1])["TopicArn"]
    boto3.client("ses", region_name=s.aws_region).verify_email_identity(EmailAddress=s.notification_sender)
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    # As in the stack: every new object version is announced on the scan queue.
    s3.put_bucket_notification_configuration(Bucket=s.upload_bucket, NotificationConfiguration={
        "QueueConfigurations": [{"Id": "scan-uploads", "QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"]}]})
    return {"table": s.table_name, "idempotency_table": s.idempotency_table_name, "bucket": s.upload_bucket,
            "scan_queue": queue_url, "scan_dlq": dlq_url, "push_topic": topic_arn}

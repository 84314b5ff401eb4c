"""The moto server of `make run` under concurrent requests (the API, the sweeper, the notification
dispatcher and the scan worker call it at once): every call answers, every write lands.

moto's TransactWriteItems deep-copies the table while other requests write to it; unserialised,
that raised ``RuntimeError: dictionary changed size during iteration`` (a 500) in `make run`.
The clients here do not retry, so a single 500 fails the test."""
from __future__ import annotations

import threading

import boto3
import pytest
from botocore.config import Config

from local.run import start_moto

THREADS = 4
TRANSACTIONS = 40  # per thread
ITEMS = 3  # per transaction
TABLE = "concurrency"


@pytest.fixture
def moto_server():
    server = start_moto(0)  # as `make run` starts it, on a free port
    try:
        yield server
    finally:
        server.stop()


def _dynamodb(url: str):
    return boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="local",
                        aws_secret_access_key="local",
                        config=Config(retries={"mode": "standard", "max_attempts": 1}))  # no retry hides a 500


def test_concurrent_transactions_all_land(moto_server):
    client = _dynamodb(moto_server.url)
    client.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                   {"AttributeName": "sk", "KeyType": "RANGE"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                              {"AttributeName": "sk", "AttributeType": "S"}])
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def writer(thread: int) -> None:
        own = _dynamodb(moto_server.url)
        start.wait()
        for n in range(TRANSACTIONS):
            items = [{"Put": {"TableName": TABLE, "Item": {"pk": {"S": f"T{thread}#{n}"}, "sk": {"S": str(i)}},
                              "ConditionExpression": "attribute_not_exists(pk)"}} for i in range(ITEMS)]
            # A counter every transaction updates: the writers touch one item together too.
            items.append({"Update": {"TableName": TABLE, "Key": {"pk": {"S": "COUNTER"}, "sk": {"S": "0"}},
                                     "UpdateExpression": "ADD n :one",
                                     "ExpressionAttributeValues": {":one": {"N": "1"}}}})
            try:
                own.transact_write_items(TransactItems=items)
            except Exception as exc:  # noqa: BLE001 - collected for the assertion below
                errors.append(exc)

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    written = client.scan(TableName=TABLE, Select="COUNT", ConsistentRead=True)["Count"]
    assert written == THREADS * TRANSACTIONS * ITEMS + 1
    counter = client.get_item(TableName=TABLE, Key={"pk": {"S": "COUNTER"}, "sk": {"S": "0"}},
                              ConsistentRead=True)["Item"]
    assert int(counter["n"]["N"]) == THREADS * TRANSACTIONS

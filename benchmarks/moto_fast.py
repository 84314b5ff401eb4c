"""Bench-only patches of moto, so the big sweep bench measures the app and not moto's shortcuts.

**Transactions.**
moto's ``transact_write_items`` deep-copies the *whole table* once per item of the transaction to
be able to roll back. With 100,000 items in the table that is seconds per transaction, which would
swamp what the big sweep bench measures (and is nothing DynamoDB does). Inside
``cheap_transaction_snapshots()`` the snapshot is a shallow copy of the partitions the transaction
touches (Put and Delete replace items, they do not mutate them) plus deep copies of the few items
an Update mutates in place; a cancelled transaction restores both. ``self_check()`` proves the rollback
still works before the bench relies on it.

**Queries.** moto's ``Table.query`` takes ``all_items()``, which *sorts the whole table*, and then
filters it, for every Query (base table or index), and sorts what it kept again. Inside
``fast_queries()`` a base-table Query reads its one partition and an index Query filters the
items unsorted (moto still sorts the matches as before), so a Query no longer costs a sort of
100,000 items. ``self_check()`` compares the answers with and without the patch."""
from __future__ import annotations

import copy
import inspect
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace


@contextmanager
def cheap_transaction_snapshots() -> Iterator[None]:
    import moto.dynamodb.models as models
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    real_deepcopy = copy.deepcopy

    def deepcopy(x, memo=None):
        if isinstance(x, Table):
            return x  # moto "restores" this same object on failure; the wrapper restores the items
        return real_deepcopy(x, memo)

    original = DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        partitions: dict = {}  # (table name, hash value) -> (table, the partition as it was)
        updated = []
        for entry in transact_items:
            op_type, op = next(iter(entry.items()))
            table = self.get_table(op["TableName"])
            key = op["Item"] if op_type == "Put" else op["Key"]
            hash_value = DynamoType(key[table.hash_key_attr])
            if (op["TableName"], hash_value) not in partitions:
                current = table.items.get(hash_value)
                partitions[(op["TableName"], hash_value)] = (
                    table, dict(current) if isinstance(current, dict) else current)
            if op_type == "Update":
                item = self.get_item(op["TableName"], op["Key"])
                if item is not None:
                    updated.append((table, real_deepcopy(item)))
        try:
            return original(self, transact_items)
        except Exception:
            for (_, hash_value), (table, before) in partitions.items():
                if before is None:
                    table.items.pop(hash_value, None)
                else:
                    table.items[hash_value] = before
            for table, item in updated:
                if table.range_key_attr:
                    table.items[item.hash_key][item.range_key] = item
                else:
                    table.items[item.hash_key] = item
            raise

    saved_copy = models.copy
    models.copy = SimpleNamespace(**{**vars(copy), "deepcopy": deepcopy})
    DynamoDBBackend.transact_write_items = transact_write_items
    try:
        yield
    finally:
        models.copy = saved_copy
        DynamoDBBackend.transact_write_items = original


@contextmanager
def fast_queries() -> Iterator[None]:
    from moto.dynamodb.models.table import Table

    original_query, original_all_items = Table.query, Table.all_items
    signature = inspect.signature(original_query)
    local = threading.local()

    def query(self, *args, **kwargs):
        arguments = signature.bind(self, *args, **kwargs).arguments
        local.query = (arguments.get("index_name"), arguments.get("hash_key"))
        try:
            return original_query(self, *args, **kwargs)
        finally:
            local.query = None

    def all_items(self):
        current = getattr(local, "query", None)
        if current is None:  # scans and everything else: unchanged
            return original_all_items(self)
        index_name, hash_key = current
        if index_name is None and self.range_key_attr and hash_key is not None:
            return list(self.items.get(hash_key, {}).values())
        return [item for hash_set in self.items.values()
                for item in (hash_set.values() if self.range_key_attr else [hash_set])]

    query.__wrapped_original__ = original_query  # type: ignore[attr-defined]
    all_items.__wrapped_original__ = original_all_items  # type: ignore[attr-defined]
    Table.query, Table.all_items = query, all_items
    try:
        yield
    finally:
        Table.query, Table.all_items = original_query, original_all_items


def self_check() -> None:
    """Under ``fast_queries``, Queries answer as moto does without it; under
    ``cheap_transaction_snapshots``, a cancelled transaction leaves nothing behind: not its Put, not its
    Delete, not its in-place Update. Raises AssertionError otherwise. Call inside mock_aws()."""
    import boto3
    from botocore.exceptions import ClientError

    from chalicelib.config import settings

    client = boto3.client("dynamodb", region_name=settings().aws_region)
    table = settings().table_name

    def key(sk: str) -> dict:
        return {"pk": {"S": "BENCH#selfcheck"}, "sk": {"S": sk}}

    client.put_item(TableName=table, Item={**key("KEEP"), "n": {"N": "1"}})
    client.put_item(TableName=table, Item={**key("GONE"), "n": {"N": "1"}})
    try:
        client.transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "Item": {**key("NEW"), "n": {"N": "1"}}}},
            {"Delete": {"TableName": table, "Key": key("GONE")}},
            {"Update": {"TableName": table, "Key": key("KEEP"), "UpdateExpression": "ADD n :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            {"ConditionCheck": {"TableName": table, "Key": key("MISSING"),
                                "ConditionExpression": "attribute_exists(pk)"}},
        ])
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "TransactionCanceledException", exc
    else:
        raise AssertionError("the transaction should have been cancelled")
    assert "Item" not in client.get_item(TableName=table, Key=key("NEW")), "a cancelled Put stayed"
    assert "Item" in client.get_item(TableName=table, Key=key("GONE")), "a cancelled Delete stayed"
    assert client.get_item(TableName=table, Key=key("KEEP"))["Item"]["n"] == {"N": "1"}, "a cancelled Update stayed"
    for sk in ("KEEP", "GONE"):
        client.delete_item(TableName=table, Key=key(sk))

    # Queries: a partition (both directions, with a limit) and the due index, patched vs not
    for i, sk in enumerate(("B", "A", "C")):
        client.put_item(TableName=table, Item={**key(sk), "due_shard": {"S": "DUE#SELF"},
                                               "due_at": {"S": f"2026-01-0{i + 1}"}})
    client.put_item(TableName=table, Item={"pk": {"S": "BENCH#other"}, "sk": {"S": "A"}})

    def answers() -> list:
        def sks(**kw) -> list[str]:
            return [i["sk"]["S"] for i in client.query(TableName=table, **kw)["Items"]]

        base = [sks(KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": "BENCH#selfcheck"}},
                    ScanIndexForward=forward, **({"Limit": limit} if limit else {}))
                for forward in (True, False) for limit in (None, 2)]
        due = [sks(IndexName="due", KeyConditionExpression="due_shard = :s AND due_at <= :t",
                   ExpressionAttributeValues={":s": {"S": "DUE#SELF"}, ":t": {"S": "2026-01-02"}})]
        return base + due

    with _queries_unpatched():
        expected = answers()
    assert expected[0] == ["A", "B", "C"] and expected[-1] == ["B", "A"], expected
    assert answers() == expected, (answers(), expected)
    for sk in ("A", "B", "C"):
        client.delete_item(TableName=table, Key=key(sk))
    client.delete_item(TableName=table, Key={"pk": {"S": "BENCH#other"}, "sk": {"S": "A"}})


@contextmanager
def _queries_unpatched() -> Iterator[None]:
    from moto.dynamodb.models.table import Table

    saved = Table.query, Table.all_items
    Table.query = getattr(Table.query, "__wrapped_original__", Table.query)
    Table.all_items = getattr(Table.all_items, "__wrapped_original__", Table.all_items)
    try:
        yield
    finally:
        Table.query, Table.all_items = saved

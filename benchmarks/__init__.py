"""Benchmarks for the marketplace API: `make bench` (or `python -m benchmarks.run`).

They print figures and assert nothing about time:

* ``routes``  -- DynamoDB calls per request for every route (moto + demo data), counted with a
  botocore ``before-call`` hook on every client and cross-checked against ``_make_api_call``;
* ``imports`` -- import time of ``app.py`` beside a bare Chalice + boto3 app (``bare_app.py``);
* ``sweeper`` -- time and DynamoDB calls of one sweep, with nothing due and with due deadlines.
"""

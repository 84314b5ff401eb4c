#!/usr/bin/env python3
"""CDK app: `cdk deploy` from this directory (or `python infra/app.py` to synthesize only).

Context (cdk.json or `-c key=value`):
  stage            Chalice stage and stack suffix (default "dev"); the stack is marketplace-<stage>
  allowed_origins  browser origins allowed to POST uploads / GET files on the upload bucket
                   (JSON list or comma-separated; default ["http://localhost:3000"])
  alarm_email      optional address subscribed to the alarm topic
  notification_sender  From address of notification e-mail (a verified SES identity;
                   default notifications@marketplace.example)
"""
from __future__ import annotations

import os
import sys

import aws_cdk as cdk

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stacks.marketplace import MarketplaceStack  # noqa: E402


def main() -> None:
    app = cdk.App()
    stage = app.node.try_get_context("stage") or "dev"
    MarketplaceStack(
        app,
        stage,
        env=cdk.Environment(
            account=os.environ.get("CDK_DEFAULT_ACCOUNT"),
            region=os.environ.get("CDK_DEFAULT_REGION"),
        ),
    )
    app.synth()


if __name__ == "__main__":
    main()

"""Move the messages of the stack's dead-letter queues back to the queues they came from.

    python -m infra.redrive [DLQ ...] [--stage dev] [--region us-east-1] [--endpoint-url URL]

With no DLQ named, every dead-letter queue of template.yaml that a queue redrives to. A DLQ is
named by its logical id (`ProgressEventsDLQ`). Against AWS it uses the default credentials; against
the local stack pass its `--endpoint-url` (printed by `make dev`, also in `.local-stack.json`).
Consumers deduplicate by envelope id, so moving a message back that was in fact handled changes
nothing. Run it after fixing what made the messages fail.

The outbox relay's DLQ holds pointers to stream records, not events: the outbox sweeper publishes
their items again by itself, so it has no source queue and is left alone.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3

from infra.template import Resolver, load_template

_BATCH = 10


@dataclass(frozen=True)
class Redrive:
    dead_letter_queue: str  # logical id
    dead_letter_name: str
    source_name: str


def redrives(template: Mapping[str, Any], stage: str, region: str) -> list[Redrive]:
    """Each DLQ of the template with the queue whose RedrivePolicy sends to it, by physical name."""
    resolver = Resolver(
        template,
        parameters={"Stage": stage},
        region=region,
        account_id="000000000000",  # queue names hold the stage only, not the account
        stack_name=f"lms-{stage}",
    )
    queues = {
        logical_id: resource.get("Properties") or {}
        for logical_id, resource in template["Resources"].items()
        if resource.get("Type") == "AWS::SQS::Queue"
    }
    found = []
    for properties in queues.values():
        target = ((properties.get("RedrivePolicy") or {}).get("deadLetterTargetArn") or {}).get("Fn::GetAtt")
        if isinstance(target, list) and target[0] in queues:
            found.append(
                Redrive(
                    dead_letter_queue=target[0],
                    dead_letter_name=str(resolver.resolve(queues[target[0]]["QueueName"])),
                    source_name=str(resolver.resolve(properties["QueueName"])),
                )
            )
    return sorted(found, key=lambda redrive: redrive.dead_letter_queue)


def move_back(sqs: Any, redrive: Redrive) -> int:
    """Send every message of the DLQ to its source queue, then delete it; the number moved."""
    dead = sqs.get_queue_url(QueueName=redrive.dead_letter_name)["QueueUrl"]
    source = sqs.get_queue_url(QueueName=redrive.source_name)["QueueUrl"]
    moved = 0
    while True:
        messages = sqs.receive_message(
            QueueUrl=dead, MaxNumberOfMessages=_BATCH, MessageAttributeNames=["All"], WaitTimeSeconds=0
        ).get("Messages", [])
        if not messages:
            return moved
        sqs.send_message_batch(
            QueueUrl=source,
            Entries=[
                {
                    "Id": str(index),
                    "MessageBody": message["Body"],
                    **(
                        {"MessageAttributes": message["MessageAttributes"]}
                        if message.get("MessageAttributes")
                        else {}
                    ),
                }
                for index, message in enumerate(messages)
            ],
        )
        sqs.delete_message_batch(
            QueueUrl=dead,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
        )
        moved += len(messages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.redrive", description=__doc__.split("\n")[0])
    parser.add_argument("queues", nargs="*", help="logical ids of DLQs (default: all)")
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--region", default=None, help="default: the AWS configuration's")
    parser.add_argument("--endpoint-url", default=None, help="the local stack's AWS endpoint")
    args = parser.parse_args(argv)
    sqs = boto3.client("sqs", region_name=args.region, endpoint_url=args.endpoint_url)
    known = redrives(load_template(), args.stage, sqs.meta.region_name)
    unknown = sorted(set(args.queues) - {redrive.dead_letter_queue for redrive in known})
    if unknown:
        print(f"not a dead-letter queue with a source queue: {', '.join(unknown)}", file=sys.stderr)
        return 2
    for redrive in known:
        if not args.queues or redrive.dead_letter_queue in args.queues:
            moved = move_back(sqs, redrive)
            print(f"{redrive.dead_letter_name} -> {redrive.source_name}: {moved} message(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

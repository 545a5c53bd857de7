"""Event archive: Firehose's record transformation for the archive of every event.

Firehose hands over EventBridge events (the whole event: `detail` is the envelope); each comes back
as the archive's line (lms.archive) with the institution and day it is filed under, which
Firehose's dynamic partitioning puts in the object's key. A record that is not an event of the bus
fails alone and Firehose files it under the stream's error prefix.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import (
    KinesisFirehoseDataTransformationRecord,
    KinesisFirehoseDataTransformationRecordMetadata,
    KinesisFirehoseDataTransformationResponse,
    KinesisFirehoseEvent,
)
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from lms.archive import archived_event
from lms.settings import METRICS_NAMESPACE

logger = Logger()
tracer = Tracer()
metrics = Metrics(namespace=METRICS_NAMESPACE)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    response = KinesisFirehoseDataTransformationResponse()
    failed = 0
    for record in KinesisFirehoseEvent(event).records:
        try:
            archived = archived_event(json.loads(record.data_as_bytes)["detail"])
        except (ValueError, KeyError, TypeError, ValidationError):
            # ValueError covers malformed JSON; the record is kept as it came, under the error prefix.
            logger.warning("not an event of the bus", extra={"record_id": record.record_id})
            response.add_record(
                KinesisFirehoseDataTransformationRecord(
                    record_id=record.record_id, result="ProcessingFailed", data=record.data
                )
            )
            failed += 1
            continue
        response.add_record(
            KinesisFirehoseDataTransformationRecord(
                record_id=record.record_id,
                data=base64.b64encode(archived.line).decode(),
                metadata=KinesisFirehoseDataTransformationRecordMetadata(
                    partition_keys={"institution": archived.institution, "day": archived.day}
                ),
            )
        )
    metrics.add_metric(name="EventsArchived", unit=MetricUnit.Count, value=len(response.records) - failed)
    return response.asdict()

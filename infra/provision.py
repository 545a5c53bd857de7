"""Create the template's table, bus, rules, queues, user pool and event archive in moto, from their
own Properties."""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3

from infra import firehose, patches
from infra.functions import ACCOUNT_ID, FunctionSpec, function_name, function_specs, invoke
from infra.template import TEMPLATE, Resolver, TemplateError, UnresolvedReference, load_template, references

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_firehose import FirehoseClient
    from mypy_boto3_glue import GlueClient
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_sesv2 import SESV2Client
    from mypy_boto3_sqs import SQSClient

# Types the local stack does not create: functions run in-process, the API is served by the
# local stack itself, and logs, topics and alarms have no behaviour to emulate.
SKIPPED_TYPES = frozenset(
    {
        "AWS::Serverless::Function",
        "AWS::Serverless::Api",
        "AWS::Serverless::LayerVersion",
        "AWS::Logs::LogGroup",
        "AWS::Logs::LogStream",
        "AWS::ApiGateway::Account",
        # The local gateway evaluates the web ACL's rules itself (infra.waf).
        "AWS::WAFv2::WebACL",
        "AWS::WAFv2::WebACLAssociation",
        "AWS::SNS::Topic",
        "AWS::SNS::Subscription",
        "AWS::SNS::TopicPolicy",
        "AWS::CloudWatch::Alarm",
        # moto does not enforce bucket policies; the only one denies plain-HTTP access.
        "AWS::S3::BucketPolicy",
        # DuckDB answers the archive's SQL locally (infra.sql); moto's Athena speaks JSON-RPC,
        # which botocore 1.44 no longer sends it.
        "AWS::Athena::WorkGroup",
        # moto's SES publishes no events: tests put the bounces and complaints SES would publish on
        # the default bus themselves, where the template's rule takes them.
        "AWS::SES::ConfigurationSetEventDestination",
    }
)

# CloudFormation names of SQS queue properties are the queue attribute names of the SQS API.
_QUEUE_ATTRIBUTES = frozenset(
    {
        "ContentBasedDeduplication",
        "DeduplicationScope",
        "DelaySeconds",
        "FifoQueue",
        "FifoThroughputLimit",
        "KmsDataKeyReusePeriodSeconds",
        "KmsMasterKeyId",
        "MaximumMessageSize",
        "MessageRetentionPeriod",
        "ReceiveMessageWaitTimeSeconds",
        "RedriveAllowPolicy",
        "RedrivePolicy",
        "SqsManagedSseEnabled",
        "VisibilityTimeout",
    }
)

_DEFAULT_VISIBILITY_TIMEOUT = 30
LOCAL_API_URL = "http://127.0.0.1:3000"


class ProvisionError(RuntimeError):
    """The template holds something the local stack cannot create."""


@dataclass
class QueueInfo:
    logical_id: str
    url: str
    arn: str
    dlq_url: str | None
    max_receive_count: int | None
    visibility_timeout: int


@dataclass
class StreamPosition:
    """Where a stream function resumes in a shard: at a record to retry, or after the last one done."""

    sequence_number: str | None = None  # None: from the trim horizon
    retry: bool = False
    attempts: int = 0
    retry_at: float = 0.0  # on the pump's clock: a failed batch waits for it


@dataclass
class Stack:
    region: str
    stage: str
    table_name: str
    stream_arn: str
    bus_name: str
    user_pool_id: str
    user_pool_client_id: str
    files_bucket: str
    queues: dict[str, QueueInfo]
    functions: list[FunctionSpec]
    env: dict[str, str]
    endpoint_url: str | None = None
    account_id: str = ACCOUNT_ID
    outputs: dict[str, str] = field(default_factory=dict)
    # The template parameters the stack was provisioned with (the others take their defaults).
    parameters: dict[str, str] = field(default_factory=dict)
    # The state of the stack's event source mappings: one per function, however many pumps drive it.
    stream_positions: dict[tuple[str, str], StreamPosition] = field(default_factory=dict, repr=False)
    delivery_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)


def provision(
    *,
    endpoint_url: str | None = None,
    region: str = "us-east-1",
    stage: str = "local",
    template_path: Path = TEMPLATE,
    parameters: Mapping[str, str] | None = None,
) -> Stack:
    """Create every emulated resource of the template; `endpoint_url=None` means in-process moto."""
    # moto needs them to deliver to the template's Firehose stream (the event archive).
    patches.apply()
    template = load_template(template_path)
    # E-mails link to the API where the local stack serves it (make dev's port, unless told).
    given = {"PublicApiUrl": LOCAL_API_URL, **(parameters or {}), "Stage": stage}
    resolver = Resolver(
        template,
        parameters=given,
        region=region,
        account_id=ACCOUNT_ID,
        stack_name=f"lms-{stage}",
    )
    builder = _Builder(resolver, region, endpoint_url, f"lms-{stage}")
    resources: dict[str, Any] = template["Resources"]
    _bind_functions(resources, resolver, region)
    unknown = sorted(
        f"{logical_id} ({resource.get('Type')})"
        for logical_id, resource in resources.items()
        if resource.get("Type") not in SKIPPED_TYPES and resource.get("Type") not in builder.creators
    )
    if unknown:
        raise ProvisionError(
            "the local stack does not know how to emulate: "
            + ", ".join(unknown)
            + " (teach infra/provision.py, or add the type to SKIPPED_TYPES if it has no local behaviour)"
        )
    created = {
        logical_id: resource
        for logical_id, resource in resources.items()
        if resource["Type"] not in SKIPPED_TYPES
        and ("Condition" not in resource or resolver.condition(resource["Condition"]))
    }
    for logical_id in _creation_order(created):
        resource = created[logical_id]
        try:
            properties = resolver.resolve(resource.get("Properties") or {})
        except TemplateError as error:
            raise ProvisionError(f"{logical_id}: {error}") from error
        builder.create(logical_id, resource["Type"], properties)
    stack = _stack(template, template_path, resolver, builder, stage, region, endpoint_url)
    stack.parameters.update(given)
    return stack


def _bind_functions(resources: Mapping[str, Any], resolver: Resolver, region: str) -> None:
    """What Ref and GetAtt of a function answer: the functions run in-process, but other resources
    name them (Firehose its record transformation)."""
    for logical_id, resource in resources.items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        name = function_name(resource.get("Properties") or {}, resolver.resolve, logical_id)
        resolver.bind(logical_id, name, Arn=f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{name}")


def _creation_order(resources: Mapping[str, Any]) -> list[str]:
    """Logical ids with every resource after the ones its properties or DependsOn name."""
    depends: dict[str, set[str]] = {}
    for logical_id, resource in resources.items():
        declared = resource.get("DependsOn") or []
        names = set(references(resource.get("Properties") or {}))
        names.update([declared] if isinstance(declared, str) else declared)
        depends[logical_id] = {name for name in names if name in resources and name != logical_id}
    order: list[str] = []
    visiting: set[str] = set()

    def visit(logical_id: str) -> None:
        if logical_id in order:
            return
        if logical_id in visiting:
            raise ProvisionError(f"circular dependency through {logical_id}")
        visiting.add(logical_id)
        for dependency in sorted(depends[logical_id]):
            visit(dependency)
        visiting.discard(logical_id)
        order.append(logical_id)

    for logical_id in resources:
        visit(logical_id)
    return order


def _stack(
    template: Mapping[str, Any],
    template_path: Path,
    resolver: Resolver,
    builder: _Builder,
    stage: str,
    region: str,
    endpoint_url: str | None,
) -> Stack:
    globals_env = (((template.get("Globals") or {}).get("Function") or {}).get("Environment") or {}).get(
        "Variables"
    ) or {}
    env = {key: _string(resolver.resolve(value)) for key, value in globals_env.items()}
    # Tracing needs the X-Ray daemon of a Lambda container; the region is what Lambda sets.
    env.update(POWERTOOLS_TRACE_DISABLED="true", AWS_REGION=region, AWS_DEFAULT_REGION=region)
    # The local pool sends no email: invitations answer with the temporary password instead
    # (lms.users.cognito). Never set by template.yaml, so a deployed stack never does this.
    env["EXPOSE_TEMPORARY_PASSWORDS"] = "true"
    if endpoint_url is not None:
        env["AWS_ENDPOINT_URL"] = endpoint_url
    outputs = {}
    for name, output in (template.get("Outputs") or {}).items():
        try:
            outputs[name] = _string(resolver.resolve(output["Value"]))
        except UnresolvedReference:
            continue  # an output of a resource the local stack does not create (the API's URL)
    functions = function_specs(template, env, resolve=resolver.resolve, root=template_path.parent)
    for spec in functions:
        _check_event_sources(spec, builder.queues)
        # Firehose runs a function as its record transformation, in-process like every other.
        firehose.register_function(
            f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{spec.name}",
            functools.partial(invoke, spec, region=region),
        )
    return Stack(
        region=region,
        stage=stage,
        table_name=builder.single("AWS::DynamoDB::Table")["TableName"],
        stream_arn=builder.single("AWS::DynamoDB::Table")["StreamArn"],
        bus_name=builder.single("AWS::Events::EventBus")["Name"],
        user_pool_id=builder.single("AWS::Cognito::UserPool")["UserPoolId"],
        user_pool_client_id=builder.single("AWS::Cognito::UserPoolClient")["ClientId"],
        # The bucket the functions are given (the other one receives its access logs).
        files_bucket=env["FILES_BUCKET"],
        queues=builder.queues,
        functions=functions,
        env=env,
        endpoint_url=endpoint_url,
        outputs=outputs,
    )


def _check_event_sources(spec: FunctionSpec, queues: Mapping[str, QueueInfo]) -> None:
    for logical_id in (spec.sqs_queue, spec.on_failure_queue):
        if logical_id is not None and logical_id not in queues:
            raise ProvisionError(f"{spec.logical_id}: {logical_id} is not a queue of the stack")
    if spec.sqs_queue is not None and queues[spec.sqs_queue].visibility_timeout < spec.timeout:
        # Lambda refuses this event source mapping: a message could reappear mid-invocation.
        raise ProvisionError(
            f"{spec.logical_id}: queue {spec.sqs_queue} has a visibility timeout shorter than "
            f"the function's timeout ({queues[spec.sqs_queue].visibility_timeout} < {spec.timeout})"
        )


def _string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _typed(value: Any, shape: Any) -> Any:
    """A value with the types of an API shape: CloudFormation passes Number parameters as strings
    and converts them for the service."""
    if shape.type_name == "structure" and isinstance(value, dict):
        return {
            key: _typed(item, shape.members[key]) if key in shape.members else item
            for key, item in value.items()
        }
    if shape.type_name == "list" and isinstance(value, list):
        return [_typed(item, shape.member) for item in value]
    if shape.type_name in ("integer", "long") and isinstance(value, str):
        return int(value)
    if shape.type_name == "boolean" and isinstance(value, str):
        return value.lower() == "true"
    return value


Creator = Callable[[str, dict[str, Any]], None]


class _Builder:
    """Creates resources one type at a time and binds what Ref and GetAtt answer for each."""

    def __init__(self, resolver: Resolver, region: str, endpoint_url: str | None, prefix: str) -> None:
        self._resolver = resolver
        self._region = region
        self._endpoint_url = endpoint_url
        self._prefix = prefix
        self._created: dict[str, list[dict[str, str]]] = {}
        self.queues: dict[str, QueueInfo] = {}
        self.creators: dict[str, Creator] = {
            "AWS::DynamoDB::Table": self._table,
            "AWS::Events::EventBus": self._event_bus,
            "AWS::SQS::Queue": self._queue,
            "AWS::Events::Rule": self._rule,
            "AWS::SQS::QueuePolicy": self._queue_policy,
            "AWS::Cognito::UserPool": self._user_pool,
            "AWS::Cognito::UserPoolClient": self._user_pool_client,
            "AWS::Cognito::UserPoolGroup": self._user_pool_group,
            "AWS::S3::Bucket": self._bucket,
            "AWS::SecretsManager::Secret": self._secret,
            "AWS::KMS::Key": self._kms_key,
            "AWS::IAM::Role": self._role,
            "AWS::KinesisFirehose::DeliveryStream": self._delivery_stream,
            "AWS::Glue::Database": self._glue_database,
            "AWS::Glue::Table": self._glue_table,
            "AWS::SES::ConfigurationSet": self._configuration_set,
            "AWS::SES::EmailIdentity": self._email_identity,
        }

    def create(self, logical_id: str, resource_type: str, properties: dict[str, Any]) -> None:
        try:
            self.creators[resource_type](logical_id, properties)
        except ProvisionError:
            raise
        except Exception as error:
            raise ProvisionError(f"{logical_id} ({resource_type}): {error}") from error

    def single(self, resource_type: str) -> dict[str, str]:
        created = self._created.get(resource_type, [])
        if len(created) != 1:
            raise ProvisionError(f"the local stack expects exactly one {resource_type}, found {len(created)}")
        return created[0]

    def _bind(self, resource_type: str, logical_id: str, ref: str, **attributes: str) -> None:
        self._resolver.bind(logical_id, ref, **attributes)
        self._created.setdefault(resource_type, []).append(attributes)

    # boto3's default clients share its parsed service models: ~50 ms saved per client.
    @cached_property
    def _dynamodb(self) -> DynamoDBClient:
        return boto3.client("dynamodb", region_name=self._region, endpoint_url=self._endpoint_url)

    @cached_property
    def _events(self) -> EventBridgeClient:
        return boto3.client("events", region_name=self._region, endpoint_url=self._endpoint_url)

    @cached_property
    def _sqs(self) -> SQSClient:
        return boto3.client("sqs", region_name=self._region, endpoint_url=self._endpoint_url)

    @cached_property
    def _cognito(self) -> CognitoIdentityProviderClient:
        return boto3.client("cognito-idp", region_name=self._region, endpoint_url=self._endpoint_url)

    @cached_property
    def _secretsmanager(self) -> SecretsManagerClient:
        return boto3.client("secretsmanager", region_name=self._region, endpoint_url=self._endpoint_url)

    @cached_property
    def _kms(self) -> KMSClient:
        return boto3.client("kms", region_name=self._region, endpoint_url=self._endpoint_url)

    @cached_property
    def _sesv2(self) -> SESV2Client:
        return boto3.client("sesv2", region_name=self._region, endpoint_url=self._endpoint_url)

    @cached_property
    def _s3(self) -> S3Client:
        return boto3.client("s3", region_name=self._region, endpoint_url=self._endpoint_url)

    @cached_property
    def _firehose(self) -> FirehoseClient:
        return boto3.client("firehose", region_name=self._region, endpoint_url=self._endpoint_url)

    @cached_property
    def _glue(self) -> GlueClient:
        return boto3.client("glue", region_name=self._region, endpoint_url=self._endpoint_url)

    def _table(self, logical_id: str, props: dict[str, Any]) -> None:
        props.setdefault("TableName", f"{self._prefix}-{logical_id}")
        name = props["TableName"]
        ttl = props.pop("TimeToLiveSpecification", None)
        recovery = props.pop("PointInTimeRecoverySpecification", None)
        stream = props.pop("StreamSpecification", None)
        if stream is not None:
            props["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
        # Encryption at rest has no behaviour to emulate, and moto would create a KMS key for it,
        # generating an RSA key pair (0.1-0.5 s) on every provisioning.
        props.pop("SSESpecification", None)
        table = self._dynamodb.create_table(**props)["TableDescription"]
        if ttl is not None:
            self._dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        if recovery is not None:
            self._dynamodb.update_continuous_backups(
                TableName=name, PointInTimeRecoverySpecification=recovery
            )
        self._bind(
            "AWS::DynamoDB::Table",
            logical_id,
            name,
            TableName=name,
            Arn=table["TableArn"],
            StreamArn=table.get("LatestStreamArn", ""),
        )

    def _event_bus(self, logical_id: str, props: dict[str, Any]) -> None:
        props.setdefault("Name", f"{self._prefix}-{logical_id}")
        arn = self._events.create_event_bus(**props)["EventBusArn"]
        self._bind("AWS::Events::EventBus", logical_id, props["Name"], Name=props["Name"], Arn=arn)

    def _queue(self, logical_id: str, props: dict[str, Any]) -> None:
        fifo = bool(props.get("FifoQueue"))
        name = props.pop("QueueName", f"{self._prefix}-{logical_id}" + (".fifo" if fifo else ""))
        tags = {tag["Key"]: tag["Value"] for tag in props.pop("Tags", [])}
        unknown = set(props) - _QUEUE_ATTRIBUTES
        if unknown:
            raise ProvisionError(f"{logical_id}: unknown queue properties {', '.join(sorted(unknown))}")
        attributes: dict[Any, str] = {key: _string(value) for key, value in props.items()}
        url = self._sqs.create_queue(QueueName=name, Attributes=attributes, tags=tags)["QueueUrl"]
        described = self._sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        arn = described["Attributes"]["QueueArn"]
        redrive = props.get("RedrivePolicy")
        if isinstance(redrive, str):
            redrive = json.loads(redrive)
        dlq_url = None
        if redrive is not None:
            dead_letter_arn = redrive["deadLetterTargetArn"]
            dlq_url = next(
                (queue.url for queue in self.queues.values() if queue.arn == dead_letter_arn), None
            )
            if dlq_url is None:
                raise ProvisionError(
                    f"{logical_id}: dead-letter queue {dead_letter_arn} is not in the template"
                )
        self.queues[logical_id] = QueueInfo(
            logical_id=logical_id,
            url=url,
            arn=arn,
            dlq_url=dlq_url,
            max_receive_count=None if redrive is None else int(redrive["maxReceiveCount"]),
            visibility_timeout=int(props.get("VisibilityTimeout", _DEFAULT_VISIBILITY_TIMEOUT)),
        )
        self._bind("AWS::SQS::Queue", logical_id, url, Arn=arn, QueueName=name, QueueUrl=url)

    def _rule(self, logical_id: str, props: dict[str, Any]) -> None:
        props.setdefault("Name", f"{self._prefix}-{logical_id}")
        targets = props.pop("Targets", [])
        if isinstance(props.get("EventPattern"), dict):
            props["EventPattern"] = json.dumps(props["EventPattern"])
        arn = self._events.put_rule(**props)["RuleArn"]
        bus = props.get("EventBusName", "default")
        if targets:
            failed = self._events.put_targets(Rule=props["Name"], EventBusName=bus, Targets=targets)
            if failed.get("FailedEntryCount"):
                raise ProvisionError(f"{logical_id}: targets refused: {failed['FailedEntries']}")
        # Ref of a rule on a custom bus is "bus|rule", as CloudFormation answers it.
        ref = props["Name"] if bus == "default" else f"{bus.rpartition('/')[2]}|{props['Name']}"
        self._bind("AWS::Events::Rule", logical_id, ref, Arn=arn)

    def _queue_policy(self, logical_id: str, props: dict[str, Any]) -> None:
        policy = json.dumps(props["PolicyDocument"])
        for url in props["Queues"]:
            self._sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
        self._bind("AWS::SQS::QueuePolicy", logical_id, f"{self._prefix}-{logical_id}")

    def _secret(self, logical_id: str, props: dict[str, Any]) -> None:
        """A secret generated as CloudFormation generates it (GetRandomPassword with the same options)."""
        name = props.pop("Name", f"{self._prefix}-{logical_id}")
        generate = props.pop("GenerateSecretString", None)
        if generate is not None:
            if "SecretStringTemplate" in generate or "GenerateStringKey" in generate:
                raise ProvisionError(f"{logical_id}: only plain generated strings are emulated")
            props["SecretString"] = self._secretsmanager.get_random_password(**generate)["RandomPassword"]
        arn = self._secretsmanager.create_secret(Name=name, **props)["ARN"]
        self._bind("AWS::SecretsManager::Secret", logical_id, arn, Id=arn)

    def _kms_key(self, logical_id: str, props: dict[str, Any]) -> None:
        """A KMS key with the template's spec, usage and policy (moto keeps an RSA key's private half)."""
        metadata = self._kms.create_key(
            Description=props.get("Description", logical_id),
            KeySpec=props.get("KeySpec", "SYMMETRIC_DEFAULT"),
            KeyUsage=props.get("KeyUsage", "ENCRYPT_DECRYPT"),
            Policy=json.dumps(props["KeyPolicy"]),
        )["KeyMetadata"]
        self._bind(
            "AWS::KMS::Key", logical_id, metadata["KeyId"], Arn=metadata["Arn"], KeyId=metadata["KeyId"]
        )

    def _configuration_set(self, logical_id: str, props: dict[str, Any]) -> None:
        """The set by its name; its delivery and reputation options have no local behaviour."""
        name = props.get("Name", f"{self._prefix}-{logical_id}")
        self._sesv2.create_configuration_set(ConfigurationSetName=name)
        self._bind("AWS::SES::ConfigurationSet", logical_id, name, Name=name)

    def _email_identity(self, logical_id: str, props: dict[str, Any]) -> None:
        """The sender identity, verified at once as moto creates it (deployed, SES asks its owner)."""
        identity = props["EmailIdentity"]
        configuration_set = (props.get("ConfigurationSetAttributes") or {}).get("ConfigurationSetName")
        extra: dict[str, Any] = (
            {} if configuration_set is None else {"ConfigurationSetName": configuration_set}
        )
        self._sesv2.create_email_identity(EmailIdentity=identity, **extra)
        self._bind("AWS::SES::EmailIdentity", logical_id, identity, EmailIdentity=identity)

    def _user_pool(self, logical_id: str, props: dict[str, Any]) -> None:
        props["PoolName"] = props.pop("UserPoolName", f"{self._prefix}-{logical_id}")
        # MFA enrolment is not part of the local stack: nobody signs in with a second factor.
        props.pop("EnabledMfas", None)
        pool = self._cognito.create_user_pool(**props)["UserPool"]
        self._bind(
            "AWS::Cognito::UserPool",
            logical_id,
            pool["Id"],
            UserPoolId=pool["Id"],
            Arn=pool["Arn"],
            ProviderName=f"cognito-idp.{self._region}.amazonaws.com/{pool['Id']}",
            ProviderURL=f"https://cognito-idp.{self._region}.amazonaws.com/{pool['Id']}",
        )

    def _user_pool_client(self, logical_id: str, props: dict[str, Any]) -> None:
        props.setdefault("ClientName", f"{self._prefix}-{logical_id}")
        client = self._cognito.create_user_pool_client(**props)["UserPoolClient"]
        self._bind(
            "AWS::Cognito::UserPoolClient",
            logical_id,
            client["ClientId"],
            ClientId=client["ClientId"],
            ClientSecret=client.get("ClientSecret", ""),
            Name=client["ClientName"],
        )

    def _user_pool_group(self, logical_id: str, props: dict[str, Any]) -> None:
        self._cognito.create_group(**props)
        self._bind(
            "AWS::Cognito::UserPoolGroup", logical_id, props["GroupName"], GroupName=props["GroupName"]
        )

    def _bucket(self, logical_id: str, props: dict[str, Any]) -> None:
        name = props.get("BucketName", f"{self._prefix}-{logical_id}".lower())
        self._s3.create_bucket(Bucket=name)
        if "BucketEncryption" in props:
            # CloudFormation and the API name the default encryption differently.
            rules: list[Any] = [
                {
                    "ApplyServerSideEncryptionByDefault"
                    if key == "ServerSideEncryptionByDefault"
                    else key: value
                    for key, value in rule.items()
                }
                for rule in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
            ]
            encryption: Any = {"Rules": rules}
            self._s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration=encryption)
        if "PublicAccessBlockConfiguration" in props:
            self._s3.put_public_access_block(
                Bucket=name, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"]
            )
        if "CorsConfiguration" in props:
            cors_rules: list[Any] = [
                {"MaxAgeSeconds" if key == "MaxAge" else key: value for key, value in rule.items()}
                for rule in props["CorsConfiguration"]["CorsRules"]
            ]
            self._s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": cors_rules})
        # Lifecycle rules (export expiry, abandoned uploads) act after days: nothing to emulate.
        self._bind(
            "AWS::S3::Bucket",
            logical_id,
            name,
            BucketName=name,
            Arn=f"arn:aws:s3:::{name}",
            DomainName=f"{name}.s3.amazonaws.com",
            RegionalDomainName=f"{name}.s3.{self._region}.amazonaws.com",
        )

    def _role(self, logical_id: str, props: dict[str, Any]) -> None:
        # Neither moto nor the local stack enforces IAM: nothing to create, only the ARN that the
        # resources a role serves (a rule's target, a delivery stream) name.
        name = props.get("RoleName", f"{self._prefix}-{logical_id}")
        arn = f"arn:aws:iam::{ACCOUNT_ID}:role/{name}"
        self._bind("AWS::IAM::Role", logical_id, name, Arn=arn, RoleId=name)

    def _delivery_stream(self, logical_id: str, props: dict[str, Any]) -> None:
        """The stream as the API creates it; delivery is emulated (infra.firehose)."""
        props.setdefault("DeliveryStreamName", f"{self._prefix}-{logical_id}")
        shape = self._firehose.meta.service_model.operation_model("CreateDeliveryStream").input_shape
        self._firehose.create_delivery_stream(**_typed(props, shape))
        arn = self._firehose.describe_delivery_stream(DeliveryStreamName=props["DeliveryStreamName"])[
            "DeliveryStreamDescription"
        ]["DeliveryStreamARN"]
        self._bind("AWS::KinesisFirehose::DeliveryStream", logical_id, props["DeliveryStreamName"], Arn=arn)

    def _glue_database(self, logical_id: str, props: dict[str, Any]) -> None:
        self._glue.create_database(**props)
        self._bind("AWS::Glue::Database", logical_id, props["DatabaseInput"]["Name"])

    def _glue_table(self, logical_id: str, props: dict[str, Any]) -> None:
        self._glue.create_table(**props)
        self._bind("AWS::Glue::Table", logical_id, props["TableInput"]["Name"])

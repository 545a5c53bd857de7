"""The local stack over real HTTP: moto server, template-provisioned stack, API, tokens, ports."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import pytest

from infra import patches
from infra.local_stack import REPO_ROOT, LocalStack, PortInUse, main
from infra.seed import DEMO_INSTITUTION_ID
from tests.support.client import Caller, OverHttp
from tests.support.local import over_http


def id_token_over_http(local: LocalStack, username: str, password: str) -> str:
    """Sign in exactly as the printed curl recipe does: InitiateAuth against moto's endpoint."""
    moto = Caller(OverHttp(local.aws_endpoint_url), None)
    status, result = moto.call(
        "POST",
        "/",
        {
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": local.stack.user_pool_client_id,
            "AuthParameters": {"USERNAME": username, "PASSWORD": password},
        },
        {
            "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    assert status == 200, result
    token: str = result["AuthenticationResult"]["IdToken"]
    return token


def read_banner(process: subprocess.Popen[str]) -> str:
    """What the command printed up to its last banner line (it says how to stop it)."""
    assert process.stdout is not None
    lines: list[str] = []
    while not lines or "Ctrl-C" not in lines[-1]:
        line = process.stdout.readline()
        assert line, f"the command ended before it was ready: {lines}"
        lines.append(line)
    return "".join(lines)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_the_state_file_describes_the_running_stack_and_its_demo_users(
    local: LocalStack, state_file: Path
) -> None:
    state = json.loads(state_file.read_text())

    assert set(state) == {
        "api_url",
        "aws_endpoint_url",
        "region",
        "user_pool_id",
        "user_pool_client_id",
        "table_name",
        "event_bus_name",
        "archive_database",
        "mail_folder",
        "commerce",
        "users",
    }
    assert state["api_url"] == local.api_url
    assert state["archive_database"] == local.stack.outputs["ArchiveDatabaseName"]
    assert state["aws_endpoint_url"] == local.aws_endpoint_url
    assert state["mail_folder"] == str(local.mail.path)
    assert state["commerce"] == {
        "institution_id": "demo-university",
        "orders_url": f"{local.api_url}/commerce/institutions/demo-university/orders",
        "signing_key": local.commerce_key("demo-university").decode(),
    }
    assert state["user_pool_client_id"] == local.stack.user_pool_client_id
    roles = sorted(user["role"] for user in state["users"])
    assert roles == [
        "institution-admins",
        "instructors",
        "instructors",
        "platform-admins",
        "students",
        "students",
        "students",
    ]
    institutions = {user["role"]: user["institution_id"] for user in state["users"]}
    assert institutions.pop("platform-admins") == ""  # platform admins belong to no institution
    assert set(institutions.values()) == {DEMO_INSTITUTION_ID}
    assert all(set(user) == {"username", "password", "role", "institution_id"} for user in state["users"])


def test_health_is_public_and_a_protected_route_needs_a_token(local: LocalStack) -> None:
    anonymous = over_http(local, None)
    assert anonymous.call("GET", "/health") == (200, {"status": "ok"})

    status, problem = anonymous.call("GET", "/courses")

    assert status == 401
    assert problem["title"] == "Authentication is required"


def test_a_demo_user_s_token_from_the_running_pool_opens_the_api(local: LocalStack) -> None:
    admin = next(user for user in local.users if user.role == "institution-admins")
    token = id_token_over_http(local, admin.username, admin.password)

    status, body = over_http(local, token).call("GET", "/courses")

    assert status == 200
    assert "items" in body


def test_the_demo_course_comes_with_a_published_quiz_and_assignment(local: LocalStack) -> None:
    instructor = next(user for user in local.users if user.role == "instructors")  # teaches the catalog
    caller = over_http(local, id_token_over_http(local, instructor.username, instructor.password))
    status, courses = caller.call("GET", "/courses?search=introduction")
    assert status == 200, courses
    [course] = courses["items"]

    status, quizzes = caller.call("GET", f"/assessments/quizzes?course_id={course['id']}")
    assert status == 200, quizzes
    assert [(q["title"], q["status"]) for q in quizzes["items"]] == [("Check your basics", "published")]
    status, work = caller.call("GET", f"/assessments/assignments?course_id={course['id']}")
    assert status == 200, work
    assert [(a["title"], a["status"]) for a in work["items"]] == [("Write a greeting program", "published")]


def test_the_stack_s_clients_point_at_moto(local: LocalStack) -> None:
    assert os.environ["AWS_ENDPOINT_URL"] == local.aws_endpoint_url
    assert local.stack.table_name in boto3.client("dynamodb").list_tables()["TableNames"]


def test_concurrent_transactions_never_undo_each_other(local: LocalStack) -> None:
    patches.apply()  # idempotent: already applied by the running stack
    dynamodb = boto3.client("dynamodb")
    table = local.stack.table_name
    counter = {"PK": {"S": "TEST#tx"}, "SK": {"S": "COUNTER"}}
    failures: list[BaseException] = []
    # moto copies the whole table per transaction: a few hundred items widen the window for a race.
    for batch in range(6):
        dynamodb.batch_write_item(
            RequestItems={
                table: [
                    {
                        "PutRequest": {
                            "Item": {
                                "PK": {"S": "TEST#filler"},
                                "SK": {"S": f"{batch}#{n}"},
                                "pad": {"S": "x" * 200},
                            }
                        }
                    }
                    for n in range(25)
                ]
            }
        )

    def enroll(worker: int) -> None:
        client = boto3.client("dynamodb")
        for n in range(6):
            try:
                client.transact_write_items(
                    TransactItems=[
                        {
                            "Update": {
                                "TableName": table,
                                "Key": counter,
                                "UpdateExpression": "ADD #count :one",
                                "ExpressionAttributeNames": {"#count": "count"},
                                "ExpressionAttributeValues": {":one": {"N": "1"}},
                            }
                        },
                        {
                            "Put": {
                                "TableName": table,
                                "Item": {"PK": {"S": "TEST#tx"}, "SK": {"S": f"ITEM#{worker}#{n}"}},
                                "ConditionExpression": "attribute_not_exists(PK)",
                            }
                        },
                    ]
                )
            except Exception as error:  # pragma: no cover - reported below
                failures.append(error)

    workers = [threading.Thread(target=enroll, args=(w,)) for w in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert failures == []
    items = dynamodb.query(
        TableName=table,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :item)",
        ExpressionAttributeValues={":pk": {"S": "TEST#tx"}, ":item": {"S": "ITEM#"}},
    )["Items"]
    count = dynamodb.get_item(TableName=table, Key=counter)["Item"]["count"]["N"]
    assert (len(items), int(count)) == (24, 24)


def test_a_busy_port_is_refused_at_once_naming_the_port(local: LocalStack) -> None:
    api_port = int(local.api_url.rsplit(":", 1)[1])
    aws_port = int(local.aws_endpoint_url.rsplit(":", 1)[1])
    spare = free_port()
    started = time.monotonic()

    with pytest.raises(PortInUse, match=f"Port {api_port} .*--port"):
        LocalStack(port=api_port, aws_port=spare).start()
    with pytest.raises(PortInUse, match=f"Port {aws_port} .*--aws-port"):
        LocalStack(port=spare, aws_port=aws_port).start()

    assert time.monotonic() - started < 1
    assert os.environ["AWS_ENDPOINT_URL"] == local.aws_endpoint_url  # the failed starts changed nothing


def test_the_command_exits_2_when_a_port_is_busy(
    local: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    api_port = int(local.api_url.rsplit(":", 1)[1])

    assert main(["--port", str(api_port), "--aws-port", str(free_port()), "--no-seed"]) == 2
    assert f"Port {api_port}" in capsys.readouterr().err


def test_the_command_serves_until_sigterm_then_exits_0_and_removes_its_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    port, aws_port = free_port(), free_port()
    command = [sys.executable, "-m", "infra.local_stack", "--port", str(port), "--aws-port", str(aws_port)]
    process = subprocess.Popen(  # noqa: S603 - our own module
        [*command, "--no-seed", "--state-file", str(state)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        banner = read_banner(process)
        assert f"http://127.0.0.1:{port}" in banner
        served = Caller(OverHttp(f"http://127.0.0.1:{port}"), None)
        assert served.call("GET", "/health") == (200, {"status": "ok"})
        assert json.loads(state.read_text())["api_url"] == f"http://127.0.0.1:{port}"

        process.send_signal(signal.SIGTERM)

        assert process.wait(timeout=15) == 0
        assert not state.exists()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

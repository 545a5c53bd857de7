"""The whole stack on a laptop: moto server, template-provisioned resources, the API, the event pump.

    python -m infra.local_stack [--port 3000] [--aws-port 4566] [--no-seed]

Everything runs in this process: moto serves AWS on 127.0.0.1:<aws-port>, the functions' boto3 and
pynamodb clients reach it through AWS_ENDPOINT_URL, the API answers on 127.0.0.1:<port>, and the event
pump relays the table stream, feeds the consumer queues and runs the scheduled functions (the outbox
sweeper) in the background. Tests use `LocalStack`.

Like Lambda, one invocation runs at a time per execution environment; here the API functions share
one and every other function has its own (infra.functions.invoke says why and what it costs). A
bus that refuses events is retried like Lambda's stream poller does, with backoff (infra.pump), and
then swept (the outbox sweeper).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
from botocore.exceptions import ClientError

from infra import demo_courses, patches  # noqa: F401 - demo_courses registers the demo catalog
from infra.explorer import Explorer
from infra.gateway import ApiGateway, ApiResponse, TokenVerifier
from infra.mail_folder import MailFolder
from infra.provision import Stack, provision
from infra.pump import EventPump, lambda_backoff
from infra.seed import DEMO_INSTITUTION_ID, DemoUser, seed_demo, sign_in
from lms.courses.commerce.signature import institution_key
from lms.settings import get_settings

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"
REPO_ROOT = Path(__file__).resolve().parent.parent
STATE_FILE = REPO_ROOT / ".local-stack.json"
MAIL_FOLDER = REPO_ROOT / ".local-mail"
DEFAULT_PORT = 3000
DEFAULT_AWS_PORT = 4566
EXIT_PORT_IN_USE = 2

# ---------------------------------------------------------------------------------------------- clock


class PumpClock:
    """The pump's clock (schedules, stream retry backoff): monotonic time, which a test moves forward
    instead of waiting."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return time.monotonic() + self._offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds


# ---------------------------------------------------------------------------------------------- ports


class PortInUse(RuntimeError):
    def __init__(self, port: int, option: str) -> None:
        super().__init__(
            f"Port {port} on {HOST} is already in use, so the local stack cannot start. "
            f"Stop whatever listens there (another local stack?) or choose a free port with {option}."
        )
        self.port = port


def ensure_free(port: int, option: str) -> None:
    """Fail fast, before anything starts, when a fixed port is taken (0 means any free port)."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # Same option as the servers set, so a port in TIME_WAIT counts as free, as it is for them.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            raise PortInUse(port, option) from exc


# ---------------------------------------------------------------------------------------------- http


class _ApiServer(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog (5) resets connections when many clients call at once.
    request_queue_size = 128
    gateway: ApiGateway | None = None
    explorer: Explorer | None = None


class _ApiRequestHandler(BaseHTTPRequestHandler):
    server: _ApiServer
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        started = time.perf_counter()
        url = urlsplit(self.path)
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            headers[name] = f"{headers[name]},{value}" if name in headers else value
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", errors="replace") if length else None
        explorer = self.server.explorer
        if explorer is not None and explorer.serves(url.path):
            page, page_headers = explorer.handle(self.command, url.path, (body or "").encode())
            self._send(ApiResponse(page.status, page_headers, ""), page.body)
            return
        gateway = self.server.gateway
        if gateway is None:
            self.send_error(503, "The local stack is still starting")
            return
        try:
            response = gateway.handle(
                self.command,
                url.path,
                headers,
                parse_qs(url.query, keep_blank_values=True),
                body,
                source_ip=self.client_address[0],
            )
        except Exception:
            logger.exception("the gateway failed on %s %s", self.command, self.path)
            response = ApiResponse(
                500, {"Content-Type": "application/json"}, '{"message":"Internal server error"}'
            )
        self._send(response, response.body_bytes())
        elapsed = (time.perf_counter() - started) * 1000
        logger.info("%s %s -> %d (%.0f ms)", self.command, self.path, response.status, elapsed)

    def _send(self, response: ApiResponse, payload: bytes) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            if name.lower() not in {"content-length", "connection", "transfer-encoding"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def do_OPTIONS(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug(format, *args)


# ---------------------------------------------------------------------------------------------- stack


class LocalStack:
    """The running local stack; a context manager. Port 0 picks a free port.

    Runs in-process and points this process's AWS clients at its moto server (AWS_ENDPOINT_URL and
    dummy credentials) until `stop()`, which restores the environment and resets moto's state.
    moto keeps one state per process, shared with any in-process `mock_aws`: the default stage
    ("e2e") keeps its resource names apart from in-process tests' (stage "local"), and `stop()`
    leaves the state alone while a `mock_aws` is active. `parameters` are template parameters.
    """

    def __init__(
        self,
        port: int = 0,
        aws_port: int = 0,
        seed: bool = True,
        *,
        state_file: Path | None = None,
        region: str = "us-east-1",
        stage: str = "e2e",
        pump_interval: float = 0.2,
        parameters: dict[str, str] | None = None,
        mail_folder: Path | None = None,
    ) -> None:
        self._port = port
        self._aws_port = aws_port
        self._seed = seed
        self.state_file = state_file
        self.region = region
        self.stage = stage
        self._pump_interval = pump_interval
        self._parameters = dict(parameters or {})
        # Every e-mail SES accepts is written here as an .eml file (infra.mail_folder).
        self.mail = MailFolder(mail_folder or MAIL_FOLDER, region)
        self._api_server: _ApiServer | None = None
        self._api_thread: threading.Thread | None = None
        self._moto: Any = None
        self._pump_stop = threading.Event()
        self._pump_thread: threading.Thread | None = None
        self._saved_env: dict[str, str | None] = {}
        self._started = False
        self._stack: Stack | None = None
        self._pump: EventPump | None = None
        self.clock = PumpClock()
        self.users: list[DemoUser] = []
        self.api_url = ""
        self.aws_endpoint_url = ""

    @property
    def stack(self) -> Stack:
        if self._stack is None:
            raise RuntimeError("The local stack is not started.")
        return self._stack

    @property
    def pump(self) -> EventPump:
        if self._pump is None:
            raise RuntimeError("The local stack is not started.")
        return self._pump

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> LocalStack:
        """Start everything; raises PortInUse before starting anything when a port is taken."""
        if self._started:
            return self
        if self._port and self._port == self._aws_port:
            raise ValueError("The API and AWS ports must differ.")
        ensure_free(self._port, "--port")
        ensure_free(self._aws_port, "--aws-port")
        self._started = True
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        try:
            self._api_server = _ApiServer((HOST, self._port), _ApiRequestHandler)
        except OSError as exc:
            raise PortInUse(self._port, "--port") from exc
        self.api_url = f"http://{HOST}:{self._api_server.server_address[1]}"
        self.aws_endpoint_url = self._start_moto()
        self._set_environment(
            {
                "AWS_ENDPOINT_URL": self.aws_endpoint_url,
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_PROFILE": None,
                "AWS_DEFAULT_PROFILE": None,
                "AWS_DEFAULT_REGION": self.region,
                "AWS_REGION": self.region,
            }
        )
        patches.apply()
        self._stack = provision(
            endpoint_url=self.aws_endpoint_url,
            region=self.region,
            stage=self.stage,
            # The LTI issuer is the URL tools reach the platform at, and e-mails' links lead to
            # this stack's API: here, this server's.
            parameters={"LtiIssuer": self.api_url, "PublicApiUrl": self.api_url, **self._parameters},
        )
        self._set_environment(dict(self._stack.env))

        verifier = TokenVerifier.for_stack(self._stack, endpoint_url=self.aws_endpoint_url)
        self._api_server.gateway = ApiGateway(self._stack, verifier, rate_limits=True)
        self._api_thread = threading.Thread(
            target=self._api_server.serve_forever, name="local-api", daemon=True
        )
        self._api_thread.start()

        self._pump = EventPump(
            self._stack, endpoint_url=self.aws_endpoint_url, clock=self.clock, retry_backoff=lambda_backoff
        )
        self._pump_thread = threading.Thread(
            target=self._pump.run_forever,
            args=(self._pump_stop,),
            kwargs={"interval": self._pump_interval, "after_round": self.mail.collect},
            name="local-event-pump",
            daemon=True,
        )
        self._pump_thread.start()

        if self._seed:
            self.users = seed_demo(self._stack, endpoint_url=self.aws_endpoint_url, api_url=self.api_url)
        self._api_server.explorer = Explorer(
            self.api_url, [u.username for u in self.users], self._sign_in_for_explorer
        )
        if self.state_file is not None:
            self._write_state(self.state_file)

    def _sign_in_for_explorer(self, username: str, password: str) -> str:
        try:
            return sign_in(self.stack, username, password, endpoint_url=self.aws_endpoint_url)
        except ClientError as refused:
            raise PermissionError(refused.response["Error"].get("Message", "Sign-in refused")) from refused

    def _start_moto(self) -> str:
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._moto = ThreadedMotoServer(ip_address=HOST, port=self._aws_port, verbose=False)
        # start() waits forever when the server thread cannot bind: wait in a thread of its own.
        starter = threading.Thread(target=self._moto.start, name="local-moto-start", daemon=True)
        starter.start()
        starter.join(timeout=10)
        if starter.is_alive():
            self._moto = None
            raise PortInUse(self._aws_port, "--aws-port")
        _, port = self._moto.get_host_and_port()
        return f"http://{HOST}:{port}"

    def _set_environment(self, values: dict[str, str | None]) -> None:
        for name, value in values.items():
            self._saved_env.setdefault(name, os.environ.get(name))
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()

    def commerce_key(self, institution_id: str) -> bytes:
        """The institution's order-signing key, derived from the stack's commerce secret (CommerceSecret)."""
        stack = self.stack
        courses = next(f for f in stack.functions if f.logical_id == "CoursesFunction")
        secrets = boto3.client("secretsmanager", region_name=stack.region, endpoint_url=self.aws_endpoint_url)
        secret = secrets.get_secret_value(SecretId=courses.environment["COMMERCE_SECRET_ARN"])["SecretString"]
        return institution_key(secret.encode(), institution_id)

    def _write_state(self, path: Path) -> None:
        stack = self.stack
        state = {
            "api_url": self.api_url,
            "aws_endpoint_url": self.aws_endpoint_url,
            "region": stack.region,
            "user_pool_id": stack.user_pool_id,
            "user_pool_client_id": stack.user_pool_client_id,
            "table_name": stack.table_name,
            "event_bus_name": stack.bus_name,
            # The event archive's Glue database, which `make sql` reads (infra.sql).
            "archive_database": stack.outputs["ArchiveDatabaseName"],
            "mail_folder": str(self.mail.path),
            # What a store needs to send the demo institution signed orders (docs/commerce.md).
            "commerce": {
                "institution_id": DEMO_INSTITUTION_ID,
                "orders_url": f"{self.api_url}/commerce/institutions/{DEMO_INSTITUTION_ID}/orders",
                "signing_key": self.commerce_key(DEMO_INSTITUTION_ID).decode(),
            },
            "users": [
                {
                    "username": u.username,
                    "password": u.password,
                    "role": u.role,
                    "institution_id": u.institution_id,
                }
                for u in self.users
            ],
        }
        partial = path.with_name(path.name + ".tmp")
        partial.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
        partial.replace(path)

    def stop(self) -> None:
        """Stop serving, stop the pump and moto, reset moto's state and restore the environment."""
        if not self._started:
            return
        self._started = False
        if self._api_server is not None:
            if self._api_thread is not None:
                self._api_server.shutdown()
                self._api_thread.join(timeout=5)
            self._api_server.server_close()
        self._pump_stop.set()
        if self._pump_thread is not None:
            self._pump_thread.join(timeout=10)
        if self._moto is not None:
            self._moto.stop()
            patches.reset_moto()
        if self.state_file is not None and self.state_file.exists():
            self.state_file.unlink()
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env.clear()
        get_settings.cache_clear()


# ---------------------------------------------------------------------------------------------- cli


def instructions(local: LocalStack) -> str:
    """What to print at start: the demo users and how to call the API with one of their tokens."""
    stack = local.stack
    lines = [
        f"API             {local.api_url}",
        f"API explorer    {local.api_url}/explorer/  (OpenAPI document: {local.api_url}/openapi.json)",
        f"AWS (moto)      {local.aws_endpoint_url}  region {stack.region}",
        f"User pool       {stack.user_pool_id}  app client {stack.user_pool_client_id}",
        f"Table           {stack.table_name}  event bus {stack.bus_name}",
        f"Sent e-mail     {local.mail.path}  (one .eml file per message; open it in any mail client)",
    ]
    if local.users:
        lines += _sign_in_recipe(local)
    else:
        lines.append("No demo users (--no-seed).")
    if local.state_file is not None:
        lines.append(f"Connection details are in {local.state_file}.")
    lines.append("Ctrl-C stops the stack.")
    return "\n".join(lines)


def _sign_in_recipe(local: LocalStack) -> list[str]:
    stack = local.stack
    lines = ["", "Demo users (institution, role, username, password):"]
    lines += [f"  {u.institution_id:<18} {u.role:<19} {u.username:<26} {u.password}" for u in local.users]
    user = local.users[0]
    auth = json.dumps(
        {
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": stack.user_pool_client_id,
            "AuthParameters": {"USERNAME": user.username, "PASSWORD": user.password},
        }
    )
    lines += [
        "",
        f"Get an ID token for {user.username}:",
        f"  TOKEN=$(curl -s -X POST {local.aws_endpoint_url}/ \\",
        "      -H 'X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth' \\",
        "      -H 'Content-Type: application/x-amz-json-1.1' \\",
        f"      -d '{auth}' \\",
        "    | python3 -c 'import json,sys; "
        'print(json.load(sys.stdin)["AuthenticationResult"]["IdToken"])\')',
        "",
        "or with boto3:",
        "  TOKEN=$(python -c \"import boto3; print(boto3.client('cognito-idp', "
        f"endpoint_url='{local.aws_endpoint_url}', region_name='{stack.region}', "
        "aws_access_key_id='testing', aws_secret_access_key='testing').initiate_auth("
        f"ClientId='{stack.user_pool_client_id}', AuthFlow='USER_PASSWORD_AUTH', "
        f"AuthParameters={{'USERNAME': '{user.username}', 'PASSWORD': '{user.password}'}})"
        "['AuthenticationResult']['IdToken'])\")",
        "",
        "Call the API:",
        f'  curl -H "Authorization: $TOKEN" {local.api_url}/courses',
        "",
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local_stack", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="API port on 127.0.0.1")
    parser.add_argument("--aws-port", type=int, default=DEFAULT_AWS_PORT, help="moto server port")
    parser.add_argument("--no-seed", action="store_true", help="do not create the demo institution")
    parser.add_argument(
        "--state-file", type=Path, default=STATE_FILE, help="where to write connection details"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # The request log is what a developer watches; the SDKs' set-up chatter is not.
    for noisy in ("botocore", "boto3", "pynamodb"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", message="No application metrics to publish")

    local = LocalStack(
        args.port, args.aws_port, seed=not args.no_seed, state_file=args.state_file, stage="local"
    )
    try:
        local.start()
    except PortInUse as exc:
        print(exc, file=sys.stderr)
        return EXIT_PORT_IN_USE

    stopping = threading.Event()
    previous = {
        signum: signal.signal(signum, lambda *_: stopping.set()) for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        print(instructions(local), flush=True)
        while not stopping.wait(0.5):
            pass
    finally:
        local.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    print("Local stack stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

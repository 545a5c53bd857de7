"""A small LTI 1.3 tool built on pylti1p3 (Flask), served on 127.0.0.1: the platform's real counterpart.

Nobody here wrote the library that checks the platform's messages: the tool validates launches
with pylti1p3 exactly as a production tool would (state cookie, nonce, the platform's JWKS over
HTTP, registration, deployment, message claims), then reads the course's roster through the
names and roles service (an access token from the token endpoint, a client assertion signed with
its key, the `Link` pages) and, when `grade` is set, posts the launching student's score through
the assignment and grade services. A deep linking request is answered with the library's signed
response form, holding `deep_link_items` as resource links. The test reads what it validated from
`launches` and `rosters`, or the library's refusal from the response. `rotate_key` changes the key
pair the tool signs with and publishes, as a tool rotating its keys does.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfDict
from werkzeug.serving import BaseWSGIServer, make_server


@dataclass(frozen=True)
class PlatformValues:
    """What the institution gave the tool's vendor at registration (the `platform` of the answer)."""

    issuer: str
    client_id: str
    deployment_id: str
    jwks_url: str
    authorization_url: str
    token_url: str


def _key_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


class LtiTool:
    """The tool's web app and its server; `configure` once the platform registered it."""

    def __init__(self) -> None:
        self.launches: list[dict[str, Any]] = []
        self.rosters: list[list[dict[str, Any]]] = []
        self.registrations: list[PlatformValues] = []
        self.grade: tuple[float, float] | None = None
        """(score given, score maximum) the tool posts through AGS for a student it launches; None: none."""
        self.graded: list[dict[str, Any]] = []
        self.deep_link_items: list[dict[str, Any]] = []
        """Resource links the tool answers a deep link with: title, custom, score_maximum (optional)."""
        self._private_key, self._public_key = _key_pair()
        self._server: BaseWSGIServer = make_server("127.0.0.1", 0, self._app(), threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, name="lti-tool", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def registration(self, name: str = "pylti1p3 lab") -> dict[str, Any]:
        """The values the vendor gives the institution (the body of `POST /lti/tools`)."""
        return {
            "name": name,
            "jwks_url": f"{self.url}/jwks",
            "oidc_login_url": f"{self.url}/login",
            "redirect_uris": [f"{self.url}/launch"],
            "target_link_uri": f"{self.url}/launch",
        }

    def configure(self, platform: dict[str, str]) -> None:
        """Add a registration: the platform's values for one of the tool's client ids."""
        self.registrations.append(PlatformValues(**platform))

    @property
    def kid(self) -> str:
        """The kid of the key the tool signs with now (pylti1p3's, from the public key)."""
        return str(Registration.get_jwk(self._public_key)["kid"])

    def rotate_key(self) -> tuple[str, str]:
        """A new key pair signs and is published from now on; answers the old (private key, kid)."""
        old = self._private_key, self.kid
        self._private_key, self._public_key = _key_pair()
        return old

    def client_assertion(
        self,
        platform: PlatformValues,
        key: tuple[str, str] | None = None,
        lifetime_s: int = 300,
        age_s: int = 0,
    ) -> str:
        """A client assertion for the token endpoint, signed with the tool's key (or the one given)."""
        private_key, kid = key or (self._private_key, self.kid)
        issued = datetime.now(UTC) - timedelta(seconds=age_s)
        claims = {
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.token_url,
            "iat": int(issued.timestamp()),
            "exp": int((issued + timedelta(seconds=lifetime_s)).timestamp()),
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, private_key, algorithm="RS256", headers={"kid": kid})

    def _deep_link_resources(self) -> list[DeepLinkResource]:
        resources = []
        for item in self.deep_link_items:
            resource = (
                DeepLinkResource()
                .set_url(f"{self.url}/launch")
                .set_title(item["title"])
                .set_custom_params(item.get("custom", {}))
            )
            if "score_maximum" in item:
                resource.set_lineitem(
                    LineItem().set_score_maximum(item["score_maximum"]).set_label(item["title"])
                )
            resources.append(resource)
        return resources

    def start(self) -> LtiTool:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    def _tool_conf(self) -> ToolConfDict:
        if not self.registrations:
            raise LtiException("The tool is not registered with a platform yet.")
        issuers: dict[str, list[dict[str, Any]]] = {}
        for platform in self.registrations:
            issuers.setdefault(platform.issuer, []).append(
                {
                    "default": not issuers.get(platform.issuer),
                    "client_id": platform.client_id,
                    "auth_login_url": platform.authorization_url,
                    "auth_token_url": platform.token_url,
                    "key_set_url": platform.jwks_url,
                    "key_set": None,
                    "deployment_ids": [platform.deployment_id],
                }
            )
        conf = ToolConfDict(issuers)
        for platform in self.registrations:
            conf.set_private_key(platform.issuer, self._private_key, client_id=platform.client_id)
            conf.set_public_key(platform.issuer, self._public_key, client_id=platform.client_id)
        return conf

    def _post_grade(
        self, message: FlaskMessageLaunch, user_id: str, given: float, maximum: float
    ) -> dict[str, Any]:
        """The student's score on the launched resource link's line item, through the library's AGS client."""
        ags = message.get_ags()
        line_item = ags.get_lineitem()  # the resource link's own (the claim's `lineitem`)
        grade = (
            Grade()
            .set_score_given(given)
            .set_score_maximum(maximum)
            .set_timestamp(datetime.now(UTC).isoformat())
            .set_activity_progress("Completed")
            .set_grading_progress("FullyGraded")
            .set_user_id(user_id)
        )
        posted = ags.put_grade(grade)
        return {"line_item": line_item.get_id(), "label": line_item.get_label(), "headers": posted["headers"]}

    def _app(self) -> Flask:
        app = Flask("lti_tool")
        app.secret_key = secrets.token_hex(32)

        @app.errorhandler(LtiException)
        def _refused(error: LtiException) -> Any:
            return jsonify({"error": str(error)}), 400

        @app.get("/jwks")
        def jwks() -> Any:
            return jsonify(self._tool_conf().get_jwks())

        @app.route("/login", methods=["GET", "POST"])
        def login() -> Any:
            flask_request = FlaskRequest()
            target = flask_request.get_param("target_link_uri")
            return FlaskOIDCLogin(flask_request, self._tool_conf()).redirect(target)

        @app.post("/launch")
        def launch() -> Any:
            message = FlaskMessageLaunch(FlaskRequest(), self._tool_conf())
            data = message.get_launch_data()  # validates: state, signature, nonce, registration, ...
            self.launches.append(data)
            if message.is_deep_link_launch():  # the library signs the answer and makes its form
                return message.get_deep_link().output_response_form(self._deep_link_resources())
            if message.has_nrps():  # the course's roster, as the tool reads it through NRPS
                self.rosters.append(message.get_nrps().get_members())
            if self.grade is not None and message.has_ags() and message.check_student_access():
                self.graded.append(self._post_grade(message, data["sub"], *self.grade))
            return jsonify({"launch_id": message.get_launch_id(), "sub": data["sub"]})

        return app

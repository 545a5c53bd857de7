"""The local stack's API explorer: the OpenAPI document and Swagger UI, signed in as a demo user.

    /openapi.json           docs/openapi.json, its server being this local stack
    /explorer/              Swagger UI (from the swagger-ui-py package: nothing is fetched from a CDN)
    /explorer/sign-in       POST {"username", "password"} -> {"id_token"}: USER_PASSWORD_AUTH against
                            the local user pool, so the page needs no AWS credentials or endpoint

Not an API route: API Gateway serves none of this in a deployed stack.
"""

from __future__ import annotations

import html
import json
import mimetypes
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import swagger_ui

OPENAPI = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"
STATIC = Path(swagger_ui.__file__).resolve().parent / "static"
PREFIX = "/explorer/"
# The page's own script and Swagger UI's; inline script and style are the page's, not a visitor's.
_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


@dataclass(frozen=True)
class Page:
    status: int
    content_type: str
    body: bytes


SignIn = Callable[[str, str], str]
"""(username, password) -> ID token; raises PermissionError when the pool refuses."""


class Explorer:
    """Answers the explorer's paths; `None` for any other path (the API's)."""

    def __init__(self, api_url: str, usernames: Iterable[str], sign_in: SignIn) -> None:
        self.api_url = api_url
        self.usernames = list(usernames)
        self._sign_in = sign_in

    @staticmethod
    def serves(path: str) -> bool:
        return path == "/openapi.json" or path == PREFIX.rstrip("/") or path.startswith(PREFIX)

    def handle(self, method: str, path: str, body: bytes) -> tuple[Page, dict[str, str]]:
        page = self._answer(method, path, body)
        return page, {"Content-Type": page.content_type, **_PAGE_HEADERS}

    def _answer(self, method: str, path: str, body: bytes) -> Page:
        if path == "/openapi.json" and method == "GET":
            document: dict[str, Any] = json.loads(OPENAPI.read_text(encoding="utf-8"))
            document["servers"] = [{"url": self.api_url, "description": "This local stack"}]
            return Page(200, "application/json", json.dumps(document).encode())
        if path in (PREFIX, PREFIX.rstrip("/"), PREFIX + "index.html") and method == "GET":
            return Page(200, "text/html; charset=utf-8", self._index().encode())
        if path == PREFIX + "sign-in" and method == "POST":
            return self._signed_in(body)
        name = path.removeprefix(PREFIX)
        asset = (STATIC / name).resolve()
        if method == "GET" and "/" not in name and asset.parent == STATIC and asset.is_file():
            kind = mimetypes.guess_type(asset.name)[0] or "application/octet-stream"
            return Page(200, kind, asset.read_bytes())
        return Page(404, "text/plain; charset=utf-8", b"Not found")

    def _signed_in(self, body: bytes) -> Page:
        try:
            request = json.loads(body or b"{}")
            token = self._sign_in(str(request["username"]), str(request["password"]))
        except (ValueError, KeyError, TypeError):
            return Page(400, "application/json", b'{"message":"Send a username and a password."}')
        except PermissionError as refused:
            return Page(401, "application/json", json.dumps({"message": str(refused)}).encode())
        return Page(200, "application/json", json.dumps({"id_token": token}).encode())

    def _index(self) -> str:
        options = "".join(f'<option value="{html.escape(u)}">' for u in self.usernames)
        return _INDEX.replace("{{options}}", options)


_INDEX = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>LMS API explorer (local stack)</title>
  <link rel="stylesheet" href="/explorer/swagger-ui.css">
  <style>
    #sign-in { font-family: sans-serif; padding: 12px 20px; background: #f3f5f7; }
    #sign-in input { margin-right: 8px; }
  </style>
</head>
<body>
  <form id="sign-in">
    <strong>Sign in as a demo user</strong>
    <input id="username" list="demo-users" placeholder="username" autocomplete="username" size="32">
    <datalist id="demo-users">{{options}}</datalist>
    <input id="password" type="password" placeholder="password" autocomplete="current-password">
    <button id="sign-in-button" type="submit">Sign in</button>
    <span id="signed-in-as">Not signed in: the local stack printed the demo users' passwords.</span>
  </form>
  <div id="swagger-ui"></div>
  <script src="/explorer/swagger-ui-bundle.js"></script>
  <script>
    const ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", tryItOutEnabled: true});
    document.getElementById("sign-in").addEventListener("submit", async (event) => {
      event.preventDefault();
      const username = document.getElementById("username").value;
      const answer = await fetch("/explorer/sign-in", {
        method: "POST",
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify({username, password: document.getElementById("password").value}),
      });
      const result = await answer.json();
      const status = document.getElementById("signed-in-as");
      if (!answer.ok) { status.textContent = "Refused: " + result.message; return; }
      ui.preauthorizeApiKey("cognito", result.id_token);
      status.textContent = "Signed in as " + username;
    });
  </script>
</body>
</html>
"""

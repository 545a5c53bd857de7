"""Scenarios of the identity API (UsersFunction): institutions, people, profiles.

Set-up goes through the API itself (unmeasured calls): a person is a Cognito account and a profile
item together, and only the service keeps them in step.
"""

from __future__ import annotations

import uuid
from typing import Any

from bench.invoke import Answer, ApiCall, Caller
from bench.scenarios.base import TRAIL, Scenario, if_match
from lms.audit import AUDIT_ENTITY
from lms.privacy.items import ERASURE_ENTITY, EXPORT_ENTITY
from lms.users.imports.items import IMPORT_CHUNK_ENTITY, IMPORT_JOB_ENTITY
from lms.users.items import EMAIL_ENTITY, INSTITUTION_ENTITY, PROFILE_ENTITY, SLUG_ENTITY

INSTITUTION = "bench-people"
PLATFORM_ADMIN = Caller("bench-platform-admin", "", ("platform-admins",))
ADMIN = Caller("bench-admin", INSTITUTION, ("institution-admins",))

INSTITUTION_PATH = "/institutions/{institution_id}"
USER_PATH = "/users/{user_id}"


def institution_body() -> dict[str, Any]:
    return {
        "name": "Bench University",
        "slug": f"bench-{uuid.uuid4().hex[:12]}",
        "timezone": "Europe/Paris",
        "default_locale": "en",
    }


def invitation_body(role: str | None = "student") -> dict[str, Any]:
    body: dict[str, Any] = {
        "email": f"person-{uuid.uuid4().hex[:12]}@bench.example",
        "given_name": "Ada",
        "family_name": "Lovelace",
    }
    if role is not None:
        body["role"] = role
    return body


class UsersScenario(Scenario):
    def create_institution(self) -> dict[str, Any]:
        answer = self.api.send(ApiCall("POST", "/institutions", PLATFORM_ADMIN, body=institution_body()), 201)
        created: dict[str, Any] = answer.json()
        return created

    def invite(self, role: str = "student") -> dict[str, Any]:
        answer = self.api.send(ApiCall("POST", "/users", ADMIN, body=invitation_body(role)), 201)
        invited: dict[str, Any] = answer.json()
        return invited


# ---------------------------------------------------------------- institutions (platform admins)


class CreateInstitution(UsersScenario):
    method, path, status = "POST", "/institutions", 201
    disposable = TRAIL | {INSTITUTION_ENTITY, SLUG_ENTITY}

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("POST", self.path, PLATFORM_ADMIN, body=institution_body())


class ListInstitutions(UsersScenario):
    method, path = "GET", "/institutions"

    def setup(self) -> None:
        for _ in range(self.page_size + 1):
            self.create_institution()

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, PLATFORM_ADMIN, query=self.page_query())

    def after(self, answer: Answer) -> None:
        self.check_full_page(answer)


class GetInstitution(UsersScenario):
    method, path = "GET", INSTITUTION_PATH

    def setup(self) -> None:
        self.institution_id = self.create_institution()["id"]

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, PLATFORM_ADMIN, {"institution_id": self.institution_id})


class UpdateInstitution(UsersScenario):
    method, path = "PATCH", INSTITUTION_PATH

    def setup(self) -> None:
        created = self.create_institution()
        self.institution_id, self.version = created["id"], created["version"]

    def next_call(self, index: int) -> ApiCall:
        params = {"institution_id": self.institution_id}
        body = {"name": f"Bench University {index}"}
        return ApiCall("PATCH", self.path, PLATFORM_ADMIN, params, body, if_match(self.version))

    def after(self, answer: Answer) -> None:
        self.version = answer.version()


class AddInstitutionAdmin(UsersScenario):
    method, path, status = "POST", INSTITUTION_PATH + "/admins", 201
    disposable = TRAIL | {PROFILE_ENTITY, EMAIL_ENTITY}

    def setup(self) -> None:
        self.institution_id = self.create_institution()["id"]

    def next_call(self, index: int) -> ApiCall:
        params = {"institution_id": self.institution_id}
        return ApiCall("POST", self.path, PLATFORM_ADMIN, params, invitation_body(role=None))


class ListAuditEvents(UsersScenario):
    """An institution admin reads their own institution's trail (a platform admin adds a GetItem)."""

    method, path = "GET", INSTITUTION_PATH + "/audit-events"
    disposable = TRAIL - {AUDIT_ENTITY}  # the trail is what it reads

    def setup(self) -> None:
        for _ in range(self.page_size + 1):
            self.invite()  # each invitation writes an audit entry

    def next_call(self, index: int) -> ApiCall:
        params = {"institution_id": INSTITUTION}
        return ApiCall("GET", self.path, ADMIN, params, query=self.page_query())

    def after(self, answer: Answer) -> None:
        self.check_full_page(answer)


# ---------------------------------------------------------------- people (institution admins)


class InviteUser(UsersScenario):
    method, path, status = "POST", "/users", 201
    disposable = TRAIL | {PROFILE_ENTITY, EMAIL_ENTITY}

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("POST", self.path, ADMIN, body=invitation_body())


class InviteUserReplay(InviteUser):
    """A retry of an invitation already answered: the stored first answer, no second account."""

    variant = "Idempotency-Key replay"
    disposable = frozenset()  # a replay writes nothing; purging its stored answer would end the replays

    def setup(self) -> None:
        self.retried = ApiCall(
            "POST", self.path, ADMIN, body=invitation_body(), headers={"Idempotency-Key": uuid.uuid4().hex}
        )
        self.api.send(self.retried, 201)

    def next_call(self, index: int) -> ApiCall:
        return self.retried


class ListUsers(UsersScenario):
    method, path = "GET", "/users"

    def setup(self) -> None:
        for _ in range(self.page_size + 1):
            self.invite()

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, ADMIN, query=self.page_query())

    def after(self, answer: Answer) -> None:
        self.check_full_page(answer)


class GetUser(UsersScenario):
    method, path = "GET", USER_PATH

    def setup(self) -> None:
        self.user_id = self.invite()["id"]

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, ADMIN, {"user_id": self.user_id})


class ChangeUserRole(UsersScenario):
    """Each call moves the person between student and instructor."""

    method, path = "PATCH", USER_PATH + "/role"

    def setup(self) -> None:
        invited = self.invite("student")
        self.user_id, self.version, self.role = invited["id"], invited["version"], "student"

    def next_call(self, index: int) -> ApiCall:
        self.role = "instructor" if self.role == "student" else "student"
        params = {"user_id": self.user_id}
        return ApiCall("PATCH", self.path, ADMIN, params, {"role": self.role}, if_match(self.version))

    def after(self, answer: Answer) -> None:
        self.version = answer.version()


class SuspendUser(UsersScenario):
    """The same person each call, reactivated (unmeasured) before the next suspension."""

    method, path = "POST", USER_PATH + "/suspend"

    def setup(self) -> None:
        self.user_id = self.invite()["id"]

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("POST", self.path, ADMIN, {"user_id": self.user_id})

    def after(self, answer: Answer) -> None:
        self.api.send(ApiCall("POST", USER_PATH + "/reactivate", ADMIN, {"user_id": self.user_id}), 200)


class ReactivateUser(UsersScenario):
    """The same person each call, suspended (unmeasured) before each reactivation."""

    method, path = "POST", USER_PATH + "/reactivate"

    def setup(self) -> None:
        self.user_id = self.invite()["id"]

    def next_call(self, index: int) -> ApiCall:
        self.api.send(ApiCall("POST", USER_PATH + "/suspend", ADMIN, {"user_id": self.user_id}), 200)
        return ApiCall("POST", self.path, ADMIN, {"user_id": self.user_id})


# ---------------------------------------------------------------- your own profile


class _OwnProfile(UsersScenario):
    """A person invited through the API calls with their own token."""

    def setup(self) -> None:
        invited = self.invite("student")
        self.me = Caller(invited["id"], INSTITUTION, ("students",))
        self.version = invited["version"]


class GetMyProfile(_OwnProfile):
    method, path = "GET", "/users/me"

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, self.me)


class UpdateMyProfile(_OwnProfile):
    method, path = "PATCH", "/users/me"

    def next_call(self, index: int) -> ApiCall:
        body = {"display_name": f"Ada L. {index}", "bio": "Analyst of engines."}
        return ApiCall("PATCH", self.path, self.me, body=body, headers=if_match(self.version))

    def after(self, answer: Answer) -> None:
        self.version = answer.version()


# ---------------------------------------------------------------- roster imports


def roster_body(size: int = 25) -> dict[str, Any]:
    return {"rows": [invitation_body() for _ in range(size)]}


class ImportRoster(UsersScenario):
    """A roster of 25 (one chunk); the worker is not run: the call stores the job and its event."""

    method, path, status = "POST", "/users/imports", 202
    disposable = TRAIL | {IMPORT_JOB_ENTITY, IMPORT_CHUNK_ENTITY}

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("POST", self.path, ADMIN, body=roster_body())


class GetImportJob(UsersScenario):
    method, path = "GET", "/users/imports/{job_id}"

    def setup(self) -> None:
        answer = self.api.send(ApiCall("POST", "/users/imports", ADMIN, body=roster_body()), 202)
        self.job_id = answer.json()["id"]

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, ADMIN, {"job_id": self.job_id})


# ---------------------------------------------------------------- privacy


class RequestUserExport(_OwnProfile):
    """A person asks for their own export; the privacy worker is not run: the call stores the job."""

    method, path, status = "POST", USER_PATH + "/exports", 202
    disposable = TRAIL | {EXPORT_ENTITY}

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("POST", self.path, self.me, {"user_id": self.me.user_id})


class GetUserExport(_OwnProfile):
    """A person reads their own export job (pending: the worker is not run, so no link is signed)."""

    method, path = "GET", USER_PATH + "/exports/{export_id}"

    def setup(self) -> None:
        super().setup()
        call = ApiCall("POST", USER_PATH + "/exports", self.me, {"user_id": self.me.user_id})
        self.export_id = self.api.send(call, 202).json()["export_id"]

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, self.me, {"user_id": self.me.user_id, "export_id": self.export_id})


class ListUserExports(_OwnProfile):
    """A person pages through their own export jobs (pending: the worker is not run)."""

    method, path = "GET", USER_PATH + "/exports"

    def setup(self) -> None:
        super().setup()
        for _ in range(self.page_size + 1):
            self.api.send(ApiCall("POST", USER_PATH + "/exports", self.me, {"user_id": self.me.user_id}), 202)

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, self.me, {"user_id": self.me.user_id}, query=self.page_query())

    def after(self, answer: Answer) -> None:
        self.check_full_page(answer)


class ListUserExportsOfSomeoneElse(ListUserExports):
    """An admin pages through a person's export jobs: the person is looked up first."""

    variant = "someone else's"

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, ADMIN, {"user_id": self.me.user_id}, query=self.page_query())


class GetUserErasure(UsersScenario):
    """An admin reads the record of an erasure (pending: the worker is not run)."""

    method, path = "GET", USER_PATH + "/erasure"

    def setup(self) -> None:
        self.erased = self.invite()["id"]
        self.api.send(ApiCall("DELETE", USER_PATH, ADMIN, {"user_id": self.erased}), 202)

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("GET", self.path, ADMIN, {"user_id": self.erased})


class EraseUser(UsersScenario):
    """Each call erases a person invited (unmeasured) just before; the worker is not run."""

    method, path, status = "DELETE", USER_PATH, 202
    disposable = TRAIL | {ERASURE_ENTITY, PROFILE_ENTITY, EMAIL_ENTITY}

    def next_call(self, index: int) -> ApiCall:
        return ApiCall("DELETE", self.path, ADMIN, {"user_id": self.invite()["id"]})


USERS: tuple[type[Scenario], ...] = (
    CreateInstitution,
    ListInstitutions,
    GetInstitution,
    UpdateInstitution,
    AddInstitutionAdmin,
    ListAuditEvents,
    InviteUser,
    InviteUserReplay,
    ListUsers,
    GetUser,
    ChangeUserRole,
    SuspendUser,
    ReactivateUser,
    GetMyProfile,
    UpdateMyProfile,
    ImportRoster,
    GetImportJob,
    RequestUserExport,
    GetUserExport,
    ListUserExports,
    ListUserExportsOfSomeoneElse,
    EraseUser,
    GetUserErasure,
)

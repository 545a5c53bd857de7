"""Who may attempt each identity operation (resource checks follow in the service).

Platform admins manage institutions and belong to none; institution admins manage the people of
their own institution; everyone reads and edits their own profile.
"""

from __future__ import annotations

from lms.auth import MEMBERS, Role
from lms.authz import operation

PLATFORM = frozenset({Role.PLATFORM_ADMIN})
ADMINS = frozenset({Role.INSTITUTION_ADMIN})
PLATFORM_OR_ADMINS = PLATFORM | ADMINS

CREATE_INSTITUTION = operation("CreateInstitution", PLATFORM, "create institutions")
LIST_INSTITUTIONS = operation("ListInstitutions", PLATFORM, "list institutions")
GET_INSTITUTION = operation("GetInstitution", PLATFORM_OR_ADMINS, "read institutions")
UPDATE_INSTITUTION = operation("UpdateInstitution", PLATFORM, "edit institutions")
ADD_INSTITUTION_ADMIN = operation("AddInstitutionAdmin", PLATFORM, "add institution admins")
LIST_AUDIT_EVENTS = operation("ListAuditEvents", PLATFORM_OR_ADMINS, "read the audit trail")

INVITE_USER = operation("InviteUser", ADMINS, "invite people")
LIST_USERS = operation("ListUsers", ADMINS, "list people")
GET_USER = operation("GetUser", ADMINS, "read people's profiles")
CHANGE_USER_ROLE = operation("ChangeUserRole", ADMINS, "change roles")
SUSPEND_USER = operation("SuspendUser", ADMINS, "suspend people")
REACTIVATE_USER = operation("ReactivateUser", ADMINS, "reactivate people")

GET_MY_PROFILE = operation("GetMyProfile", MEMBERS, "read your profile")
UPDATE_MY_PROFILE = operation("UpdateMyProfile", MEMBERS, "edit your profile")

IMPORT_ROSTER = operation("ImportRoster", ADMINS, "import rosters")
GET_IMPORT_JOB = operation("GetImportJob", ADMINS, "read roster imports")

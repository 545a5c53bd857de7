"""Who may attempt each LTI operation (resource checks follow in the service)."""

from __future__ import annotations

from lms.auth import MEMBERS, STAFF, Role
from lms.authz import operation

REGISTER_LTI_TOOL = operation("RegisterLtiTool", {Role.INSTITUTION_ADMIN}, "register LTI tools")
UPDATE_LTI_TOOL = operation("UpdateLtiTool", {Role.INSTITUTION_ADMIN}, "change LTI tools")
# Instructors choose a registered tool for a lesson; they read the registrations, never change them.
LIST_LTI_TOOLS = operation("ListLtiTools", STAFF, "list LTI tools")
GET_LTI_TOOL = operation("GetLtiTool", STAFF, "read LTI tools")
# Resource checks: the course's staff, its institution's admins, and its enrolled students.
START_LTI_LAUNCH = operation("StartLtiLaunch", MEMBERS, "launch LTI tools")
# Resource checks: the course's instructors and its institution's admins (who may edit it).
START_LTI_DEEP_LINK = operation("StartLtiDeepLink", STAFF, "add LTI tools' content to courses")

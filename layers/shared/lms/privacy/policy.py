"""Who may attempt each privacy operation (resource checks follow in lms.privacy.service).

People export their own data; institution admins export and erase the people of their own
institution; platform admins erase people of any institution (naming it).
"""

from __future__ import annotations

from lms.auth import MEMBERS, Role
from lms.authz import operation

REQUEST_USER_EXPORT = operation("RequestUserExport", MEMBERS, "export personal data")
GET_USER_EXPORT = operation("GetUserExport", MEMBERS, "read personal data exports")
LIST_USER_EXPORTS = operation("ListUserExports", MEMBERS, "list personal data exports")
ERASE_USER = operation("EraseUser", frozenset({Role.INSTITUTION_ADMIN, Role.PLATFORM_ADMIN}), "erase people")
GET_USER_ERASURE = operation(
    "GetUserErasure", frozenset({Role.INSTITUTION_ADMIN, Role.PLATFORM_ADMIN}), "follow erasures"
)

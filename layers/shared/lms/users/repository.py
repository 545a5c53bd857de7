"""The identity context's repository: reads are one request each, every change one transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import DeleteError, PutError
from pynamodb.expressions.condition import Condition

from lms import audit, keys
from lms.errors import Conflict
from lms.idempotency import StoredResponse
from lms.pagination import decode_cursor, encode_cursor
from lms.persistence.idempotency import find_response, remember_answer
from lms.persistence.outbox import outbox_item
from lms.persistence.transactions import Transaction
from lms.users.domain import (
    PENDING_CLAIM_RETENTION,
    Institution,
    PendingInvitation,
    UserProfile,
    UserRole,
    UserStatus,
    email_digest,
)
from lms.users.errors import ConcurrentUserChange, EmailTaken, InvitationInProgress, SlugTaken
from lms.users.imports.repository import ROW_NOT_DONE, row_item
from lms.users.items import (
    EMAIL_ENTITY,
    INSTITUTION_ENTITY,
    PROFILE_ENTITY,
    SLUG_ENTITY,
    EmailItem,
    InstitutionItem,
    ProfileItem,
    SlugItem,
)
from lms.users.service import IdentityChange, PeopleQuery

_INSTITUTION_FIELDS = ("name", "slug", "timezone", "default_locale")
_PROFILE_FIELDS = (
    "email",
    "given_name",
    "family_name",
    "role",
    "status",
    "display_name",
    "locale",
    "timezone",
    "avatar_url",
    "bio",
    "invited_by",
)


def _institution_item(institution: Institution) -> InstitutionItem:
    data = institution.model_dump(mode="json")
    return InstitutionItem(
        keys.institution_pk(institution.id),
        keys.INSTITUTION_SK,
        entity=INSTITUTION_ENTITY,
        GSI1PK=keys.institutions_directory_pk(),
        GSI1SK=institution.slug,
        institution_id=institution.id,
        version=institution.version,
        created_at=data["created_at"],
        updated_at=data["updated_at"],
        **{name: data[name] for name in _INSTITUTION_FIELDS},
    )


def _institution(item: InstitutionItem) -> Institution:
    return Institution(
        id=item.institution_id,
        version=int(item.version),
        created_at=datetime.fromisoformat(item.created_at),
        updated_at=datetime.fromisoformat(item.updated_at),
        **{name: getattr(item, name) for name in _INSTITUTION_FIELDS},
    )


def _profile_item(user: UserProfile) -> ProfileItem:
    data = user.model_dump(mode="json")
    return ProfileItem(
        keys.user_pk(user.institution_id, user.id),
        keys.PROFILE_SK,
        entity=PROFILE_ENTITY,
        GSI1PK=keys.people_pk(user.institution_id),
        GSI1SK=keys.people_sk(user.role.value, user.sort_name, user.id),
        user_id=user.id,
        version=user.version,
        created_at=data["created_at"],
        updated_at=data["updated_at"],
        search_text=user.search_text,
        **{name: data[name] for name in _PROFILE_FIELDS},
    )


def _profile(institution_id: str, item: ProfileItem) -> UserProfile:
    data: dict[str, Any] = {name: getattr(item, name) for name in _PROFILE_FIELDS}
    return UserProfile(
        id=item.user_id,
        institution_id=institution_id,
        version=int(item.version),
        created_at=datetime.fromisoformat(item.created_at),
        updated_at=datetime.fromisoformat(item.updated_at),
        **data,
    )


def _email_key(institution_id: str, email: str) -> tuple[str, str]:
    return keys.email_pk(institution_id, email_digest(email)), keys.EMAIL_SK


def _pending_claim(institution_id: str, email: str, claim: PendingInvitation, at: datetime) -> EmailItem:
    return EmailItem(
        *_email_key(institution_id, email),
        entity=EMAIL_ENTITY,
        invitation_id=claim.id,
        role=claim.role.value,
        lease_until=int(claim.lease_until.timestamp()),
        expires_at=int((at + PENDING_CLAIM_RETENTION).timestamp()),
    )


def _refused(error: PutError | DeleteError) -> bool:
    return error.cause_response_code == "ConditionalCheckFailedException"


TAKEN = "Someone in your institution already has this email."
IN_PROGRESS = "An invitation of this email is in progress; retry in a minute."


def release_email_of(tx: Transaction, profile: UserProfile) -> None:
    """The profile's email claim freed, in the transaction of an erasure."""
    if profile.email:
        tx.delete(
            EmailItem(*_email_key(profile.institution_id, profile.email)),
            EmailItem.PK.does_not_exist() | (EmailItem.user_id == profile.id),
            ConcurrentUserChange("The email claim changed meanwhile; retry."),
        )


def pseudonymise(tx: Transaction, profile: UserProfile, pseudonym: str, at: str) -> None:
    """The profile's personal fields cleared and its name replaced, in the transaction of an erasure
    (conditional on the version read)."""
    inst, user_id = profile.institution_id, profile.id
    tx.update(
        ProfileItem(keys.user_pk(inst, user_id), keys.PROFILE_SK),
        [
            ProfileItem.status.set(UserStatus.ERASED.value),
            ProfileItem.email.set(""),
            ProfileItem.given_name.set(""),
            ProfileItem.family_name.set(""),
            ProfileItem.display_name.set(pseudonym),
            ProfileItem.search_text.set(pseudonym.lower()),
            ProfileItem.GSI1SK.set(keys.people_sk(profile.role.value, pseudonym.lower(), user_id)),
            ProfileItem.locale.remove(),
            ProfileItem.timezone.remove(),
            ProfileItem.avatar_url.remove(),
            ProfileItem.bio.remove(),
            ProfileItem.version.set(profile.version + 1),
            ProfileItem.updated_at.set(at),
        ],
        ProfileItem.version == profile.version,
        ConcurrentUserChange("The person changed meanwhile; read them again and retry."),
    )


class DynamoIdentityRepository:
    def claim_email(
        self, institution_id: str, email: str, claim: PendingInvitation, at: datetime
    ) -> PendingInvitation | None:
        """Claim the email for `claim`: one PutItem when it is free.

        Returns the pending invitation it took over (one that died before its profile), else None;
        raises EmailTaken when a person has the email, InvitationInProgress while another invitation
        of it may still be running.
        """
        item = _pending_claim(institution_id, email, claim, at)
        try:
            item.save(condition=EmailItem.PK.does_not_exist())
            return None
        except PutError as error:
            if not _refused(error):
                raise
        try:
            held = EmailItem.get(*_email_key(institution_id, email), consistent_read=True)
        except EmailItem.DoesNotExist:
            raise InvitationInProgress(IN_PROGRESS, field="email") from None  # released meanwhile
        if held.invitation_id is None:
            raise EmailTaken(TAKEN, field="email")
        previous = PendingInvitation(
            id=held.invitation_id,
            role=UserRole(held.role),
            lease_until=datetime.fromtimestamp(int(held.lease_until or 0), UTC),
        )
        if not previous.stale(at):
            raise InvitationInProgress(IN_PROGRESS, field="email")
        try:
            item.save(condition=EmailItem.invitation_id == previous.id)
        except PutError as error:
            if _refused(error):  # another request took it over first
                raise InvitationInProgress(IN_PROGRESS, field="email") from error
            raise
        return previous

    def release_email(self, institution_id: str, email: str, invitation_id: str) -> None:
        """Free a pending claim of the invitation `invitation_id` (no-op once it is someone else's)."""
        try:
            EmailItem(*_email_key(institution_id, email)).delete(
                condition=EmailItem.invitation_id == invitation_id
            )
        except DeleteError as error:
            if not _refused(error):
                raise

    def get_institution(self, institution_id: str) -> Institution | None:
        try:
            item = InstitutionItem.get(
                keys.institution_pk(institution_id), keys.INSTITUTION_SK, consistent_read=True
            )
        except InstitutionItem.DoesNotExist:
            return None
        return _institution(item)

    def list_institutions(self, limit: int, cursor: str | None) -> tuple[list[Institution], str | None]:
        partition = keys.institutions_directory_pk()
        start = decode_cursor(cursor, partition_attr="GSI1PK", partition=partition)
        results = InstitutionItem.directory.query(partition, last_evaluated_key=start, page_size=limit)
        page = next(results.page_iter)
        found = [_institution(InstitutionItem.from_raw_data(raw)) for raw in page.get("Items", [])]
        return found, encode_cursor(page.get("LastEvaluatedKey"))

    def get_user(self, institution_id: str, user_id: str) -> UserProfile | None:
        try:
            item = ProfileItem.get(
                keys.user_pk(institution_id, user_id), keys.PROFILE_SK, consistent_read=True
            )
        except ProfileItem.DoesNotExist:
            return None
        return _profile(institution_id, item)

    def list_users(self, institution_id: str, query: PeopleQuery) -> tuple[list[UserProfile], str | None]:
        partition = keys.people_pk(institution_id)
        start = decode_cursor(query.cursor, partition_attr="GSI1PK", partition=partition)
        range_condition = (
            ProfileItem.GSI1SK.startswith(keys.people_prefix(query.role.value)) if query.role else None
        )
        filter_condition: Condition | None = None
        if query.status:
            filter_condition = ProfileItem.status == query.status.value
        if query.search:
            found = ProfileItem.search_text.contains(query.search.lower())
            filter_condition = found if filter_condition is None else filter_condition & found
        results = ProfileItem.people.query(
            partition,
            range_key_condition=range_condition,
            filter_condition=filter_condition,
            last_evaluated_key=start,
            page_size=query.limit,
        )
        # Exactly one Query per page: a filtered page may hold fewer than `limit` people.
        page = next(results.page_iter)
        people = [_profile(institution_id, ProfileItem.from_raw_data(raw)) for raw in page.get("Items", [])]
        return people, encode_cursor(page.get("LastEvaluatedKey"))

    def list_audit(
        self, institution_id: str, limit: int, cursor: str | None
    ) -> tuple[list[audit.AuditEntry], str | None]:
        return audit.list_entries(institution_id, limit, cursor)

    def stored_response(self, institution_id: str, user_id: str, key: str) -> StoredResponse | None:
        """The first answer to the caller's key (a platform admin's are under PLATFORM#): one GetItem."""
        item = find_response(institution_id, user_id, key)
        if item is None:
            return None
        return StoredResponse(fingerprint=item.fingerprint, status=int(item.status), body=item.body)

    def commit(self, change: IdentityChange) -> None:
        inst = change.institution_id
        tx = Transaction()
        if change.institution is not None:
            institution = change.institution
            if change.institution_expected_version is None:
                tx.put(
                    _institution_item(institution),
                    InstitutionItem.PK.does_not_exist(),
                    Conflict("An institution with this id exists."),
                )
                tx.put(
                    SlugItem(
                        keys.slug_pk(institution.slug),
                        keys.SLUG_SK,
                        entity=SLUG_ENTITY,
                        institution_id=institution.id,
                    ),
                    SlugItem.PK.does_not_exist(),
                    SlugTaken(f"The slug {institution.slug!r} is taken.", field="slug"),
                )
            else:
                tx.put(
                    _institution_item(institution),
                    InstitutionItem.version == change.institution_expected_version,
                    ConcurrentUserChange("The institution changed meanwhile; read it again and retry."),
                )
        if change.user is not None:
            user = change.user
            if change.user_expected_version is None:
                tx.put(
                    _profile_item(user),
                    ProfileItem.PK.does_not_exist(),
                    ConcurrentUserChange("The profile was created meanwhile; read it again and retry."),
                )
                # The invitation's own pending claim becomes the person's; without one, a free email.
                claimed = (
                    EmailItem.invitation_id == change.invitation_id
                    if change.invitation_id
                    else EmailItem.PK.does_not_exist()
                )
                tx.put(
                    EmailItem(*_email_key(inst, user.email), entity=EMAIL_ENTITY, user_id=user.id),
                    claimed,
                    EmailTaken(TAKEN, field="email"),
                )
            else:
                tx.put(
                    _profile_item(user),
                    ProfileItem.version == change.user_expected_version,
                    ConcurrentUserChange("The person changed meanwhile; read them again and retry."),
                )
        if change.import_row is not None:
            job_id, outcome = change.import_row
            tx.put(
                row_item(inst, job_id, outcome),
                ROW_NOT_DONE,
                ConcurrentUserChange("The roster row was imported meanwhile."),
            )
        for event in change.events:
            tx.put(outbox_item(event, inst, change.actor))
        for record in change.audit:
            entry = audit.audit_item(
                inst,
                change.actor,
                record.action,
                record.resource,
                subject_user_id=record.subject_user_id,
                details=record.details,
            )
            tx.put(entry, audit.APPEND_ONLY)
        if change.idempotent and change.response:
            # Under the caller's key space: a new institution's id is not the caller's tenant.
            actor = change.actor
            remember_answer(
                tx,
                actor.institution_id,
                actor.user_id,
                change.idempotent,
                change.response,
            )
        tx.commit()

"""The credential report: one CSV row per user (the root user first, as `<root_account>`) with the state of its
password, MFA, access keys and signing certificates, in AWS's columns and value spellings.

As in AWS, GenerateCredentialReport builds a report only when none exists or the last one is four hours old
(answering STARTED; it is built at once, so GetCredentialReport can read it right away), and otherwise answers
COMPLETE and keeps the existing report; GetCredentialReport answers ReportExpired once the report is four hours
old. Times are ISO 8601 with an explicit UTC offset (`2015-06-24T12:45:00+00:00`), booleans are lower-case.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shieldwall import arn
from shieldwall.errors import AwsError
from shieldwall.services.base import Call, Params
from shieldwall.services.iam.account import POLICY_KEY
from shieldwall.services.iam.common import IamBase, now_seconds
from shieldwall.services.iam.keys import KeysMixin
from shieldwall.services.iam.models import AccessKey, LoginProfile, PasswordPolicy, User, UserKey
from shieldwall.services.iam.records import AccountEpoch, CredentialReport, VirtualMfaDevice
from shieldwall.store.base import Reader, Scope

REPORT_KEY = "report"
EPOCH_KEY = "epoch"
LIFETIME = timedelta(hours=4)
ROOT_USER = "<root_account>"
NA, NOT_SUPPORTED, NO_INFORMATION = "N/A", "not_supported", "no_information"
STARTED_DESCRIPTION = "No report exists. Starting a new report generation task"
COLUMNS = (
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
)
_NO_KEY = ["false", NA, NA, NA, NA]
_NO_CERTS = ["false", NA, "false", NA]


def report_not_present() -> AwsError:
    return AwsError(
        "ReportNotPresent",
        "The credential report does not exist. To generate a credential report, use GenerateCredentialReport.",
        410,
    )


def report_expired() -> AwsError:
    return AwsError(
        "ReportExpired",
        "The most recent credential report has expired. To generate a new credential report, "
        "use GenerateCredentialReport.",
        410,
    )


def iso(when: datetime) -> str:
    return when.astimezone(UTC).replace(microsecond=0).isoformat()


def flag(value: bool) -> str:
    return "true" if value else "false"


@dataclass(slots=True)
class UserFacts:
    """What one user's row is made of, read in one snapshot."""

    user: User
    profile: LoginProfile | None
    keys: list[AccessKey]
    mfa_active: bool


class ReportMixin(IamBase):
    def generate_credential_report(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            current = reader.get(call.account_scope, CredentialReport, REPORT_KEY)
        if current is not None and call.now() - current.generated < LIFETIME:
            return {"State": "COMPLETE"}
        with self.store.transaction() as tx:
            epoch = tx.get(call.account_scope, AccountEpoch, EPOCH_KEY)
            if epoch is None:
                epoch = AccountEpoch(now_seconds(call))
                tx.put(call.account_scope, EPOCH_KEY, epoch)
        with self.store.read() as reader:
            facts = self.user_facts(reader, call)
            policy = reader.get(call.account_scope, PasswordPolicy, POLICY_KEY)
        rows = [self.root_row(call, epoch.created), *(self.user_row(call, fact, policy) for fact in facts)]
        report = CredentialReport(now_seconds(call), render_csv(rows))
        with self.store.transaction() as tx:
            tx.put(call.account_scope, REPORT_KEY, report)
        return {"State": "STARTED", "Description": STARTED_DESCRIPTION}

    def get_credential_report(self, call: Call, params: Params) -> Params:
        with self.store.read() as reader:
            report = reader.get(call.account_scope, CredentialReport, REPORT_KEY)
        if report is None:
            raise report_not_present()
        if call.now() - report.generated >= LIFETIME:
            raise report_expired()
        return {
            "Content": report.content.encode("utf-8"),
            "ReportFormat": "text/csv",
            "GeneratedTime": report.generated,
        }

    def user_facts(self, reader: Reader, call: Call) -> list[UserFacts]:
        scope, index = call.account_scope, Scope.partition_wide(call.partition)
        with_mfa = {device.user_id for _, device in reader.list(scope, VirtualMfaDevice) if device.user_id}
        facts = []
        for key, user in reader.list(scope, User):
            pointers = reader.list(scope, UserKey, prefix=f"{key}/")
            keys = [reader.get(index, AccessKey, pointer.access_key_id) for _, pointer in pointers]
            found = sorted((k for k in keys if k is not None), key=lambda k: k.create_date)
            profile = reader.get(scope, LoginProfile, key)
            facts.append(UserFacts(user, profile, found, user.user_id in with_mfa))
        return facts

    def root_row(self, call: Call, created: datetime) -> list[str]:
        """The root user: its password is not IAM's to report, its access key is the configured root pair."""
        root_key = call.principal.access_key_id if call.principal.is_root else ""
        key = ["true", iso(created), *self.key_use(call, root_key)]
        return [
            ROOT_USER,
            arn.root_arn(call.account_id, call.partition),
            iso(created),
            NOT_SUPPORTED,
            NO_INFORMATION,
            NOT_SUPPORTED,
            NOT_SUPPORTED,
            "false",
            *key,
            *_NO_KEY,
            *_NO_CERTS,
        ]

    def user_row(self, call: Call, facts: UserFacts, policy: PasswordPolicy | None) -> list[str]:
        keys = [self.key_columns(call, key) for key in facts.keys[:2]]
        keys += [_NO_KEY] * (2 - len(keys))
        return [
            facts.user.name,
            facts.user.arn,
            iso(facts.user.create_date),
            *password_columns(facts.user, facts.profile, policy),
            flag(facts.mfa_active),
            *keys[0],
            *keys[1],
            *_NO_CERTS,
        ]

    def key_columns(self, call: Call, key: AccessKey) -> list[str]:
        return [flag(key.status == "Active"), iso(key.create_date), *self.key_use(call, key.access_key_id)]

    def key_use(self, call: Call, access_key_id: str) -> list[str]:
        """last_used_date, last_used_region, last_used_service of a key, from the audit trail."""
        if not access_key_id:
            return [NA, NA, NA]
        assert isinstance(self, KeysMixin), "the report needs the access keys part of the provider"
        use: dict[str, Any] = self.last_use(call, access_key_id)
        if "LastUsedDate" not in use:
            return [NA, NA, NA]
        return [iso(use["LastUsedDate"]), use["Region"], use["ServiceName"]]


def password_columns(user: User, profile: LoginProfile | None, policy: PasswordPolicy | None) -> list[str]:
    """password_enabled, password_last_used, password_last_changed, password_next_rotation."""
    if user.password_last_used is not None:
        last_used = iso(user.password_last_used)
    else:
        last_used = NO_INFORMATION if profile is not None else NA
    if profile is None:
        return ["false", last_used, NA, NA]
    rotation = NA
    if policy is not None and policy.max_age is not None:
        rotation = iso(profile.create_date + timedelta(days=policy.max_age))
    return ["true", last_used, iso(profile.create_date), rotation]


def render_csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue().rstrip("\n")

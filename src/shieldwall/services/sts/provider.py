"""STS operations: temporary credentials for roles, users and federated users, and what they can tell about
themselves."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from shieldwall.accounts import Account, RootKey
from shieldwall.auth import authorization_message
from shieldwall.errors import AwsError
from shieldwall.services.base import Call, Params
from shieldwall.services.iam.mfa import device_key, verify_mfa_code
from shieldwall.services.iam.models import AccessKey
from shieldwall.services.iam.records import VirtualMfaDevice
from shieldwall.services.sts.credentials import IssuedCredentials, issue, prune_expired
from shieldwall.services.sts.federation import (
    SOURCE_IDENTITY_CLAIM,
    federated_options,
    judge_trust,
    not_authorized,
    oidc_provider,
    saml_provider,
    tag_claims,
)
from shieldwall.services.sts.models import StoredSession
from shieldwall.services.sts.oidc_keys import HttpsKeySource
from shieldwall.services.sts.roles import read_role, role_gone
from shieldwall.services.sts.saml_assertion import verify_saml_response
from shieldwall.services.sts.sessions import (
    access_denied,
    assumed_role_user,
    role_duration,
    role_session,
    session_options,
    validation_error,
)
from shieldwall.services.sts.web_identity import KeySource, peek_issuer, provider_url, verify_web_identity
from shieldwall.store.base import Reader, Scope, Store, Transaction
from shieldwall.store.sealing import Sealer

_PRUNE_EVERY = 256
USER_SESSION = (900, 129_600, 43_200)  # GetSessionToken / GetFederationToken: min, max, default seconds
ROOT_SESSION = (900, 3_600, 3_600)  # the same, called with root credentials


class StsProvider:
    service = "sts"

    def __init__(self, store: Store, sealer: Sealer, oidc_keys: KeySource | None = None) -> None:
        self.store = store
        self.sealer = sealer
        self.oidc_keys = oidc_keys or HttpsKeySource()
        self._issued = itertools.count()

    def get_caller_identity(self, call: Call, params: Params) -> Params:
        principal = call.principal
        return {"UserId": principal.user_id, "Account": principal.account_id, "Arn": principal.arn}

    def assume_role(self, call: Call, params: Params) -> Params:
        caller = call.principal
        role_arn = params["RoleArn"]
        now = call.now()
        with self.store.transaction() as tx:
            role = read_role(tx, role_arn, call.partition)
            if role is None:
                raise role_gone(caller.arn, "sts:AssumeRole", role_arn)
            chained = caller.kind == "assumed-role"
            duration = role_duration(params, role, chained=chained)
            options = session_options(params, caller)
            mfa_at = self._mfa(tx, call, params, now)
            session = role_session(
                role,
                params["RoleSessionName"],
                options,
                now=now,
                duration=duration,
                chained=chained,
                mfa_at=mfa_at,
            )
            issued = self._issue(tx, call, session, now)
        output: Params = {"Credentials": issued.output(), "AssumedRoleUser": assumed_role_user(session)}
        return self._with_extras(output, options.packed_size, session.source_identity)

    def assume_role_with_web_identity(self, call: Call, params: Params) -> Params:
        action = "sts:AssumeRoleWithWebIdentity"
        token = params["WebIdentityToken"]
        issuer = peek_issuer(token)
        now = call.now()
        with self.store.read() as reader:
            role = read_role(reader, params["RoleArn"], call.partition)
            provider = oidc_provider(reader, role, provider_url(issuer)) if role is not None else None
        if role is None:
            raise not_authorized(action)
        identity = verify_web_identity(token, provider, now, self.oidc_keys)
        tags, transitive = tag_claims(identity.claims)
        source = identity.claims.get(SOURCE_IDENTITY_CLAIM)
        options = federated_options(params, tags, transitive, source if isinstance(source, str) else None)
        federated = identity.provider.arn
        session_name = params["RoleSessionName"]
        judge_trust(call, role, federated, action, identity.condition_keys, session_name, options)
        duration = role_duration(params, role, chained=False)
        session = role_session(
            role,
            session_name,
            options,
            now=now,
            duration=duration,
            federated_provider=federated,
            web_identity={"federatedProvider": federated},
        )
        with self.store.transaction() as tx:
            issued = self._issue(tx, call, session, now)
        output: Params = {
            "Credentials": issued.output(),
            "SubjectFromWebIdentityToken": identity.subject,
            "AssumedRoleUser": assumed_role_user(session),
            "Provider": identity.issuer,
            "Audience": identity.audience,
        }
        return self._with_extras(output, options.packed_size, session.source_identity)

    def assume_role_with_saml(self, call: Call, params: Params) -> Params:
        action = "sts:AssumeRoleWithSAML"
        now = call.now()
        provider_arn = params["PrincipalArn"]
        with self.store.read() as reader:
            role = read_role(reader, params["RoleArn"], call.partition)
            found = saml_provider(reader, role, provider_arn) if role is not None else None
        if role is None:
            raise not_authorized(action)
        if found is None:
            raise AwsError(
                "InvalidIdentityToken", "Specified provider doesn't exist", 400
            )  # unconfirmed code
        record, metadata = found
        account = role.arn.split(":")[4]
        assertion = verify_saml_response(
            params["SAMLAssertion"],
            role_arn=role.arn,
            provider_arn=record.arn,
            provider_name=record.name,
            account_id=account,
            metadata=metadata,
            now=now,
        )
        tags = [{"Key": key, "Value": value} for key, value in assertion.session_tags]
        options = federated_options(params, tags, assertion.transitive_tag_keys, assertion.source_identity)
        judge_trust(call, role, record.arn, action, assertion.condition_keys, assertion.session_name, options)
        duration = role_duration(params, role, chained=False)
        session = role_session(
            role,
            assertion.session_name,
            options,
            now=now,
            duration=duration,
            federated_provider=record.arn,
            web_identity={"federatedProvider": record.arn},
        )
        ends = assertion.session_not_on_or_after
        if ends is not None and ends < session.expires_at:
            session.expires_at = ends
        with self.store.transaction() as tx:
            issued = self._issue(tx, call, session, now)
        output: Params = {
            "Credentials": issued.output(),
            "AssumedRoleUser": assumed_role_user(session),
            "Subject": assertion.subject,
            "SubjectType": assertion.subject_type,
            "Issuer": assertion.issuer,
            "Audience": assertion.audience,
            "NameQualifier": assertion.name_qualifier,
        }
        return self._with_extras(output, options.packed_size, session.source_identity)

    def get_session_token(self, call: Call, params: Params) -> Params:
        caller = call.principal
        if caller.session is not None:
            raise access_denied("Cannot call GetSessionToken with session credentials")
        low, high, default = ROOT_SESSION if caller.is_root else USER_SESSION
        duration = _duration(params, low, high, default)
        now = call.now()
        with self.store.transaction() as tx:
            mfa_at = self._mfa(tx, call, params, now)
            issuer_type = "Root" if caller.is_root else "IAMUser"
            session = StoredSession(
                access_key_id="",
                sealed=b"",
                account_id=caller.account_id,
                kind=caller.kind,
                arn=caller.arn,
                principal_id=caller.user_id,
                issued_at=now,
                expires_at=now + timedelta(seconds=duration),
                issuer_type=issuer_type,
                issuer_id=caller.user_id,
                issuer_arn=caller.arn,
                issuer_name=caller.username,
                mfa_authenticated=mfa_at is not None,
                mfa_authenticated_at=mfa_at,
            )
            issued = self._issue(tx, call, session, now)
        return {"Credentials": issued.output()}

    def get_federation_token(self, call: Call, params: Params) -> Params:
        caller = call.principal
        if caller.session is not None:
            raise access_denied("Cannot call GetFederationToken with session credentials")
        if "SourceIdentity" in params:
            raise validation_error("SourceIdentity is not supported by GetFederationToken")  # unconfirmed
        low, high, default = ROOT_SESSION if caller.is_root else USER_SESSION
        duration = _duration(params, low, high, default)
        if params.get("TransitiveTagKeys"):
            raise validation_error("TransitiveTagKeys are not supported by GetFederationToken")  # unconfirmed
        options = session_options(params, caller)
        name = params["Name"]
        now = call.now()
        federated_arn = f"arn:{call.partition}:sts::{caller.account_id}:federated-user/{name}"
        with self.store.transaction() as tx:
            session = StoredSession(
                access_key_id="",
                sealed=b"",
                account_id=caller.account_id,
                kind="federated-user",
                arn=federated_arn,
                principal_id=f"{caller.account_id}:{name}",
                issued_at=now,
                expires_at=now + timedelta(seconds=duration),
                issuer_type="Root" if caller.is_root else "IAMUser",
                issuer_id=caller.user_id,
                issuer_arn=caller.arn,
                issuer_name=caller.username,
                tags=[[key, value] for key, value in options.tags],
                inline_policy=options.inline_policy,
                policy_arns=list(options.policy_arns),
            )
            issued = self._issue(tx, call, session, now)
        output: Params = {
            "Credentials": issued.output(),
            "FederatedUser": {"FederatedUserId": session.principal_id, "Arn": federated_arn},
        }
        return self._with_extras(output, options.packed_size, None)

    def get_access_key_info(self, call: Call, params: Params) -> Params:
        key_id = params["AccessKeyId"]
        account = self._account_of_key(call, key_id)
        if account is None:
            # unconfirmed: AWS decodes the account from any well-formed key id; shieldwall knows only its own keys
            raise validation_error(f"The access key ID {key_id} is not valid.")
        return {"Account": account}

    def decode_authorization_message(self, call: Call, params: Params) -> Params:
        try:
            decoded = authorization_message.decode(self.sealer, params["EncodedMessage"])
        except authorization_message.MessageError:
            raise AwsError(
                "InvalidAuthorizationMessageException",
                "The error message provided is not a valid encoded authorization message.",  # unconfirmed
                400,
            ) from None
        return {"DecodedMessage": decoded}

    # --- shared ----------------------------------------------------------------------------------------------

    def _mfa(self, tx: Transaction, call: Call, params: Params, now: datetime) -> datetime | None:
        """When the request proves MFA: the time of a valid SerialNumber/TokenCode (recorded, so it is never
        accepted twice); a chained session keeps its caller's MFA time. A wrong code fails the request."""
        serial, code = params.get("SerialNumber"), params.get("TokenCode")
        caller = call.principal
        if serial is None and code is None:
            return caller.session.mfa_authenticated_at if caller.session is not None else None
        if serial is None or code is None:
            raise access_denied(
                "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code."
            )
        account = Scope(call.partition, caller.account_id)
        user_id = None if caller.is_root else caller.user_id
        if caller.kind not in ("user", "root") or not _device_of(tx, account, serial, user_id):
            raise access_denied(
                "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial "
                "number is valid and associated with this user."
            )
        if not verify_mfa_code(tx, self.sealer, account, serial, code, now, user_id=user_id):
            raise access_denied("MultiFactorAuthentication failed with invalid MFA one time pass code. ")
        return now

    def _issue(self, tx: Transaction, call: Call, session: StoredSession, now: datetime) -> IssuedCredentials:
        if next(self._issued) % _PRUNE_EVERY == _PRUNE_EVERY - 1:
            prune_expired(tx, call.partition, now)
        return issue(tx, self.sealer, call.partition, session)

    def _with_extras(self, output: Params, packed: int | None, source_identity: str | None) -> Params:
        if packed is not None:
            output["PackedPolicySize"] = packed
        if source_identity is not None:
            output["SourceIdentity"] = source_identity
        return output

    def _account_of_key(self, call: Call, key_id: str) -> str | None:
        scope = Scope.partition_wide(call.partition)
        with self.store.read() as reader:
            for kind in (AccessKey, StoredSession):
                record: Any = reader.get(scope, kind, key_id)
                if record is not None:
                    return str(record.account_id)
            root = reader.get(scope, RootKey, key_id)
            if root is not None and reader.get(scope, Account, root.account_id) is not None:
                return root.account_id
        if call.principal.access_key_id == key_id:  # the configured root key is in no table
            return call.principal.account_id
        return None


def _device_of(reader: Reader, account: Scope, serial: str, user_id: str | None) -> bool:
    """Whether `serial` is an enabled virtual MFA device of the caller (any enabled device for root)."""
    key = device_key(serial, account)
    device = reader.get(account, VirtualMfaDevice, key) if key is not None else None
    return (
        device is not None and device.user_id is not None and (user_id is None or device.user_id == user_id)
    )


def _duration(params: Params, low: int, high: int, default: int) -> int:
    duration = int(params.get("DurationSeconds") or default)
    if not low <= duration <= high:
        # unconfirmed: STS's wording for a duration outside the caller's range
        raise validation_error(
            f"The requested DurationSeconds exceeds the allowed range of {low} to {high} seconds for this caller."
        )
    return duration

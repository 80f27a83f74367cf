"""Evaluation cases as data: (policies + request) -> decision, reason and deciding statements.

Every group cites the IAM User Guide (or Organizations User Guide) page its cases are taken from.
Accounts: 111122223333 is the caller's, 444455556666 another account.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

A = "111122223333"
B = "444455556666"
ALICE = f"arn:aws:iam::{A}:user/alice"
BOB = f"arn:aws:iam::{A}:user/bob"
ROLE = f"arn:aws:iam::{A}:role/app"
SESSION = f"arn:aws:sts::{A}:assumed-role/app/s1"
FEDERATED = f"arn:aws:sts::{A}:federated-user/fed"
ROOT = f"arn:aws:iam::{A}:root"
B_ALICE = f"arn:aws:iam::{B}:user/alice"
BUCKET = "arn:aws:s3:::shared"
OBJECT = "arn:aws:s3:::shared/report.csv"

EVALUATION = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"
CROSS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html"
)
SCPS = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html"
RCPS = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html"
BOUNDARIES = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html"
SESSIONS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session"
NOT_ACTION = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html"
NOT_RESOURCE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html"
NOT_PRINCIPAL = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html"
)
PRINCIPAL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html"
VARIABLES = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html"
DENIED = "https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html"


def stmt(effect: str, action: Any = "s3:GetObject", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": effect}
    if "not_action" in extra:
        statement["NotAction"] = extra.pop("not_action")
    else:
        statement["Action"] = action
    if "not_resource" in extra:
        statement["NotResource"] = extra.pop("not_resource")
    elif resource is not None:
        statement["Resource"] = resource
    for key, value in extra.items():
        statement[key] = value
    return statement


def allow(action: Any = "s3:GetObject", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return stmt("Allow", action, resource, **extra)


def deny(action: Any = "s3:GetObject", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return stmt("Deny", action, resource, **extra)


def doc(*statements: dict[str, Any], version: str = "2012-10-17") -> str:
    return json.dumps({"Version": version, "Statement": list(statements)})


def to(principal: Any) -> dict[str, Any]:
    return {"AWS": principal}


@dataclass(frozen=True)
class Case:
    name: str
    page: str
    allowed: bool
    reason: str = ""  # a substring of the decision's reason
    deciding: tuple[str, ...] = ()  # "<policy name> <statement label>", checked when given
    principal: str = ALICE
    account: str = A
    action: str = "s3:GetObject"
    resource: str = OBJECT
    resource_account: str = ""
    context: dict[str, tuple[str, ...]] = field(default_factory=dict)
    identity: tuple[str, ...] = ()
    resource_policy: str | None = None
    boundary: str | None = None
    session: tuple[str, ...] = ()
    scps: tuple[tuple[str, ...], ...] = ()
    rcps: tuple[tuple[str, ...], ...] = ()
    scp_exempt: bool = False
    rcp_exempt: bool = False


NO_ID = "because no identity-based policy allows the s3:GetObject action"
NO_RESOURCE = "because no resource-based policy allows the s3:GetObject action"
NO_BOUNDARY = "because no permissions boundary allows the s3:GetObject action"
NO_SESSION = "because no session policy allows the s3:GetObject action"
SESSION_CONTEXT = {"aws:principalarn": (ROLE,)}
GET = doc(allow())

CASES = [
    # --- evaluation logic: default deny, explicit deny wins, actions are case-insensitive (EVALUATION, DENIED)
    Case("no policy means implicit deny", EVALUATION, False, NO_ID),
    Case(
        "identity policy allow",
        EVALUATION,
        True,
        deciding=("identity0 Get",),
        identity=(doc(allow(Sid="Get")),),
    ),
    Case(
        "explicit deny in the same identity policy wins",
        EVALUATION,
        False,
        "with an explicit deny in an identity-based policy",
        deciding=("identity0 No",),
        identity=(doc(allow(), deny(Sid="No")),),
    ),
    Case(
        "explicit deny in another identity policy wins",
        EVALUATION,
        False,
        "with an explicit deny in an identity-based policy",
        identity=(GET, doc(deny("s3:*"))),
    ),
    Case("action names are case-insensitive", EVALUATION, True, identity=(doc(allow("S3:getOBJECT")),)),
    Case("action wildcard ? matches one character", EVALUATION, True, identity=(doc(allow("s3:GetObjec?")),)),
    Case(
        "allow for another action does not apply",
        EVALUATION,
        False,
        NO_ID,
        identity=(doc(allow("s3:PutObject")),),
    ),
    Case(
        "resource-based policy naming the user allows within the account",
        EVALUATION,
        True,
        deciding=("resource0 #0",),
        resource_policy=doc(allow(Principal=to(ALICE))),
    ),
    Case(
        "resource-based policy naming the account only delegates to identity policies",
        EVALUATION,
        False,
        NO_ID,
        resource_policy=doc(allow(Principal=to(A))),
    ),
    Case(
        "resource-based policy naming the account plus identity allow",
        EVALUATION,
        True,
        resource_policy=doc(allow(Principal=to(ROOT))),
        identity=(GET,),
    ),
    Case(
        "explicit deny in a resource-based policy wins over identity allow",
        EVALUATION,
        False,
        "with an explicit deny in a resource-based policy",
        identity=(GET,),
        resource_policy=doc(deny(Principal="*")),
    ),
    Case("root user needs no policy", EVALUATION, True, principal=ROOT),
    Case(
        "root user is denied by an explicit deny in a resource-based policy",
        EVALUATION,
        False,
        "with an explicit deny in a resource-based policy",
        principal=ROOT,
        resource_policy=doc(deny(Principal=to(A))),
    ),
    Case(
        "condition that does not match leaves implicit deny",
        EVALUATION,
        False,
        NO_ID,
        identity=(doc(allow(Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}})),),
        context={"aws:requestedregion": ("us-east-1",)},
    ),
    Case(
        "allow whose condition cannot be evaluated does not apply",
        EVALUATION,
        False,
        NO_ID,
        identity=(doc(allow(Condition={"NumericLessThan": {"s3:max-keys": "10"}})),),
        context={"s3:max-keys": ("ten",)},
    ),
    Case(
        "deny whose condition cannot be evaluated applies (fail closed)",
        EVALUATION,
        False,
        "with an explicit deny in an identity-based policy",
        identity=(GET, doc(deny(Condition={"NumericLessThan": {"s3:max-keys": "10"}}))),
        context={"s3:max-keys": ("ten",)},
    ),
    # --- service control policies (SCPS)
    Case(
        "every SCP level allows",
        SCPS,
        True,
        identity=(GET,),
        scps=((doc(allow("*")),), (doc(allow("s3:*")),)),
    ),
    Case(
        "an SCP level without allow is an implicit deny",
        SCPS,
        False,
        "because no service control policy allows the s3:GetObject action",
        identity=(GET,),
        scps=((doc(allow("*")),), (doc(allow("ec2:*")),)),
    ),
    Case(
        "explicit deny in an SCP",
        SCPS,
        False,
        "with an explicit deny in a service control policy",
        identity=(GET,),
        scps=((doc(allow("*"), deny("s3:*")),),),
    ),
    Case(
        "SCPs restrict the root user of a member account",
        SCPS,
        False,
        "because no service control policy allows",
        principal=ROOT,
        scps=((doc(allow("ec2:*")),),),
    ),
    Case(
        "SCPs do not apply to the management account",
        SCPS,
        True,
        identity=(GET,),
        scps=((doc(deny("*")),),),
        scp_exempt=True,
    ),
    Case("an SCP allow grants nothing by itself", SCPS, False, NO_ID, scps=((doc(allow("*")),),)),
    # --- resource control policies (RCPS)
    Case(
        "explicit deny in an RCP",
        RCPS,
        False,
        "with an explicit deny in a resource control policy",
        identity=(GET,),
        rcps=((doc(allow("*", Principal="*"), deny("s3:*", Principal="*")),),),
    ),
    Case(
        "RCP without allow is an implicit deny",
        RCPS,
        False,
        "because no resource control policy allows",
        identity=(GET,),
        rcps=((doc(allow("kms:*", Principal="*")),),),
    ),
    Case(
        "RCPs do not apply in the management account",
        RCPS,
        True,
        identity=(GET,),
        rcps=((doc(deny("*", Principal="*")),),),
        rcp_exempt=True,
    ),
    # --- cross-account (CROSS)
    Case(
        "cross-account needs both sides: both allow",
        CROSS,
        True,
        deciding=("resource0 #0", "identity0 #0"),
        resource_account=B,
        identity=(GET,),
        resource_policy=doc(allow(Principal=to(A))),
    ),
    Case(
        "cross-account: resource allows, identity does not",
        CROSS,
        False,
        NO_ID,
        resource_account=B,
        resource_policy=doc(allow(Principal=to(ALICE))),
    ),
    Case(
        "cross-account: identity allows, no resource-based policy",
        CROSS,
        False,
        NO_RESOURCE,
        resource_account=B,
        identity=(GET,),
    ),
    Case(
        "cross-account: resource-based policy names another account",
        CROSS,
        False,
        NO_RESOURCE,
        resource_account=B,
        identity=(GET,),
        resource_policy=doc(allow(Principal=to("999988887777"))),
    ),
    Case(
        "cross-account: root user of the calling account with a resource grant",
        CROSS,
        True,
        principal=ROOT,
        resource_account=B,
        resource_policy=doc(allow(Principal=to(f"arn:aws:iam::{A}:root"))),
    ),
    Case(
        "cross-account: an explicit deny on the resource side wins",
        CROSS,
        False,
        "with an explicit deny in a resource-based policy",
        resource_account=B,
        identity=(GET,),
        resource_policy=doc(allow(Principal=to(A)), deny(Principal=to(ALICE))),
    ),
    # --- permissions boundaries (BOUNDARIES)
    Case("boundary and identity both allow", BOUNDARIES, True, identity=(GET,), boundary=doc(allow("s3:*"))),
    Case(
        "boundary does not allow",
        BOUNDARIES,
        False,
        NO_BOUNDARY,
        identity=(GET,),
        boundary=doc(allow("ec2:*")),
    ),
    Case("boundary alone grants nothing", BOUNDARIES, False, NO_ID, boundary=doc(allow("s3:*"))),
    Case(
        "explicit deny in a boundary",
        BOUNDARIES,
        False,
        "with an explicit deny in a permissions boundary",
        identity=(GET,),
        boundary=doc(allow("*"), deny()),
    ),
    Case(
        "resource policy naming the IAM user is not limited by the boundary",
        BOUNDARIES,
        True,
        resource_policy=doc(allow(Principal=to(ALICE))),
        boundary=doc(allow("ec2:*")),
    ),
    Case(
        "resource policy naming the role is limited by the boundary",
        BOUNDARIES,
        False,
        NO_BOUNDARY,
        principal=SESSION,
        context=SESSION_CONTEXT,
        resource_policy=doc(allow(Principal=to(ROLE))),
        boundary=doc(allow("ec2:*")),
    ),
    Case(
        "resource policy naming the role needs no identity policy",
        BOUNDARIES,
        True,
        principal=SESSION,
        context=SESSION_CONTEXT,
        resource_policy=doc(allow(Principal=to(ROLE))),
        boundary=doc(allow("s3:*")),
    ),
    Case(
        "resource policy naming the role session is not limited by the boundary",
        BOUNDARIES,
        True,
        principal=SESSION,
        context=SESSION_CONTEXT,
        resource_policy=doc(allow(Principal=to(SESSION))),
        boundary=doc(allow("ec2:*")),
    ),
    Case(
        "NotPrincipal deny always denies a principal with a boundary",
        BOUNDARIES,
        False,
        "with an explicit deny in a resource-based policy",
        identity=(GET,),
        boundary=doc(allow("*")),
        resource_policy=doc(deny(NotPrincipal=to([ALICE, ROOT]))),
    ),
    # --- session policies (SESSIONS)
    Case(
        "session policy and role policy both allow",
        SESSIONS,
        True,
        principal=SESSION,
        context=SESSION_CONTEXT,
        identity=(GET,),
        session=(doc(allow("s3:*")),),
    ),
    Case(
        "session policy does not allow",
        SESSIONS,
        False,
        NO_SESSION,
        principal=SESSION,
        context=SESSION_CONTEXT,
        identity=(GET,),
        session=(doc(allow("ec2:*")),),
    ),
    Case(
        "session policy alone grants nothing",
        SESSIONS,
        False,
        NO_ID,
        principal=SESSION,
        context=SESSION_CONTEXT,
        session=(doc(allow("s3:*")),),
    ),
    Case(
        "any one of several session policies may allow",
        SESSIONS,
        True,
        principal=SESSION,
        context=SESSION_CONTEXT,
        identity=(GET,),
        session=(doc(allow("ec2:*")), doc(allow("s3:Get*"))),
    ),
    Case(
        "explicit deny in a session policy",
        SESSIONS,
        False,
        "with an explicit deny in a session policy",
        principal=SESSION,
        context=SESSION_CONTEXT,
        identity=(GET,),
        session=(doc(allow("*"), deny()),),
    ),
    Case(
        "resource policy naming the role is limited by the session policy",
        SESSIONS,
        False,
        NO_SESSION,
        principal=SESSION,
        context=SESSION_CONTEXT,
        resource_policy=doc(allow(Principal=to(ROLE))),
        session=(doc(allow("ec2:*")),),
    ),
    Case(
        "resource policy naming the session is not limited by the session policy",
        SESSIONS,
        True,
        principal=SESSION,
        context=SESSION_CONTEXT,
        resource_policy=doc(allow(Principal=to(SESSION))),
        session=(doc(allow("ec2:*")),),
    ),
    Case(
        "resource policy naming the federated user session grants it directly",
        SESSIONS,
        True,
        principal=FEDERATED,
        resource_policy=doc(allow(Principal=to(FEDERATED))),
        session=(doc(allow("ec2:*")),),
    ),
    # --- NotAction / NotResource / NotPrincipal
    Case(
        "Allow with NotAction allows actions outside it",
        NOT_ACTION,
        True,
        identity=(doc(allow(not_action="iam:*")),),
    ),
    Case(
        "Allow with NotAction does not allow the actions it lists",
        NOT_ACTION,
        False,
        "because no identity-based policy allows the iam:ListUsers action",
        action="iam:ListUsers",
        resource="*",
        identity=(doc(allow(not_action="iam:*")),),
    ),
    Case(
        "Deny with NotAction denies everything outside it",
        NOT_ACTION,
        False,
        "with an explicit deny in an identity-based policy",
        identity=(doc(allow("*"), deny(not_action=["iam:*", "sts:*"])),),
    ),
    Case(
        "Allow with NotResource allows other resources",
        NOT_RESOURCE,
        True,
        identity=(doc(allow("s3:*", not_resource="arn:aws:s3:::secret/*")),),
    ),
    Case(
        "Allow with NotResource does not allow the resources it lists",
        NOT_RESOURCE,
        False,
        NO_ID,
        resource="arn:aws:s3:::secret/key",
        identity=(doc(allow("s3:*", not_resource="arn:aws:s3:::secret/*")),),
    ),
    Case(
        "NotPrincipal deny exempts a user listed with its account",
        NOT_PRINCIPAL,
        True,
        identity=(GET,),
        resource_policy=doc(deny(NotPrincipal=to([ALICE, ROOT]))),
    ),
    Case(
        "NotPrincipal deny applies to principals not listed",
        NOT_PRINCIPAL,
        False,
        "with an explicit deny in a resource-based policy",
        principal=BOB,
        identity=(GET,),
        resource_policy=doc(deny(NotPrincipal=to([ALICE, ROOT]))),
    ),
    Case(
        "NotPrincipal deny without the account does not exempt the user",
        NOT_PRINCIPAL,
        False,
        "with an explicit deny in a resource-based policy",
        identity=(GET,),
        resource_policy=doc(deny(NotPrincipal=to(ALICE))),
    ),
    Case(
        "NotPrincipal deny naming only the role does not exempt its sessions",
        NOT_PRINCIPAL,
        False,
        "with an explicit deny in a resource-based policy",
        principal=SESSION,
        context=SESSION_CONTEXT,
        identity=(GET,),
        resource_policy=doc(deny(NotPrincipal=to([ROLE, ROOT]))),
    ),
    Case(
        "NotPrincipal deny naming the role, the session and the account exempts the session",
        NOT_PRINCIPAL,
        True,
        principal=SESSION,
        context=SESSION_CONTEXT,
        identity=(GET,),
        resource_policy=doc(deny(NotPrincipal=to([ROLE, SESSION, ROOT]))),
    ),
    # --- Principal element forms (PRINCIPAL)
    Case(
        "Principal as a bare account id grants the account cross-account",
        PRINCIPAL,
        True,
        resource_account=B,
        identity=(GET,),
        resource_policy=doc(allow(Principal=to(A))),
    ),
    Case(
        "Principal * allows anonymous callers",
        PRINCIPAL,
        True,
        principal="*",
        account="",
        resource_policy=doc(allow(Principal="*")),
    ),
    Case(
        "anonymous caller without a public grant",
        PRINCIPAL,
        False,
        NO_RESOURCE,
        principal="*",
        account="",
        resource_policy=doc(allow(Principal=to(ALICE))),
    ),
    Case(
        "Principal AWS * names every caller",
        PRINCIPAL,
        True,
        principal=BOB,
        resource_policy=doc(allow(Principal=to("*"))),
    ),
    Case(
        "Service principal is allowed",
        PRINCIPAL,
        True,
        principal="logs.amazonaws.com",
        account="",
        resource_policy=doc(allow(Principal={"Service": ["logs.amazonaws.com", "lambda.amazonaws.com"]})),
    ),
    Case(
        "another service is not",
        PRINCIPAL,
        False,
        NO_RESOURCE,
        principal="sns.amazonaws.com",
        account="",
        resource_policy=doc(allow(Principal={"Service": "logs.amazonaws.com"})),
    ),
    Case(
        "CanonicalUser principal",
        PRINCIPAL,
        True,
        principal="79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
        account="",
        resource_policy=doc(
            allow(
                Principal={
                    "CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
                }
            )
        ),
    ),
    Case(
        "a user of another account with the same name is not the named user",
        PRINCIPAL,
        False,
        NO_RESOURCE,
        principal=B_ALICE,
        account=B,
        resource_account=A,
        identity=(GET,),
        resource_policy=doc(allow(Principal=to(ALICE))),
    ),
    # --- policy variables (VARIABLES)
    Case(
        "aws:username in a resource",
        VARIABLES,
        True,
        resource="arn:aws:s3:::home/alice/notes",
        context={"aws:username": ("alice",)},
        identity=(doc(allow("s3:*", "arn:aws:s3:::home/${aws:username}/*")),),
    ),
    Case(
        "aws:username does not reach another user's folder",
        VARIABLES,
        False,
        NO_ID,
        resource="arn:aws:s3:::home/bob/notes",
        context={"aws:username": ("alice",)},
        identity=(doc(allow("s3:*", "arn:aws:s3:::home/${aws:username}/*")),),
    ),
    Case(
        "an unresolved variable matches nothing",
        VARIABLES,
        False,
        NO_ID,
        resource="arn:aws:s3:::home//notes",
        identity=(doc(allow("s3:*", "arn:aws:s3:::home/${aws:username}/*")),),
    ),
    Case(
        "a variable's default is used when the key is missing",
        VARIABLES,
        True,
        resource="arn:aws:s3:::teams/none/x",
        identity=(doc(allow("s3:*", "arn:aws:s3:::teams/${aws:PrincipalTag/team, 'none'}/*")),),
    ),
    Case(
        "a variable's value is literal text, not a wildcard",
        VARIABLES,
        False,
        NO_ID,
        resource="arn:aws:s3:::home/anything/x",
        context={"aws:username": ("*",)},
        identity=(doc(allow("s3:*", "arn:aws:s3:::home/${aws:username}/x")),),
    ),
    Case(
        "${*} stands for a literal star",
        VARIABLES,
        True,
        resource="arn:aws:s3:::files/*",
        identity=(doc(allow("s3:*", "arn:aws:s3:::files/${*}")),),
    ),
    Case(
        "${*} does not match other names",
        VARIABLES,
        False,
        NO_ID,
        resource="arn:aws:s3:::files/x",
        identity=(doc(allow("s3:*", "arn:aws:s3:::files/${*}")),),
    ),
    Case(
        "Version 2008-10-17 reads variables literally",
        VARIABLES,
        False,
        NO_ID,
        resource="arn:aws:s3:::home/alice/notes",
        context={"aws:username": ("alice",)},
        identity=(doc(allow("s3:*", "arn:aws:s3:::home/${aws:username}/*"), version="2008-10-17"),),
    ),
    Case(
        "Version 2008-10-17 matches the literal text",
        VARIABLES,
        True,
        resource="arn:aws:s3:::home/${aws:username}/notes",
        context={"aws:username": ("alice",)},
        identity=(doc(allow("s3:*", "arn:aws:s3:::home/${aws:username}/*"), version="2008-10-17"),),
    ),
    Case(
        "variable in a condition value",
        VARIABLES,
        True,
        context={"aws:username": ("alice",), "aws:resourcetag/owner": ("alice",)},
        identity=(doc(allow(Condition={"StringEquals": {"aws:ResourceTag/owner": "${aws:username}"}})),),
    ),
    Case(
        "variable in a condition value that does not match",
        VARIABLES,
        False,
        NO_ID,
        context={"aws:username": ("alice",), "aws:resourcetag/owner": ("bob",)},
        identity=(doc(allow(Condition={"StringEquals": {"aws:ResourceTag/owner": "${aws:username}"}})),),
    ),
    Case(
        "principal tag variable",
        VARIABLES,
        True,
        resource="arn:aws:s3:::projects/red/plan",
        context={"aws:principaltag/project": ("red",)},
        identity=(doc(allow("s3:*", "arn:aws:s3:::projects/${aws:PrincipalTag/project}/*")),),
    ),
]

"""The policy-engine workload: policy sets and request streams, generated deterministically.

Statements are written once as `Stmt` specs; `engine_cedar` renders the same specs as Cedar, so both engines
evaluate the same rules. Two sets:

- small: a realistic developer (`alice`, team `payments`) with 5 attached policies, 40 statements, conditions
  on source IP, MFA, region, transport, tags and time, and policy variables (`${aws:username}`,
  `${aws:PrincipalTag/team}`);
- large: an account with 1,000 single-statement policies in scope (team-scoped grants over 12 services, some
  denies and conditions), so one IAM statement is one Cedar policy on both sides.

Each set has a hit (allowed) and a miss (implicitly denied) request stream: the same action over a pool of
distinct resources and source addresses, so no two consecutive requests are identical.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

ACCOUNT = "111122223333"
USER = "alice"
TEAM = "payments"
PRINCIPAL_ARN = f"arn:aws:iam::{ACCOUNT}:user/{USER}"
REGION = "us-east-1"
NOW_EPOCH = 1_795_000_000  # 2026-11-18T09:46:40Z, fixed so runs are comparable
POOL = 512


@dataclass(frozen=True)
class Cond:
    op: str  # IAM operator, e.g. "StringEquals"
    key: str  # IAM condition key, e.g. "aws:SourceIp"
    values: tuple[str, ...]


@dataclass(frozen=True)
class Res:
    """A Resource entry; `binds` names the resource attributes a policy variable in it stands for."""

    pattern: str
    binds: tuple[tuple[str, str], ...] = ()  # (resource attribute, IAM variable key)


@dataclass(frozen=True)
class Stmt:
    sid: str
    effect: str
    actions: tuple[str, ...]
    resources: tuple[Res, ...] = (Res("*"),)
    conditions: tuple[Cond, ...] = ()
    not_action: bool = False


@dataclass(frozen=True)
class PolicySpec:
    name: str
    statements: tuple[Stmt, ...]


@dataclass(frozen=True)
class Target:
    """One request: action, resource ARN with its attributes (owner, team, tags), and the varying context."""

    action: str
    arn: str
    attrs: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    source_ip: str = "10.1.2.3"
    extra: dict[str, Any] = field(default_factory=dict)  # service keys: s3:prefix, kms:ViaService ...


@dataclass(frozen=True)
class Workload:
    name: str
    policies: tuple[PolicySpec, ...]
    hit: tuple[Target, ...]
    miss: tuple[Target, ...]

    @property
    def statement_count(self) -> int:
        return sum(len(policy.statements) for policy in self.policies)


def iam_document(policy: PolicySpec) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [iam_statement(s) for s in policy.statements]}


def iam_statement(statement: Stmt) -> dict[str, Any]:
    out: dict[str, Any] = {"Sid": statement.sid, "Effect": statement.effect}
    out["NotAction" if statement.not_action else "Action"] = list(statement.actions)
    out["Resource"] = [resource.pattern for resource in statement.resources]
    if statement.conditions:
        block: dict[str, dict[str, list[str]]] = {}
        for condition in statement.conditions:
            block.setdefault(condition.op, {})[condition.key] = list(condition.values)
        out["Condition"] = block
    return out


# --- small: one developer, 5 policies, 40 statements -------------------------------------------------------

OFFICE = Cond("NotIpAddress", "aws:SourceIp", ("10.0.0.0/8", "192.168.0.0/16"))
NOT_VIA_SERVICE = Cond("Bool", "aws:ViaAWSService", ("false",))
REGIONS = ("us-east-1", "eu-west-1")
HOME = Res("arn:aws:s3:::corp-data/home/${aws:username}/*", (("owner", "aws:username"),))
TEAM_BUCKET = Res("arn:aws:s3:::team-${aws:PrincipalTag/team}-*/*", (("team", "aws:PrincipalTag/team"),))
SAME_TEAM = Cond("StringEquals", "aws:ResourceTag/team", ("${aws:PrincipalTag/team}",))
KEYS = f"arn:aws:kms:*:{ACCOUNT}:key/*"


def _s3() -> PolicySpec:
    return PolicySpec(
        "DeveloperS3",
        (
            Stmt("ListBuckets", "Allow", ("s3:ListAllMyBuckets", "s3:GetBucketLocation")),
            Stmt(
                "ListHome",
                "Allow",
                ("s3:ListBucket",),
                (Res("arn:aws:s3:::corp-data"),),
                (Cond("StringLike", "s3:prefix", ("", "home/", "shared/*")),),
            ),
            Stmt("HomeObjects", "Allow", ("s3:GetObject", "s3:PutObject", "s3:DeleteObject"), (HOME,)),
            Stmt("ReadShared", "Allow", ("s3:GetObject",), (Res("arn:aws:s3:::corp-shared/*"),)),
            Stmt("TeamBuckets", "Allow", ("s3:Get*", "s3:List*"), (TEAM_BUCKET,)),
            Stmt("NoBucketAdmin", "Deny", ("s3:DeleteBucket", "s3:PutBucketPolicy", "s3:PutBucketAcl")),
            Stmt(
                "NoAudit",
                "Deny",
                ("s3:*",),
                (Res("arn:aws:s3:::corp-audit"), Res("arn:aws:s3:::corp-audit/*")),
            ),
            Stmt(
                "EncryptedUploads",
                "Allow",
                ("s3:PutObject",),
                (Res("arn:aws:s3:::corp-uploads/*"),),
                (Cond("StringEquals", "s3:x-amz-server-side-encryption", ("aws:kms",)),),
            ),
        ),
    )


def _kms_secrets() -> PolicySpec:
    return PolicySpec(
        "KmsAndSecrets",
        (
            Stmt(
                "TeamKeys",
                "Allow",
                ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"),
                (Res(KEYS),),
                (SAME_TEAM,),
            ),
            Stmt(
                "DecryptViaServices",
                "Allow",
                ("kms:Decrypt",),
                (Res(KEYS),),
                (
                    Cond(
                        "StringEquals",
                        "kms:ViaService",
                        ("s3.us-east-1.amazonaws.com", "secretsmanager.us-east-1.amazonaws.com"),
                    ),
                ),
            ),
            Stmt("ListKeys", "Allow", ("kms:ListKeys", "kms:ListAliases", "kms:DescribeKey")),
            Stmt("NoKeyDeletion", "Deny", ("kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy")),
            Stmt(
                "TeamSecrets",
                "Allow",
                ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"),
                (Res(f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:app/*"),),
                (SAME_TEAM,),
            ),
            Stmt("ListSecrets", "Allow", ("secretsmanager:ListSecrets",)),
            Stmt(
                "TeamParameters",
                "Allow",
                ("ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"),
                (Res(f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/app/*"),),
                (SAME_TEAM,),
            ),
            Stmt("NoSecretDeletion", "Deny", ("secretsmanager:DeleteSecret", "ssm:DeleteParameter*")),
        ),
    )


def _compute() -> PolicySpec:
    in_regions = Cond("StringEquals", "aws:RequestedRegion", REGIONS)
    return PolicySpec(
        "ComputeReadOnly",
        (
            Stmt("Describe", "Allow", ("ec2:Describe*",), conditions=(in_regions,)),
            Stmt("LambdaRead", "Allow", ("lambda:List*", "lambda:Get*"), conditions=(in_regions,)),
            Stmt(
                "InvokeTeamFunctions",
                "Allow",
                ("lambda:InvokeFunction",),
                (Res(f"arn:aws:lambda:*:{ACCOUNT}:function:*"),),
                (SAME_TEAM, in_regions),
            ),
            Stmt(
                "TeamTables",
                "Allow",
                ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem"),
                (Res(f"arn:aws:dynamodb:*:{ACCOUNT}:table/team-*"),),
                (Cond("ForAllValues:StringEquals", "dynamodb:Attributes", ("pk", "sk", "status", "owner")),),
            ),
            Stmt("Logs", "Allow", ("logs:Describe*", "logs:Get*", "logs:FilterLogEvents", "logs:StartQuery")),
            Stmt("Metrics", "Allow", ("cloudwatch:Get*", "cloudwatch:List*", "cloudwatch:Describe*")),
            Stmt(
                "SmallInstances",
                "Deny",
                ("ec2:RunInstances",),
                (Res(f"arn:aws:ec2:*:{ACCOUNT}:instance/*"),),
                (Cond("StringNotEquals", "ec2:InstanceType", ("t3.micro", "t3.small")),),
            ),
            Stmt(
                "OnCallWindow",
                "Allow",
                ("ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances"),
                (Res(f"arn:aws:ec2:*:{ACCOUNT}:instance/*"),),
                (SAME_TEAM, Cond("DateLessThan", "aws:CurrentTime", ("2030-01-01T00:00:00Z",))),
            ),
        ),
    )


def _guardrails() -> PolicySpec:
    global_services = ("iam:*", "sts:*", "organizations:*", "cloudfront:*", "route53:*", "support:*")
    return PolicySpec(
        "Guardrails",
        (
            Stmt("OfficeOnly", "Deny", ("*",), conditions=(OFFICE, NOT_VIA_SERVICE)),
            Stmt(
                "Regions",
                "Deny",
                global_services,
                conditions=(Cond("StringNotEquals", "aws:RequestedRegion", REGIONS),),
                not_action=True,
            ),
            Stmt("Tls", "Deny", ("s3:*",), conditions=(Cond("Bool", "aws:SecureTransport", ("false",)),)),
            Stmt(
                "Suspended",
                "Deny",
                ("*",),
                conditions=(Cond("StringEquals", "aws:PrincipalTag/suspended", ("true",)),),
            ),
            Stmt(
                "MfaForIam",
                "Deny",
                ("iam:*", "organizations:*"),
                conditions=(Cond("BoolIfExists", "aws:MultiFactorAuthPresent", ("false",)),),
            ),
            Stmt(
                "NoTrailChanges",
                "Deny",
                ("cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail"),
            ),
            Stmt(
                "NoUntaggedKeys",
                "Deny",
                ("kms:CreateKey",),
                conditions=(Cond("Null", "aws:RequestTag/team", ("true",)),),
            ),
            Stmt("NoRootLikeIam", "Deny", ("iam:CreateUser", "iam:AttachUserPolicy", "iam:PutUserPolicy")),
        ),
    )


def _self_service() -> PolicySpec:
    me = Res(f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}", (("name", "aws:username"),))
    return PolicySpec(
        "SelfService",
        (
            Stmt("ReadSelf", "Allow", ("iam:GetUser", "iam:ListAccessKeys", "iam:ListGroupsForUser"), (me,)),
            Stmt("Password", "Allow", ("iam:ChangePassword", "iam:GetLoginProfile"), (me,)),
            Stmt(
                "OwnKeys",
                "Allow",
                ("iam:CreateAccessKey", "iam:UpdateAccessKey", "iam:DeleteAccessKey"),
                (me,),
            ),
            Stmt(
                "OwnMfa",
                "Allow",
                ("iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ResyncMFADevice"),
                (Res(f"arn:aws:iam::{ACCOUNT}:mfa/${{aws:username}}", (("name", "aws:username"),)),),
            ),
            Stmt("WhoAmI", "Allow", ("sts:GetCallerIdentity",)),
            Stmt(
                "TeamRoles",
                "Allow",
                ("sts:AssumeRole",),
                (Res(f"arn:aws:iam::{ACCOUNT}:role/team-*"),),
                (SAME_TEAM,),
            ),
            Stmt("AccountInfo", "Allow", ("iam:GetAccountSummary", "iam:ListAccountAliases")),
            Stmt(
                "RecentMfaForKeys",
                "Deny",
                ("iam:CreateAccessKey",),
                conditions=(Cond("NumericGreaterThanIfExists", "aws:MultiFactorAuthAge", ("3600",)),),
            ),
        ),
    )


def small() -> Workload:
    addresses = [f"10.{i // 250 % 250}.{i % 250}.{7 + i % 200}" for i in range(POOL)]
    hit = tuple(
        Target(
            "s3:GetObject", f"arn:aws:s3:::corp-data/home/{USER}/reports/{i:04d}.csv", {"owner": USER}, {}, ip
        )
        for i, ip in enumerate(addresses)
    )
    miss = tuple(
        Target(
            "s3:GetObject", f"arn:aws:s3:::corp-data/home/bob/reports/{i:04d}.csv", {"owner": "bob"}, {}, ip
        )
        for i, ip in enumerate(addresses)
    )
    policies = (_s3(), _kms_secrets(), _compute(), _guardrails(), _self_service())
    return Workload("small", policies, hit, miss)


# --- large: 1,000 single-statement policies in scope -------------------------------------------------------

SERVICES: dict[str, tuple[tuple[str, ...], str]] = {
    # service: (actions, resource ARN template with {team})
    "s3": (
        ("GetObject", "PutObject", "DeleteObject", "ListBucket", "GetObjectTagging"),
        "arn:aws:s3:::{team}-data/*",
    ),
    "dynamodb": (
        ("GetItem", "PutItem", "Query", "Scan", "UpdateItem"),
        f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{{team}}-*",
    ),
    "kms": (
        ("Decrypt", "Encrypt", "GenerateDataKey", "DescribeKey"),
        f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{{team}}-*",
    ),
    "secretsmanager": (
        ("GetSecretValue", "DescribeSecret", "PutSecretValue"),
        f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{{team}}/*",
    ),
    "sqs": (
        ("SendMessage", "ReceiveMessage", "DeleteMessage", "GetQueueAttributes"),
        f"arn:aws:sqs:{REGION}:{ACCOUNT}:{{team}}-*",
    ),
    "sns": (("Publish", "Subscribe", "GetTopicAttributes"), f"arn:aws:sns:{REGION}:{ACCOUNT}:{{team}}-*"),
    "lambda": (
        ("InvokeFunction", "GetFunction", "UpdateFunctionCode"),
        f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{{team}}-*",
    ),
    "ssm": (
        ("GetParameter", "GetParameters", "PutParameter"),
        f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/{{team}}/*",
    ),
    "logs": (
        ("PutLogEvents", "CreateLogStream", "GetLogEvents"),
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/{{team}}/*",
    ),
    "ec2": (
        ("StartInstances", "StopInstances", "RebootInstances"),
        f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/*",
    ),
    "states": (
        ("StartExecution", "DescribeExecution"),
        f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{{team}}-*",
    ),
    "events": (("PutEvents", "PutRule"), f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{{team}}-*"),
}
LARGE_POLICIES = 1000
MISS_TEAM = "team-9999"


def _large_statement(number: int, rng: random.Random) -> Stmt:
    service = list(SERVICES)[number % len(SERVICES)]
    actions, template = SERVICES[service]
    team = f"team-{number:04d}"
    chosen = rng.sample(actions, rng.randint(1, min(3, len(actions))))
    patterns = [f"{service}:{action}" for action in chosen]
    if rng.random() < 0.2:
        patterns.append(f"{service}:Get*")
    resources = (Res(template.format(team=team)),)
    conditions: tuple[Cond, ...] = ()
    roll = rng.random()
    if roll < 0.15:
        conditions = (Cond("StringEquals", "aws:RequestedRegion", (REGION, "eu-west-1")),)
    elif roll < 0.25:
        conditions = (Cond("IpAddress", "aws:SourceIp", ("10.0.0.0/8",)),)
    elif roll < 0.30:
        conditions = (Cond("StringEquals", "aws:ResourceTag/team", ("${aws:PrincipalTag/team}",)),)
    effect = "Deny" if rng.random() < 0.08 else "Allow"
    return Stmt(f"Team{number:04d}", effect, tuple(patterns), resources, conditions)


def large() -> Workload:
    rng = random.Random(20261128)
    policies = tuple(
        PolicySpec(f"arn:aws:iam::{ACCOUNT}:policy/team-{n:04d}", (_large_statement(n, rng),))
        for n in range(LARGE_POLICIES)
    )
    # the hit: the first unconditional Allow past the 700th policy, so most of the set comes before it
    number = next(n for n in range(700, LARGE_POLICIES) if _unconditional_allow(policies[n].statements[0]))
    service, action = policies[number].statements[0].actions[0].split(":")
    _, template = SERVICES[service]
    hit = tuple(_large_target(f"{service}:{action}", template, f"team-{number:04d}", i) for i in range(POOL))
    miss = tuple(_large_target(f"{service}:{action}", template, MISS_TEAM, i) for i in range(POOL))
    return Workload("large", policies, hit, miss)


def _unconditional_allow(statement: Stmt) -> bool:
    return statement.effect == "Allow" and not statement.conditions and "*" not in statement.actions[0]


def _large_target(action: str, template: str, team: str, number: int) -> Target:
    arn = template.format(team=team).replace("*", f"item-{number:04d}")
    return Target(action, arn, {}, {"team": team}, f"10.2.{number // 250}.{number % 250 + 1}")


# --- the IAM request context, as the gateway fills it ------------------------------------------------------


def iam_context(target: Target) -> dict[str, tuple[str, ...]]:
    context: dict[str, tuple[str, ...]] = {
        "aws:principalarn": (PRINCIPAL_ARN,),
        "aws:principalaccount": (ACCOUNT,),
        "aws:principaltype": ("User",),
        "aws:userid": ("AIDAEXAMPLEALICE0001",),
        "aws:username": (USER,),
        "aws:principaltag/team": (TEAM,),
        "aws:principaltag/costcenter": ("cc-42",),
        "aws:sourceip": (target.source_ip,),
        "aws:securetransport": ("true",),
        "aws:currenttime": ("2026-11-18T09:46:40Z",),
        "aws:epochtime": (str(NOW_EPOCH),),
        "aws:requestedregion": (REGION,),
        "aws:viaawsservice": ("false",),
        "aws:multifactorauthpresent": ("true",),
        "aws:multifactorauthage": ("300",),
    }
    for key, value in target.tags.items():
        context[f"aws:resourcetag/{key}"] = (value,)
    for key, value in target.extra.items():
        context[key.lower()] = tuple(value) if isinstance(value, list | tuple) else (str(value),)
    return context

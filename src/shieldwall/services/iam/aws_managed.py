"""The AWS managed policies shieldwall knows, with their real documents.

`data/aws_managed_policies.json` holds, per policy, the metadata `ListPolicies`/`GetPolicy` report and the
document of its default version as AWS publishes it (AWS Managed Policy Reference Guide; the documents were taken
from the MAMIP archive of `iam get-policy-version` output, zoph-io/MAMIP, and spot-checked against the guide).
Descriptions are included where the guide's text was checked. The catalogue is the same in every account; each
policy has exactly one version here, its current default. The file is read on first use and every document is
compiled at most once per process.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

from shieldwall import arn
from shieldwall.clock import parse_iso8601

AWS_ACCOUNT = "aws"
_DATA = "data/aws_managed_policies.json"


@dataclass(frozen=True, slots=True)
class AwsManagedPolicy:
    name: str
    policy_id: str
    path: str
    default_version: str
    create_date: datetime
    update_date: datetime
    description: str | None
    document: str

    def arn(self, partition: str) -> str:
        return arn.build("iam", "", AWS_ACCOUNT, f"policy{self.path}{self.name}", partition)


@functools.cache
def catalogue() -> tuple[AwsManagedPolicy, ...]:
    raw = json.loads(resources.files(__package__).joinpath(_DATA).read_text(encoding="utf-8"))
    return tuple(
        AwsManagedPolicy(
            name=entry["PolicyName"],
            policy_id=entry["PolicyId"],
            path=entry["Path"],
            default_version=entry["DefaultVersionId"],
            create_date=parse_iso8601(entry["CreateDate"]),
            update_date=parse_iso8601(entry["UpdateDate"]),
            description=entry.get("Description"),
            document=json.dumps(entry["Document"]),
        )
        for entry in raw
    )


@functools.cache
def _by_resource() -> dict[str, AwsManagedPolicy]:
    return {f"policy{policy.path}{policy.name}": policy for policy in catalogue()}


def find(policy_arn: str) -> AwsManagedPolicy | None:
    """The AWS managed policy `policy_arn` names (`arn:<partition>:iam::aws:policy/<path><name>`), if known."""
    try:
        parsed = arn.parse(policy_arn)
    except ValueError:
        return None
    if parsed.service != "iam" or parsed.account != AWS_ACCOUNT or parsed.region:
        return None
    return _by_resource().get(parsed.resource)


def is_aws_arn(policy_arn: str) -> bool:
    return policy_arn.split(":", 5)[4:5] == [AWS_ACCOUNT]

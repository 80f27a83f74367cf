"""The only place that builds and splits ARNs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def build(service: str, region: str, account: str, resource: str, partition: str = "aws") -> str:
    return str(Arn(partition, service, region, account, resource))


def parse(text: str) -> Arn:
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        raise ValueError(f"not an ARN: `{text}`")
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def root_arn(account: str, partition: str = "aws") -> str:
    return build("iam", "", account, "root", partition)

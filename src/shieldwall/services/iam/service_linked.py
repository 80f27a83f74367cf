"""Service-linked roles: a role that an AWS service defines and assumes, created under
`/aws-service-role/<service principal>/` with a trust policy naming that service.

Only the services shieldwall serves that have service-linked roles are known here; their role names are AWS's.
Deletion is immediate here (AWS first asks the service whether it still uses the role), so the deletion task it
returns has already SUCCEEDED.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from shieldwall import ids
from shieldwall.services.base import Call, Params
from shieldwall.services.iam.common import (
    SERVICE_ROLE_PATH,
    IamBase,
    check_names,
    iam_arn,
    invalid_input,
    no_such_entity,
    now_seconds,
)
from shieldwall.services.iam.lifecycle import release_policies
from shieldwall.services.iam.models import Role
from shieldwall.services.iam.records import DeletionTask
from shieldwall.services.iam.roles import role_output


@dataclass(frozen=True, slots=True)
class ServiceRole:
    service: str
    role_name: str
    custom_suffix: bool = False

    @property
    def path(self) -> str:
        return f"{SERVICE_ROLE_PATH}{self.service}/"


SERVICE_ROLES: dict[str, ServiceRole] = {
    role.service: role
    for role in (
        ServiceRole("organizations.amazonaws.com", "AWSServiceRoleForOrganizations"),
        ServiceRole("cloudtrail.amazonaws.com", "AWSServiceRoleForCloudTrail"),
        ServiceRole("ssm.amazonaws.com", "AWSServiceRoleForAmazonSSM"),
        ServiceRole("cks.kms.amazonaws.com", "AWSServiceRoleForKeyManagementServiceCustomKeyStores"),
        ServiceRole("mrk.kms.amazonaws.com", "AWSServiceRoleForKeyManagementServiceMultiRegionKeys"),
        ServiceRole("email.cognito-idp.amazonaws.com", "AWSServiceRoleForAmazonCognitoIdpEmailService"),
        ServiceRole("ops.apigateway.amazonaws.com", "AWSServiceRoleForAPIGateway"),
        ServiceRole("replicator.lambda.amazonaws.com", "AWSServiceRoleForLambdaReplicator"),
        ServiceRole("wafv2.amazonaws.com", "AWSServiceRoleForWAFV2Logging"),
        ServiceRole("acm.amazonaws.com", "AWSServiceRoleForCertificateManager"),
    )
}
_TASK_ID = re.compile(r"task/aws-service-role/([^/]+)/([\w+=,.@-]+)/[0-9a-f-]{36}")


def service_role_name(role: ServiceRole, suffix: str | None) -> str:
    return f"{role.role_name}_{suffix}" if suffix else role.role_name


def service_of_role_name(name: str) -> ServiceRole | None:
    """The service whose role `name` (with or without a custom suffix) is."""
    base = name.split("_", 1)[0].lower()
    return next((role for role in SERVICE_ROLES.values() if role.role_name.lower() == base), None)


def role_path_of_task(task_id: str) -> tuple[str, str] | None:
    """(path, role name) of the role a deletion task id names."""
    match = _TASK_ID.fullmatch(task_id)
    if match is None:
        return None
    return f"{SERVICE_ROLE_PATH}{match.group(1)}/", match.group(2)


def trust_policy(service: str) -> str:
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, separators=(",", ":"))


def known_service(name: str) -> ServiceRole:
    role = SERVICE_ROLES.get(name)
    if role is None:
        raise invalid_input(f"Invalid service name: {name}")
    return role


class ServiceLinkedMixin(IamBase):
    def create_service_linked_role(self, call: Call, params: Params) -> Params:
        service, suffix = params["AWSServiceName"], params.get("CustomSuffix")
        check_names(AWSServiceName=service, CustomSuffix=suffix)
        known = known_service(service)
        if suffix and not known.custom_suffix:
            raise invalid_input(f"Custom suffix is not allowed for {service}")
        name = service_role_name(known, suffix)
        with self.store.transaction() as tx:
            if tx.get(call.account_scope, Role, name.lower()) is not None:
                raise invalid_input(
                    f"Service role name {name} has been taken in this account, please try a different suffix."
                )
            role = Role(
                name=name,
                role_id=ids.unique_id("AROA"),
                path=known.path,
                arn=iam_arn(call, "role", known.path, name),
                create_date=now_seconds(call),
                trust_policy=trust_policy(service),
                description=params.get("Description"),
            )
            tx.put(call.account_scope, name.lower(), role)
        return {"Role": role_output(role)}

    def delete_service_linked_role(self, call: Call, params: Params) -> Params:
        name = params["RoleName"]
        check_names(RoleName=name)
        with self.store.transaction() as tx:
            role = self.read_required(tx, call, Role, name, f"The role with name {name} cannot be found.")
            if not role.path.startswith(SERVICE_ROLE_PATH):
                raise invalid_input(f"Role {role.name} is not a service-linked role.")
            service = role.path[len(SERVICE_ROLE_PATH) : -1]
            task_id = f"task/aws-service-role/{service}/{role.name}/{ids.uuid4()}"
            release_policies(tx, call.account_scope, "role", role)
            tx.delete(call.account_scope, Role, role.name.lower())
            tx.put(call.account_scope, task_id, DeletionTask(task_id, role.name, "SUCCEEDED", call.now()))
        return {"DeletionTaskId": task_id}

    def get_service_linked_role_deletion_status(self, call: Call, params: Params) -> Params:
        task_id = params["DeletionTaskId"]
        if role_path_of_task(task_id) is None:
            raise invalid_input(f"Invalid deletion task id: {task_id}")
        with self.store.read() as reader:
            task = reader.get(call.account_scope, DeletionTask, task_id)
        if task is None:
            raise no_such_entity(f"Deletion task {task_id} cannot be found.")
        return {"Status": task.status}

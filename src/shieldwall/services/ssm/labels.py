"""LabelParameterVersion and UnlabelParameterVersion ("Working with parameter labels").

A label names one version of a parameter: attaching it to another version moves it. A version holds at most 10
labels. A label that breaks the rules (`names.is_valid_label`) is not attached and comes back in InvalidLabels.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from shieldwall.services.base import Call, Params
from shieldwall.services.ssm import errors
from shieldwall.services.ssm.common import SsmBase
from shieldwall.services.ssm.models import Parameter
from shieldwall.services.ssm.names import check_name, is_valid_label
from shieldwall.services.ssm.records import fresh, read_parameter, read_version, save
from shieldwall.store.base import Scope, Transaction

MAX_LABELS = 10


class LabelsMixin(SsmBase):
    def label_parameter_version(self, call: Call, params: Params) -> Params:
        name = check_name(params["Name"], call)
        labels = list(dict.fromkeys(params["Labels"]))
        valid = [label for label in labels if is_valid_label(label)]
        with self._labelling(call, name) as (tx, parameter):
            number = params.get("ParameterVersion") or parameter.version
            _require_version(tx, call.regional_scope, parameter, number)
            attached = set(parameter.labels_of(number)) | set(valid)
            if len(attached) > MAX_LABELS:
                raise errors.label_limit()
            for label in valid:
                parameter.labels[label] = number
            save(tx, call.regional_scope, parameter)
        return {
            "InvalidLabels": [label for label in labels if label not in valid],
            "ParameterVersion": number,
        }

    def unlabel_parameter_version(self, call: Call, params: Params) -> Params:
        name = check_name(params["Name"], call)
        number = params["ParameterVersion"]
        removed: list[str] = []
        invalid: list[str] = []
        with self._labelling(call, name) as (tx, parameter):
            _require_version(tx, call.regional_scope, parameter, number)
            for label in dict.fromkeys(params["Labels"]):
                if parameter.labels.get(label) == number:
                    del parameter.labels[label]
                    removed.append(label)
                else:
                    invalid.append(label)
            save(tx, call.regional_scope, parameter)
        return {"RemovedLabels": removed, "InvalidLabels": invalid}

    @contextmanager
    def _labelling(self, call: Call, name: str) -> Iterator[tuple[Transaction, Parameter]]:
        """A transaction over the parameter `name`, which must exist."""
        scope = call.regional_scope
        if self.settled(call, read_parameter(self.store, scope, name)) is None:
            raise errors.not_found(name)
        with self.store.transaction() as tx:
            parameter = fresh(tx, scope, name)
            if parameter is None:
                raise errors.not_found(name)
            yield tx, parameter


def _require_version(tx: Transaction, scope: Scope, parameter: Parameter, number: int) -> None:
    if read_version(tx, scope, parameter, number) is None:
        raise errors.version_not_found(parameter.name, number)

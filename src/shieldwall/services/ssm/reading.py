"""GetParameter, GetParameters, GetParametersByPath and GetParameterHistory.

Without WithDecryption a SecureString's Value is its ciphertext in base64, as AWS returns it; with it, the value
is decrypted through KMS (the authorization rule has already required kms:Decrypt for each one) and the KMS
Decrypt call is recorded in the audit trail with `invokedBy` ssm.amazonaws.com.
"""

from __future__ import annotations

from shieldwall.errors import AwsError
from shieldwall.services.base import Call, Params
from shieldwall.services.ssm import errors, filters, listing
from shieldwall.services.ssm.common import SsmBase, decode_token, encode_token, history_entry, parameter_entry
from shieldwall.services.ssm.names import check_path, select
from shieldwall.services.ssm.records import selected_version

BY_PATH_PAGE = 10
HISTORY_PAGE = 50


class ReadingMixin(SsmBase):
    def get_parameter(self, call: Call, params: Params) -> Params:
        selected = select(params["Name"], call)
        parameter = self.found(call, selected)
        if parameter is None:
            raise errors.not_found()
        version = selected_version(self.store, call.regional_scope, parameter, selected)
        value = self.value_of(call, parameter, version, bool(params.get("WithDecryption")))
        return {"Parameter": parameter_entry(parameter, version, value, selected.selector)}

    def get_parameters(self, call: Call, params: Params) -> Params:
        found: list[Params] = []
        invalid: list[str] = []
        decrypt = bool(params.get("WithDecryption"))
        for raw in dict.fromkeys(params["Names"]):
            try:
                selected = select(raw, call)
                parameter = self.found(call, selected)
                if parameter is None:
                    raise errors.not_found()
                version = selected_version(self.store, call.regional_scope, parameter, selected)
            except AwsError as error:
                if error.code not in ("ValidationException", "ParameterNotFound", "ParameterVersionNotFound"):
                    raise
                invalid.append(raw)
                continue
            value = self.value_of(call, parameter, version, decrypt)
            found.append(parameter_entry(parameter, version, value, selected.selector))
        found.sort(key=lambda entry: str(entry["Name"]))
        return {"Parameters": found, "InvalidParameters": invalid}

    def get_parameters_by_path(self, call: Call, params: Params) -> Params:
        path = check_path(params["Path"])
        chosen = filters.path_filters(params.get("ParameterFilters"))
        after = decode_token(params.get("NextToken"))
        limit = params.get("MaxResults") or BY_PATH_PAGE
        with self.store.read() as reader:
            page = listing.path_page(
                reader, call.regional_scope, path, bool(params.get("Recursive")), chosen, after, limit
            )
        decrypt = bool(params.get("WithDecryption"))
        shown = []
        for parameter, version in page.items:
            if self.settled(call, parameter) is None:
                continue
            shown.append(
                parameter_entry(parameter, version, self.value_of(call, parameter, version, decrypt))
            )
        out: Params = {"Parameters": shown}
        if page.next_after is not None:
            out["NextToken"] = encode_token(page.next_after)
        return out

    def get_parameter_history(self, call: Call, params: Params) -> Params:
        selected = select(params["Name"], call)
        parameter = self.found(call, selected)
        if selected.selector is not None:
            raise errors.invalid_name()
        if parameter is None:
            raise errors.not_found(params["Name"])
        after = _version_token(params.get("NextToken"))
        limit = params.get("MaxResults") or HISTORY_PAGE
        with self.store.read() as reader:
            versions, following = listing.history_page(reader, call.regional_scope, parameter, after, limit)
        decrypt = bool(params.get("WithDecryption"))
        shown = [
            history_entry(parameter, version, self.value_of(call, parameter, version, decrypt))
            for version in versions
        ]
        out: Params = {"Parameters": shown}
        if following is not None:
            out["NextToken"] = encode_token(str(following))
        return out


def _version_token(token: str | None) -> int:
    after = decode_token(token)
    if not after:
        return 0
    if not after.isdigit():
        raise errors.invalid_next_token()
    return int(after)

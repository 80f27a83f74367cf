"""Asserting what an AWS client observes when a call fails."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def aws_error(call: Callable[..., Any], **kwargs: Any) -> tuple[str, int, str]:
    """(error code, HTTP status, message) of the AWS error `call(**kwargs)` answers; AssertionError when it
    succeeds. `call` is a boto3 client method: `aws_error(iam.get_user, UserName="nobody")`."""
    import botocore.exceptions

    try:
        call(**kwargs)
    except botocore.exceptions.ClientError as error:
        response = error.response
        return (
            str(response["Error"]["Code"]),
            int(response["ResponseMetadata"]["HTTPStatusCode"]),
            str(response["Error"].get("Message", "")),
        )
    raise AssertionError(f"{getattr(call, '__name__', call)} succeeded; an AWS error was expected")

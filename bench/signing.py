"""The workload: one STS GetCallerIdentity request, signed once with botocore's SigV4Auth and replayed.

A SigV4 signature stays valid for 15 minutes from its X-Amz-Date, and nothing in the query protocol makes
a request single-use, so replaying the same bytes is what AWS itself would accept.
"""

from __future__ import annotations

from dataclasses import dataclass

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ACCESS_KEY = "test"
SECRET_KEY = "test"
REGION = "us-east-1"
BODY = b"Action=GetCallerIdentity&Version=2011-06-15"
CONTENT_TYPE = "application/x-www-form-urlencoded; charset=utf-8"


@dataclass(frozen=True, slots=True)
class SignedRequest:
    host: str
    port: int
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def authority(self) -> str:
        return f"{self.host}:{self.port}"

    def wire_bytes(self) -> bytes:
        """The whole HTTP/1.1 request (keep-alive), ready to write to a socket as many times as needed."""
        lines = [f"{self.method} {self.path} HTTP/1.1"]
        lines += [f"{name}: {value}" for name, value in self.headers]
        head = "\r\n".join(lines) + "\r\n\r\n"
        return head.encode("ascii") + self.body


def sign_get_caller_identity(host: str, port: int) -> SignedRequest:
    url = f"http://{host}:{port}/"
    request = AWSRequest(method="POST", url=url, data=BODY, headers={"Content-Type": CONTENT_TYPE})
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "sts", REGION).add_auth(request)
    headers = [("Host", f"{host}:{port}")]
    headers += [(str(name), str(value)) for name, value in request.headers.items()]
    headers.append(("Content-Length", str(len(BODY))))
    return SignedRequest(host, port, "POST", "/", tuple(headers), BODY)

"""uvicorn's own refusals as problem documents.

A request uvicorn cannot parse (a Content-Length that is not a number, a control byte
in a header, a malformed request line) never reaches the app: uvicorn answers it itself
with ``400`` and ``text/plain`` "Invalid HTTP request received.". uvicorn has no hook
for that answer, but it takes the HTTP protocol class as a setting (``http=``, a class
or an import string), and both of its HTTP/1.1 protocols write the answer in one method,
``send_400_response``. The classes here override that method only, so the answer is a
problem document like every other error: ``application/problem+json``, code 5, a
``traceId`` and ``X-Trace-Id`` (a new trace: the headers were not read).

``workledger serve`` uses :data:`PROTOCOL`. A server started another way (``uvicorn
workledger.app:create_app --factory`` without ``--http workledger.kit.protocol:PROTOCOL``,
gunicorn's uvicorn worker) keeps uvicorn's plain-text answer.
"""

from __future__ import annotations

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from workledger.kit.problems import PROBLEM_MEDIA_TYPE, BodyNotParsed
from workledger.kit.trace import new_traceparent

try:  # uvicorn's "auto" prefers httptools when it is installed; so do we
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - httptools is part of uvicorn[standard]
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

try:
    import orjson

    def _dumps(body: dict) -> bytes:
        return orjson.dumps(body)
except ImportError:  # pragma: no cover
    import json

    def _dumps(body: dict) -> bytes:
        return json.dumps(body).encode()

DETAIL = ("The HTTP request could not be parsed: check the request line, the header "
          "fields and Content-Length.")


def protocol_problem() -> tuple[list[tuple[bytes, bytes]], bytes]:
    """The headers and body of the answer to an unparsable request."""
    trace = new_traceparent()
    body = BodyNotParsed(DETAIL).body()
    body["traceId"] = trace  # this callback runs outside any request's trace context
    content = _dumps(body)
    headers = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(content)).encode()),
        (b"x-trace-id", trace.encode()),
        (b"connection", b"close"),
    ]
    return headers, content


class ProblemH11Protocol(H11Protocol):
    def send_400_response(self, msg: str) -> None:
        headers, content = protocol_problem()
        self.transport.write(self.conn.send(
            h11.Response(status_code=400, headers=headers, reason=b"Bad Request")
        ))
        self.transport.write(self.conn.send(h11.Data(data=content)))
        self.transport.write(self.conn.send(h11.EndOfMessage()))
        self.transport.close()


if HttpToolsProtocol is not None:

    class ProblemHttpToolsProtocol(HttpToolsProtocol):
        def send_400_response(self, msg: str) -> None:
            headers, content = protocol_problem()
            lines = [b"HTTP/1.1 400 Bad Request\r\n"]
            lines.extend(name + b": " + value + b"\r\n"
                         for name, value in self.server_state.default_headers)
            lines.extend(name + b": " + value + b"\r\n" for name, value in headers)
            self.transport.write(b"".join([*lines, b"\r\n", content]))
            self.transport.close()

    PROTOCOL: type = ProblemHttpToolsProtocol
else:  # pragma: no cover
    PROTOCOL = ProblemH11Protocol

#: What ``workledger serve`` hands to uvicorn as ``http=``.
PROTOCOL_PATH = "workledger.kit.protocol:PROTOCOL"

"""One HTTP POST of a delivery, with a short timeout, never following a redirect: what came back, or why
nothing did. (http.client rather than urllib: urllib rewrites header names as X-marops-event.)"""

import http.client
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

RESPONSE_KEPT = 500  # bytes of the answer kept in the delivery log


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    duration_ms: int
    response_start: str = ""
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def worth_retrying(self) -> bool:
        """Network errors, timeouts and 5xx may pass; a 4xx (or a redirect) says the request itself is wrong."""
        return self.status_code is None or self.status_code >= 500


def _text(start: bytes) -> str:
    # The log keeps text: bytes that are not UTF-8, and NUL (which PostgreSQL's text refuses), are replaced.
    return start.decode("utf-8", "replace").replace("\x00", "\ufffd")


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        context = ssl.create_default_context()
        connection = http.client.HTTPSConnection(parts.hostname or "", parts.port, timeout=timeout, context=context)
    else:
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    started = time.monotonic()

    def took() -> int:
        return round((time.monotonic() - started) * 1000)

    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, took(), _text(response.read(RESPONSE_KEPT)))
    except TimeoutError:
        return Answer(None, took(), error=f"No answer within {timeout:g} s (timed out).")
    except ssl.SSLError as failed:
        return Answer(None, took(), error=f"The TLS handshake failed: {failed.reason or failed}.")
    except ConnectionRefusedError:
        return Answer(None, took(), error=f"Could not connect: {parts.hostname} refused the connection.")
    except OSError as failed:  # no such host, unreachable, reset
        return Answer(None, took(), error=f"Could not connect: {failed.strerror or failed}.")
    except (http.client.HTTPException, ValueError) as failed:  # a malformed answer
        return Answer(None, took(), error=f"The answer was not valid HTTP: {type(failed).__name__}.")
    finally:
        connection.close()

"""An example receiver of MarOps webhooks: it checks the signature and the replay window, then prints
the event. Standard library only, so it can be copied into any Python service.

    MAROPS_WEBHOOK_SECRET=whsec_... python example_receiver.py 8080

MarOps sends `X-MarOps-Signature: t=<unix seconds>,v1=<hex>`, where <hex> is HMAC-SHA256, keyed by the
endpoint's secret, of the timestamp, a full stop and the raw request body. Check it on the raw bytes
(before parsing the JSON), compare in constant time, and refuse a timestamp older (or newer) than five
minutes: a captured request replayed later is then refused. `X-MarOps-Delivery` is the same on every
retry of one delivery: remember the ones you have handled to ignore repeats.
"""

import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

REPLAY_WINDOW_SECONDS = 5 * 60


class InvalidSignature(Exception):
    pass


def verify(*, secret: str, header: str, body: bytes, now: float | None = None) -> int:
    """Check an X-MarOps-Signature header against the raw body; return its timestamp or raise
    InvalidSignature saying why."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    if "t" not in parts or "v1" not in parts or not parts["t"].isdigit():
        raise InvalidSignature("The header is not t=<timestamp>,v1=<signature>.")
    timestamp = int(parts["t"])
    if abs((time.time() if now is None else now) - timestamp) > REPLAY_WINDOW_SECONDS:
        raise InvalidSignature("The timestamp is outside the five-minute replay window.")
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, parts["v1"]):
        raise InvalidSignature("The signature does not match the body.")
    return timestamp


class Receiver(BaseHTTPRequestHandler):
    secret = os.environ.get("MAROPS_WEBHOOK_SECRET", "")
    seen: set[str] = set()

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            verify(secret=self.secret, header=self.headers.get("X-MarOps-Signature", ""), body=body)
        except InvalidSignature as refused:
            self.send_response(400)  # a 4xx is not retried
            self.end_headers()
            self.wfile.write(str(refused).encode())
            return
        delivery = self.headers.get("X-MarOps-Delivery", "")
        if delivery not in self.seen:
            self.seen.add(delivery)
            event = json.loads(body)
            print(event["event"], (event.get("subject") or {}).get("title", ""), flush=True)
        self.send_response(204)
        self.end_headers()


if __name__ == "__main__":
    HTTPServer(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 8080), Receiver).serve_forever()

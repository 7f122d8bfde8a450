"""How MarOps signs a delivery (docs/webhooks.md; webhooks/example_receiver.py checks it).

X-MarOps-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by the secret>
"""

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "X-MarOps-Signature"
EVENT_HEADER = "X-MarOps-Event"
DELIVERY_HEADER = "X-MarOps-Delivery"
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_hex(24)


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The X-MarOps-Signature header's value for `body` sent at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"

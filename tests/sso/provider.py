"""A small, real OpenID Connect provider on 127.0.0.1 for the single sign-on tests.

It speaks HTTP like any provider: discovery, JWKS, /authorize (which signs in `provider.user` without
asking, and redirects back with a code), /token (client secret and PKCE checked; an RS256 id_token signed
with PyJWT) and /userinfo. `provider.audience` and `provider.sign_with_stranger_key` make it issue the bad
tokens the refusal tests need.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

KID = "marops-test-key"


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Provider:
    client_id: str = "marops"
    client_secret: str = "marops-secret"
    user: dict[str, Any] = field(default_factory=dict)  # the claims of whoever "signs in"
    audience: str | None = None  # None: the client id (a wrong one makes a token for someone else)
    sign_with_stranger_key: bool = False  # sign with a key that is not in the JWKS (same kid)
    key: rsa.RSAPrivateKey = field(default_factory=_new_key)
    stranger_key: rsa.RSAPrivateKey = field(default_factory=_new_key)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def issuer(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self) -> dict[str, Any]:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]}

    def id_token(self, nonce: str | None) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.audience or self.client_id,
            "iat": now,
            "exp": now + 300,
            **self.user,
        }
        if nonce is not None:
            claims["nonce"] = nonce
        key = self.stranger_key if self.sign_with_stranger_key else self.key
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID})

    def start(self) -> "Provider":
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def reply(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlparse(self.path)
                query = {key: values[0] for key, values in parse_qs(url.query).items()}
                provider.requests.append(url.path)
                if url.path == "/.well-known/openid-configuration":
                    return self.reply(200, provider.discovery())
                if url.path == "/jwks":
                    return self.reply(200, provider.jwks())
                if url.path == "/authorize":
                    if query.get("client_id") != provider.client_id or query.get("response_type") != "code":
                        return self.reply(400, {"error": "invalid_request"})
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = query
                    location = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
                    self.send_response(302)
                    self.send_header("Location", location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if token not in provider.tokens:
                        return self.reply(401, {"error": "invalid_token"})
                    return self.reply(200, provider.tokens[token])
                return self.reply(404, {"error": "not_found"})

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
                form = {key: values[0] for key, values in parse_qs(body).items()}
                provider.requests.append(self.path)
                if self.path != "/token":
                    return self.reply(404, {"error": "not_found"})
                request = provider.codes.pop(form.get("code", ""), None)
                if (
                    request is None
                    or form.get("client_id") != provider.client_id
                    or form.get("client_secret") != provider.client_secret
                    or form.get("redirect_uri") != request["redirect_uri"]
                ):
                    return self.reply(400, {"error": "invalid_grant"})
                if "code_challenge" in request:
                    digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
                    if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != request["code_challenge"]:
                        return self.reply(400, {"error": "invalid_grant", "error_description": "PKCE"})
                access_token = secrets.token_urlsafe(16)
                provider.tokens[access_token] = dict(provider.user)
                return self.reply(
                    200,
                    {
                        "access_token": access_token,
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "id_token": provider.id_token(request.get("nonce")),
                    },
                )

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

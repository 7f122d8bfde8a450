"""One HTTP POST of a delivery, with a short timeout, never following a redirect: what came back, or why
nothing did. (http.client rather than urllib: urllib rewrites header names as X-marops-event.)

Unless MAROPS_WEBHOOK_ALLOW_PRIVATE is on, a webhook never reaches an address inside the network (cloud
metadata, 10.x, 127.0.0.1…): the host name is resolved once, every address it gave is checked, and the
connection goes to those addresses only, the name kept for the Host header and TLS (SNI and certificate),
so a name that answers differently a moment later (DNS rebinding) still reaches nothing it was not
checked for."""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

RESPONSE_KEPT = 500  # bytes of the answer kept in the delivery log

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Sockaddr = tuple[str, int] | tuple[str, int, int, int] | tuple[int, bytes]  # getaddrinfo's
Resolved = list[tuple[socket.AddressFamily, Sockaddr]]

NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # an IPv4 address behind a NAT64 gateway


def non_public(address: IPAddress) -> str | None:
    """Why `address` is inside a network rather than on the internet ("a loopback address"…), or None
    when it is public. An IPv4 address inside an IPv6 one (mapped, 6to4, NAT64) is judged as itself."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and address in NAT64:
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None:
            return non_public(inner)
    if address.is_loopback:
        return "a loopback address (this machine)"
    if address.is_link_local:
        return "a link-local address (where cloud metadata services answer)"
    if address.is_multicast:
        return "a multicast address"
    if address.is_unspecified:
        return "an unspecified address (this machine)"
    if address.is_private:
        return "a private address"
    if address.is_reserved or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local):
        return "a reserved address"
    if not address.is_global:  # e.g. 100.64.0.0/10, shared by a carrier's NAT
        return "not a public address"
    return None


def resolve(host: str, port: int) -> Resolved:
    """Every address `host` (a name or an IP address in any form) stands for; OSError when none."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [(family, sockaddr) for family, _, _, _, sockaddr in found]


def _address(sockaddr: Sockaddr) -> IPAddress:
    return ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])  # an IPv6 scope ("%eth0") is not the address


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def refusal(host: str, resolved: Resolved) -> str | None:
    """Why MarOps will not send to `host`, given what it resolved to: any non-public address refuses it."""
    for _, sockaddr in resolved:
        address = _address(sockaddr)
        if why := non_public(address):
            said = f"{host} is" if _literal(host) == address else f"{host} resolves to {address},"
            return (
                f"The URL's host {said} {why}: MarOps sends webhooks only to public addresses "
                "(MAROPS_WEBHOOK_ALLOW_PRIVATE is off)."
            )
    return None


def host_refusal(host: str, port: int) -> str | None:
    """For a form: why MarOps will not send to `host` now. A name that does not resolve is not refused
    here (it may not exist yet); its deliveries are checked again when they are sent."""
    try:
        return refusal(host, resolve(host, port))
    except (OSError, ValueError):  # no such host; not a host name at all (too long a label…)
        return None


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    duration_ms: int
    response_start: str = ""
    error: str = ""
    refused: bool = False  # MarOps refused to connect: trying again would change nothing

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def worth_retrying(self) -> bool:
        """Network errors, timeouts and 5xx may pass; a 4xx (or a redirect) says the request itself is wrong."""
        return not self.refused and (self.status_code is None or self.status_code >= 500)


class _Connection(http.client.HTTPConnection):
    """Connects to the addresses already resolved and checked, never looking the name up again; with
    `tls`, wraps the socket for the host name (SNI, and the certificate must be the name's)."""

    def __init__(self, host: str, port: int, *, resolved: Resolved, timeout: float, tls: ssl.SSLContext | None) -> None:
        self.default_port = 443 if tls else 80  # the Host header names the port only when it is not this
        super().__init__(host, port, timeout=timeout)
        self.resolved, self.tls = resolved, tls

    def connect(self) -> None:
        failed: OSError = OSError("no address to connect to")
        for family, sockaddr in self.resolved:
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.settimeout(self.timeout)
                sock.connect(sockaddr)
            except OSError as error:
                sock.close()
                failed = error
                continue
            self.sock = self.tls.wrap_socket(sock, server_hostname=self.host) if self.tls else sock
            return
        raise failed


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float, allow_private: bool) -> Answer:
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    started = time.monotonic()

    def took() -> int:
        return round((time.monotonic() - started) * 1000)

    try:
        resolved = resolve(host, port)
    except OSError as failed:  # no such host
        return Answer(None, took(), error=f"Could not connect: {failed.strerror or failed}.")
    except ValueError:  # too long a label…: it will never resolve
        return Answer(None, took(), error=f"Could not connect: {host} is not a valid host name.", refused=True)
    if not allow_private and (why := refusal(host, resolved)):
        return Answer(None, took(), error=f"Not sent: {why}", refused=True)
    tls = ssl.create_default_context() if parts.scheme == "https" else None
    connection = _Connection(host, port, resolved=resolved, timeout=timeout, tls=tls)
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, took(), _text(response.read(RESPONSE_KEPT)))
    except TimeoutError:
        return Answer(None, took(), error=f"No answer within {timeout:g} s (timed out).")
    except ssl.SSLError as failed:
        return Answer(None, took(), error=f"The TLS handshake failed: {failed.reason or failed}.")
    except ConnectionRefusedError:
        return Answer(None, took(), error=f"Could not connect: {host} refused the connection.")
    except OSError as failed:  # unreachable, reset
        return Answer(None, took(), error=f"Could not connect: {failed.strerror or failed}.")
    except (http.client.HTTPException, ValueError) as failed:  # a malformed answer
        return Answer(None, took(), error=f"The answer was not valid HTTP: {type(failed).__name__}.")
    finally:
        connection.close()


def _text(start: bytes) -> str:
    # The log keeps text: bytes that are not UTF-8, and NUL (which PostgreSQL's text refuses), are replaced.
    return start.decode("utf-8", "replace").replace("\x00", "\ufffd")

"""With MAROPS_WEBHOOK_ALLOW_PRIVATE off (the default; the test settings turn it on for the other tests'
receivers on 127.0.0.1), no webhook reaches an address inside the network: the endpoint form refuses a
URL whose host is, or resolves to, one, and a delivery whose host resolves to one when it is sent is
refused, logged and not retried."""

import pytest

from tests.webhooks.helpers import endpoint_for, incident_logged
from tests.webhooks.receiver import Receiver
from webhooks.models import Attempt, Delivery, Endpoint

pytestmark = pytest.mark.django_db

LIST = "/settings/webhooks/"
NEW = "/settings/webhooks/new/"
WHY = ": MarOps sends webhooks only to public addresses (MAROPS_WEBHOOK_ALLOW_PRIVATE is off)."


def new_endpoint(url: str) -> dict[str, object]:
    return {"name": "Ops bus", "url": url, "kind": "json", "events": ["incident.logged"]}


def page_text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


@pytest.fixture
def private_off(settings):
    settings.MAROPS_WEBHOOK_ALLOW_PRIVATE = False
    return settings


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254 is a link-local address (where cloud metadata services answer)",
        ),
        ("https://10.0.0.1/hooks", "10.0.0.1 is a private address"),
        ("http://[::1]:8080/hooks", "::1 is a loopback address (this machine)"),
        ("http://localhost:8000/hooks", "localhost resolves to 127.0.0.1, a loopback address (this machine)"),
        ("https://192.168.1.20/hooks", "192.168.1.20 is a private address"),
        ("https://[fd12:3456::1]/hooks", "fd12:3456::1 is a private address"),
        ("https://[fe80::1]/hooks", "fe80::1 is a link-local address"),
        ("https://100.64.0.7/hooks", "100.64.0.7 is not a public address"),
        ("https://224.0.0.1/hooks", "224.0.0.1 is a multicast address"),
        ("http://0.0.0.0:8000/hooks", "0.0.0.0 is an unspecified address (this machine)"),
        # The same addresses spelt otherwise: a whole number, an IPv4 address inside an IPv6 one.
        ("http://2130706433/hooks", "2130706433 resolves to 127.0.0.1, a loopback address"),
        ("http://[::ffff:169.254.169.254]/", "::ffff:169.254.169.254 is a link-local address"),
        ("http://[64:ff9b::a9fe:a9fe]/", "64:ff9b::a9fe:a9fe is a link-local address"),
    ],
)
def test_the_form_refuses_an_internal_address_saying_why_and_nothing_is_saved(leader_client, private_off, url, message):
    response = leader_client.post(NEW, new_endpoint(url))
    assert response.status_code == 422
    assert f"URL: The URL's host {message}" in page_text(response) and WHY in page_text(response)
    assert not Endpoint.objects.exists()


def test_editing_an_endpoint_to_an_internal_address_is_refused_and_it_keeps_its_url(leader_client, private_off):
    endpoint = endpoint_for("https://93.184.215.14/hooks")
    response = leader_client.post(f"{LIST}{endpoint.pk}/edit/", new_endpoint("http://169.254.169.254/"))
    assert response.status_code == 422
    assert "URL: The URL's host 169.254.169.254 is a link-local address" in page_text(response)
    endpoint.refresh_from_db()
    assert endpoint.url == "https://93.184.215.14/hooks"


def test_the_form_takes_a_public_address(leader_client, private_off):
    response = leader_client.post(NEW, new_endpoint("https://93.184.215.14/hooks/marops"))
    assert response.status_code == 201
    assert Endpoint.objects.get().url == "https://93.184.215.14/hooks/marops"


def test_with_the_setting_on_the_form_takes_an_internal_address(leader_client, settings):
    settings.MAROPS_WEBHOOK_ALLOW_PRIVATE = True
    assert leader_client.post(NEW, new_endpoint("http://localhost:8080/hooks")).status_code == 201


def test_a_delivery_to_a_name_resolving_to_an_internal_address_is_refused_logged_and_not_retried(
    leader_client, settings, django_capture_on_commit_callbacks
):
    """The endpoint was added while its name pointed elsewhere (or while the setting was on); when the
    delivery is sent the name resolves to 127.0.0.1: nothing reaches the receiver there."""
    settings.MAROPS_WEBHOOK_MAX_RETRIES = 3
    with Receiver(200, body=b"instance secrets") as receiver:
        settings.MAROPS_WEBHOOK_ALLOW_PRIVATE = True
        endpoint = endpoint_for(receiver.url.replace("127.0.0.1", "localhost"))
        settings.MAROPS_WEBHOOK_ALLOW_PRIVATE = False
        incident_logged(django_capture_on_commit_callbacks)
        assert receiver.requests == []
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and delivery.finished_at is not None
    [attempt] = Attempt.objects.all()  # one attempt: no retry, though three were allowed
    assert attempt.status_code is None and attempt.response_start == ""
    assert (
        attempt.error
        == f"Not sent: The URL's host localhost resolves to 127.0.0.1, a loopback address (this machine){WHY}"
    )
    page = page_text(leader_client.get(f"{LIST}{endpoint.pk}/deliveries/"))
    assert "localhost resolves to 127.0.0.1, a loopback address" in page and "instance secrets" not in page


def test_a_test_event_to_an_internal_address_is_refused_too(
    leader_client, settings, django_capture_on_commit_callbacks
):
    with Receiver(200) as receiver:
        settings.MAROPS_WEBHOOK_ALLOW_PRIVATE = True
        endpoint = endpoint_for(receiver.url)
        settings.MAROPS_WEBHOOK_ALLOW_PRIVATE = False
        with django_capture_on_commit_callbacks(execute=True):
            leader_client.post(f"{LIST}{endpoint.pk}/test/")
        assert receiver.requests == []
    [attempt] = Attempt.objects.all()
    assert attempt.error.startswith("Not sent: The URL's host 127.0.0.1 is a loopback address (this machine)")
    assert Delivery.objects.get().status == "failed"


def test_with_the_setting_on_a_delivery_to_the_same_name_is_delivered_with_the_name_as_host(
    settings, django_capture_on_commit_callbacks
):
    settings.MAROPS_WEBHOOK_ALLOW_PRIVATE = True
    with Receiver(200) as receiver:
        url = receiver.url.replace("127.0.0.1", "localhost")
        endpoint_for(url)
        incident_logged(django_capture_on_commit_callbacks)
    [got] = receiver.requests
    assert got.headers["Host"] == url.split("/")[2]  # localhost:<port>: connected to the address, named by the name
    assert Delivery.objects.get().status == "delivered"
    assert [a.status_code for a in Attempt.objects.all()] == [200]


def a_certificate_for_localhost(folder):
    """A self-signed certificate for the name `localhost`, and its key, as PEM files."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


def test_over_https_the_connection_to_the_checked_address_still_names_the_host_for_tls(
    settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    """Connecting to the resolved address keeps TLS honest: the receiver is asked for `localhost` (SNI)
    and its certificate must be `localhost`'s: the same certificate at 127.0.0.1 is refused."""
    import ssl

    settings.MAROPS_WEBHOOK_ALLOW_PRIVATE, settings.MAROPS_WEBHOOK_MAX_RETRIES = True, 0
    cert_file, key_file = a_certificate_for_localhost(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))  # MarOps trusts this certificate, as a CA
    asked_for = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    context.sni_callback = lambda _socket, name, _context: asked_for.append(name)
    with Receiver(200) as receiver:
        receiver.server.socket = context.wrap_socket(receiver.server.socket, server_side=True)
        by_name = endpoint_for(receiver.url.replace("http://127.0.0.1", "https://localhost"), name="By name")
        by_address = endpoint_for(receiver.url.replace("http://", "https://"), name="By address")
        incident_logged(django_capture_on_commit_callbacks)
        assert len(receiver.requests) == 1
    assert "localhost" in asked_for
    assert Delivery.objects.get(endpoint=by_name).status == "delivered"
    [refused] = Attempt.objects.filter(delivery__endpoint=by_address)
    assert refused.error.startswith("The TLS handshake failed") and "CERTIFICATE_VERIFY_FAILED" in refused.error

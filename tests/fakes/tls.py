"""A throwaway self-signed certificate for the local fakes served over HTTPS.

    cert = self_signed(tmp_path)                 # for 127.0.0.1 and localhost
    FakeOdoo("17.0", tls=(cert.certfile, cert.keyfile))
    SSL_CERT_FILE=<cert.certfile> odoo-outlook sync ...   # how a user trusts a private CA

The certificate is its own CA (basicConstraints CA:TRUE), so OpenSSL accepts it as a trust
anchor through `SSL_CERT_FILE`; its subject alternative names decide which host names match.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class SelfSigned:
    certfile: str
    keyfile: str


def self_signed(
    directory: Path, *, names: tuple[str, ...] = ("127.0.0.1", "localhost")
) -> SelfSigned:
    """Write `cert.pem` and `key.pem` into `directory`: valid for one day, for `names`
    (IP addresses become IP SANs, the rest DNS SANs)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "odoo-outlook test")])
    sans: list[x509.GeneralName] = []
    for name in names:
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            sans.append(x509.DNSName(name))
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    certfile, keyfile = directory / "cert.pem", directory / "key.pem"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return SelfSigned(str(certfile), str(keyfile))

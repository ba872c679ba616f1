#!/usr/bin/env python3
"""Development TLS material for the NATS cluster and the county leaf nodes.

    python deploy/nats/cluster/make-dev-certs.py OUT_DIR [--county 440781 ...] [--extra-name NAME ...]

writes into OUT_DIR (created, mode 0700):

    ca.pem                    the development CA certificate (clients and servers trust it)
    ca-key.pem                its private key (keep it out of git; needed only to issue more)
    nats-1.pem/-key.pem ...   one certificate per cluster node; usable as server (client port,
                              routes, leaf-node port) and as client (routes are mutual TLS)
    leaf-<county>.pem/-key.pem one per county leaf node: server for the county's local clients,
                              client towards the hub's leaf-node port (mutual TLS)

Every node certificate names nats-<n>, the in-cluster names of the Helm release
(nats, nats-<n>.nats-headless, *.svc, ...), localhost and 127.0.0.1, so the same files serve the
tests on loopback, docker compose and the chart. Keys are EC P-256, certificates last 397 days.

This is for development and tests only: production certificates come from the province's CA
(or cert-manager in Kubernetes), with the same names and extended key usages. Private keys are
never committed: OUT_DIR defaults to deploy/nats/cluster/certs/, which .gitignore excludes.

Needs the `cryptography` package (pip install cryptography).
"""

from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NODES = ("nats-1", "nats-2", "nats-3")
# Names a client may use for the cluster: compose/VM host names, the Helm release's services
# (release "shishi", namespace "shishi" by default; add others with --extra-name).
SHARED_NAMES = (
    "nats",
    "nats.shishi.svc",
    "nats.shishi.svc.cluster.local",
    "shishi-nats",
    "shishi-nats.shishi.svc",
    "shishi-nats.shishi.svc.cluster.local",
    "*.shishi-nats-headless",
    "*.shishi-nats-headless.shishi.svc",
    "*.shishi-nats-headless.shishi.svc.cluster.local",
    "localhost",
)
LOOPBACK = ("127.0.0.1", "::1")
VALIDITY = dt.timedelta(days=397)


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    data = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _write_cert(path: Path, cert: x509.Certificate) -> None:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def make_ca(out: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = _key()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Shishi development"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Shishi development NATS CA"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write_cert(out / "ca.pem", cert)
    _write_key(out / "ca-key.pem", key)
    return cert, key


def issue(out: Path, stem: str, names: list[str], ca: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey) -> None:
    """<stem>.pem and <stem>-key.pem: a certificate for `names` (DNS names or IP addresses)."""
    key = _key()
    sans: list[x509.GeneralName] = []
    for n in dict.fromkeys(names):  # keep order, drop repeats
        try:
            sans.append(x509.IPAddress(ipaddress.ip_address(n)))
        except ValueError:
            sans.append(x509.DNSName(n))
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Shishi development"),
                    x509.NameAttribute(NameOID.COMMON_NAME, stem),
                ]
            )
        )
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_encipherment=False,
                key_cert_sign=False,
                crl_sign=False,
                content_commitment=False,
                data_encipherment=False,
                key_agreement=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        # server (client port, routes, leaf port) and client (outgoing routes and leaf links)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write_cert(out / f"{stem}.pem", cert)
    _write_key(out / f"{stem}-key.pem", key)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", nargs="?", type=Path, default=Path(__file__).resolve().parent / "certs")
    parser.add_argument("--county", action="append", default=[], help="county code of a leaf node (repeatable)")
    parser.add_argument("--extra-name", action="append", default=[], help="another DNS name or IP for every node")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    out.chmod(0o700)
    ca, ca_key = make_ca(out)
    for node in NODES:
        issue(out, node, [node, f"{node}.nats", *SHARED_NAMES, *args.extra_name, *LOOPBACK], ca, ca_key)
    for county in args.county:
        issue(
            out,
            f"leaf-{county}",
            [f"leaf-{county}", f"nats-leaf-{county}", "nats-leaf", "localhost", *args.extra_name, *LOOPBACK],
            ca,
            ca_key,
        )
    print(f"wrote the development CA and certificates to {out}")


if __name__ == "__main__":
    main()

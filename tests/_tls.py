"""A self-signed certificate for TLS (and WSS) tests, made with ``openssl req -x509``.

`certificate(directory)` writes ``cert.pem`` and ``key.pem`` for ``localhost``,
127.0.0.1 and ::1 (subjectAltName, so hostname checks pass on IP literals); the
contexts serve it and trust it.  Tests skip when the openssl command is missing.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path

import pytest

__all__ = ["certificate", "client_context", "contexts", "server_context"]

SUBJECT_ALT_NAME = "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"


def certificate(directory: Path) -> tuple[Path, Path]:
    """Write a self-signed EC certificate and its key into `directory`; (cert, key)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is not installed")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "2", "-subj", "/CN=localhost", "-addext", SUBJECT_ALT_NAME,
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    """What a TLS listener serves: the certificate and its key."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def client_context(cert: Path) -> ssl.SSLContext:
    """What a TLS client opens connections with: trusting only `cert`, names checked."""
    return ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(cert))


def contexts(directory: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server_ssl, client_ssl) over a new certificate in `directory`."""
    cert, key = certificate(directory)
    return server_context(cert, key), client_context(cert)

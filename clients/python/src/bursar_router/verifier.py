"""Checks a bundle's ``Bursar-Signature`` (Ed25519 over the exact body bytes, ``keyid=…, sig=…``)
against a public key published at ``/v1/bundle/keys``."""

from __future__ import annotations

import base64
import binascii
from typing import Optional, Tuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def signature_parts(header: str) -> Tuple[Optional[str], Optional[str]]:
    """The key id and signature of a ``Bursar-Signature`` header."""
    key_id = signature = None
    for part in header.split(","):
        part = part.strip()
        if part.startswith("keyid="):
            key_id = part[6:]
        elif part.startswith("sig="):
            signature = part[4:]
    return key_id, signature


def verify(header: str, body: bytes, public_key: str) -> bool:
    """Whether ``header`` signs ``body`` with ``public_key`` (raw Ed25519, base64)."""
    _, signature = signature_parts(header or "")
    if not signature or not public_key:
        return False
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        key.verify(base64.b64decode(signature, validate=True), body)
        return True
    except (InvalidSignature, ValueError, binascii.Error):
        return False

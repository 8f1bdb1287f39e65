"""HMAC-SHA256 signatures of request bodies, in the header form Coral Talk uses:
``sha256=<hex>``, several joined with ``,`` while a secret is being rotated.

The service signs its webhooks with ``sign`` and checks Coral's requests with ``verify``.
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

PREFIX = "sha256="


def sign(secret: str, body: bytes) -> str:
    """``sha256=<hex HMAC-SHA256 of body>``."""
    return PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(header: str | None, body: bytes, secrets: Sequence[str]) -> bool:
    """True when one of the header's ``sha256=`` signatures is the body's HMAC under one of
    ``secrets`` (compared in constant time). No secret or no header: False."""
    if not header or not secrets:
        return False
    given = [part.strip()[len(PREFIX):] for part in header.split(",")
             if part.strip().startswith(PREFIX)]
    expected = [sign(secret, body)[len(PREFIX):] for secret in secrets]
    found = False
    for signature in given[:16]:
        for want in expected:
            found |= hmac.compare_digest(signature.encode(), want.encode())
    return found

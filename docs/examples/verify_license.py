"""Checks a Booth license file offline with the `cryptography` package: the signature
against your shop's public key (`booth license public-key`), then the format and the expiry.

    python3 verify_license.py <public key> < license.json
"""
import base64
import json
import sys
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def check_license(text, public_key, now=None):
    file = json.loads(text)
    payload = base64.b64decode(file["payload"])
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key))
    try:
        key.verify(base64.b64decode(file["signature"]), payload)
    except InvalidSignature:
        raise ValueError("bad signature")
    license = json.loads(payload)
    if license["format"] != "booth-license-1":
        raise ValueError("unknown format")
    if license["expires_at"] < (now or time.time()):
        raise ValueError("expired: validate online for a fresh file")
    return license


if __name__ == "__main__":
    try:
        print(json.dumps(check_license(sys.stdin.read(), sys.argv[1])))
    except (ValueError, KeyError) as e:
        sys.exit(str(e))

#!/usr/bin/env python3
"""Reads an appcast as Sparkle does, written from Sparkle's documentation only: the
channel's item, its enclosure's url, length and sparkle:edSignature (base64 Ed25519 over
the whole update file), checked with SUPublicEDKey (base64 of the 32-byte public key)
using Python's `cryptography`. Downloads the enclosure like the updater would.

  sparkle_check.py APPCAST_URL PUBLIC_KEY_B64

Prints {"version", "short_version", "notes", "url", "length", "sha256"}; exits 1 with
why when the appcast or the signature doesn't hold.
"""
import base64
import hashlib
import json
import sys
import urllib.request
import xml.etree.ElementTree as ET

SPARKLE = "{http://www.andymatuschak.org/xml-namespaces/sparkle}"


def main(appcast_url, public_key):
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    with urllib.request.urlopen(appcast_url, timeout=10) as res:
        root = ET.fromstring(res.read())
    item = root.find("channel/item")
    enclosure = item.find("enclosure")
    url = enclosure.get("url")
    length = int(enclosure.get("length"))
    signature = enclosure.get(SPARKLE + "edSignature")
    if not signature:
        sys.exit("no sparkle:edSignature")
    with urllib.request.urlopen(url, timeout=10) as res:
        data = res.read()
    if len(data) != length:
        sys.exit(f"length {length} but {len(data)} bytes came")
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key))
    try:
        key.verify(base64.b64decode(signature), data)
    except InvalidSignature:
        sys.exit("bad signature")
    print(json.dumps({
        "version": item.findtext(SPARKLE + "version"),
        "short_version": item.findtext(SPARKLE + "shortVersionString"),
        "notes": item.findtext("description"),
        "url": url,
        "length": length,
        "sha256": hashlib.sha256(data).hexdigest(),
    }))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

#!/usr/bin/env python3
"""A license client written only from the documented shape of Lemon Squeezy's License API
(POST /v1/licenses/activate|validate|deactivate, form-encoded, JSON answers), as an app's
client library would call it, plus the offline check of a Booth license file with Python's
`cryptography` (Ed25519). Nothing here comes from Booth's code.

  license_client.py BASE_URL activate KEY NAME
  license_client.py BASE_URL validate KEY [INSTANCE_ID]
  license_client.py BASE_URL deactivate KEY INSTANCE_ID
  license_client.py BASE_URL verify PUBLIC_KEY_B64 < license-file

Each call prints {"status": <HTTP status>, "body": <the JSON answer>}; verify prints the
license it checked, or exits 1 with why.
"""
import base64
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def call(base, path, fields):
    data = urllib.parse.urlencode(fields).encode()
    req = urllib.request.Request(
        base.rstrip("/") + "/v1/licenses/" + path,
        data=data,
        method="POST",
        headers={
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            status, body = res.status, res.read()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read()
    return {"status": status, "body": json.loads(body)}


def verify(public_key_b64, text):
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64))
    signed = json.loads(text)
    payload = base64.b64decode(signed["payload"])
    try:
        key.verify(base64.b64decode(signed["signature"]), payload)
    except InvalidSignature:
        sys.exit("bad signature")
    license = json.loads(payload)
    if license["format"] != "booth-license-1":
        sys.exit("unknown format")
    if license["expires_at"] < time.time():
        sys.exit("expired")
    return license


def main(argv):
    base, command, args = argv[1], argv[2], argv[3:]
    if command == "activate":
        out = call(base, "activate", {"license_key": args[0], "instance_name": args[1]})
    elif command == "validate":
        fields = {"license_key": args[0]}
        if len(args) > 1:
            fields["instance_id"] = args[1]
        out = call(base, "validate", fields)
    elif command == "deactivate":
        out = call(base, "deactivate", {"license_key": args[0], "instance_id": args[1]})
    elif command == "verify":
        out = verify(args[0], sys.stdin.read())
    else:
        sys.exit("unknown command " + command)
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv)

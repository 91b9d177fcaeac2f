// Checks a Booth license file offline (Node 16+, no packages): the signature against your
// shop's public key (`booth license public-key`), then the format and the expiry.
//   node verify-license.mjs <public key> < license.json
import { createPublicKey, verify } from "node:crypto";
import { readFileSync } from "node:fs";

export function checkLicense(text, publicKey, now = Date.now() / 1000) {
  const file = JSON.parse(text);
  const payload = Buffer.from(file.payload, "base64");
  const x = Buffer.from(publicKey, "base64").toString("base64url");
  const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
  if (!verify(null, payload, key, Buffer.from(file.signature, "base64"))) {
    throw new Error("bad signature");
  }
  const license = JSON.parse(payload.toString("utf8"));
  if (license.format !== "booth-license-1") throw new Error("unknown format");
  if (license.expires_at < now) throw new Error("expired: validate online for a fresh file");
  return license;
}

if (process.argv[2]) {
  try {
    console.log(JSON.stringify(checkLicense(readFileSync(0, "utf8"), process.argv[2])));
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}

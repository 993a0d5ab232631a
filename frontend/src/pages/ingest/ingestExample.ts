/** The endpoint's URL and a signing example an RMM admin can paste (docs/ingest.md). */

export const INGEST_PATH = '/api/ingest/v1/results';

export function ingestUrl(origin: string = window.location.origin): string {
  return `${origin}${INGEST_PATH}`;
}

/** A runnable Python example (standard library only) that signs and sends one batch. */
export function pythonExample(keyId: string, secret: string, url: string): string {
  return `import hashlib, hmac, json, time, urllib.request, uuid

KEY_ID = "${keyId}"
SECRET = "${secret}"  # shown once when the token was created
URL = "${url}"

body = json.dumps({
    "batch_id": str(uuid.uuid4()),
    "items": [
        {"kind": "device", "serial": "5CG1234XYZ", "hostname": "LAPTOP-ANNA",
         "protection_status": "protected", "protection_product": "Defender", "patch_status": "current"},
        {"kind": "check", "monitor": "vpn-gateway", "status": "up", "latency_ms": 42},
    ],
}).encode()
timestamp = str(int(time.time()))
signature = hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
request = urllib.request.Request(URL, data=body, method="POST", headers={
    "Content-Type": "application/json",
    "X-Ingest-Key": KEY_ID,
    "X-Ingest-Timestamp": timestamp,
    "X-Ingest-Signature": "sha256=" + signature,
})
print(urllib.request.urlopen(request).read().decode())
`;
}

"""A webhook receiver that checks who sent the delivery.

The sender signs the exact bytes of the body with a shared secret and sends
"X-Hub-Signature-256: sha256=<hex HMAC-SHA256>" (GitHub's format; many
services use the same). The app recomputes the HMAC over the raw body and
compares the two with hmac.compare_digest, which takes the same time
wherever they differ, so the signature cannot be guessed byte by byte.
"""

import hashlib
import hmac
import json
import time
from collections import deque

from fastapi import FastAPI, Header, HTTPException, Request
from starlette.config import Config
from starlette.datastructures import Secret

config = Config()
WEBHOOK_SECRET = config("WEBHOOK_SECRET", cast=Secret, default="")
MAX_BODY = 256 * 1024

app = FastAPI(title="Webhook receiver")
recent = deque(maxlen=20)


def signature_matches(body: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(str(WEBHOOK_SECRET).encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.encode())


@app.get("/")
def deliveries():
    return {"secret": "set" if str(WEBHOOK_SECRET) else "not set", "recent": list(recent)}


@app.post("/webhook", status_code=202)
async def receive(
    request: Request,
    x_hub_signature_256: str = Header(default=""),
    x_github_event: str = Header(default="unknown"),
):
    if not str(WEBHOOK_SECRET):
        raise HTTPException(status_code=503, detail="WEBHOOK_SECRET is not set: add it as a secret of this app")
    body = await request.body()
    if len(body) > MAX_BODY:
        raise HTTPException(status_code=413, detail="The delivery is larger than %d bytes" % MAX_BODY)
    if not signature_matches(body, x_hub_signature_256):
        raise HTTPException(status_code=401, detail="Bad or missing X-Hub-Signature-256")
    try:
        payload = json.loads(body)
    except ValueError:
        raise HTTPException(status_code=400, detail="The body is not JSON")
    keys = sorted(payload)[:10] if isinstance(payload, dict) else []
    recent.appendleft({"event": x_github_event, "at": int(time.time()), "keys": keys})
    return {"accepted": True, "event": x_github_event}

"""Settings and a secret from the environment.

Config() reads environment variables: Berth sets the app's plain variables
and its secrets (encrypted in Git, decrypted only in the cluster) on the
running app. Secret() keeps a value out of reprs and logs; str() opens it.
Set API_TOKEN as a secret of the app, then call /private with the header
"Authorization: Bearer <token>".
"""

import secrets

from fastapi import FastAPI, Header, HTTPException
from starlette.config import Config
from starlette.datastructures import Secret

config = Config()
APP_TITLE = config("APP_TITLE", default="Settings demo")
MAX_ITEMS = config("MAX_ITEMS", cast=int, default=3)
API_TOKEN = config("API_TOKEN", cast=Secret, default="")

app = FastAPI(title=APP_TITLE)

ITEMS = ["anchor", "buoy", "cleat", "davit", "ensign"]


@app.get("/")
def read_root():
    # Say whether the secret is set, never what it is.
    return {"title": APP_TITLE, "max_items": MAX_ITEMS, "api_token": "set" if str(API_TOKEN) else "not set"}


@app.get("/items")
def list_items():
    return ITEMS[:MAX_ITEMS]


@app.get("/private")
def private(authorization: str = Header(default="")):
    token = str(API_TOKEN)
    if not token:
        raise HTTPException(status_code=503, detail="API_TOKEN is not set: add it as a secret of this app and deploy again")
    scheme, _, sent = authorization.partition(" ")
    # compare_digest takes the same time wherever the strings differ.
    if scheme.lower() != "bearer" or not secrets.compare_digest(sent.encode(), token.encode()):
        raise HTTPException(status_code=401, detail="Send Authorization: Bearer <API_TOKEN>",
                            headers={"WWW-Authenticate": "Bearer"})
    return {"message": "Hello, holder of the token"}

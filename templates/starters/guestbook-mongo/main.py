"""A guestbook that keeps its entries in MongoDB.

Berth hands the app its tenant's database as the secret MONGODB_URI. When
it is missing, or the database does not answer in time, every page says so
with a 503 page instead of a stack trace, and the app keeps running.
"""

import datetime

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from pymongo import MongoClient
from pymongo.errors import PyMongoError
from starlette.config import Config
from starlette.datastructures import Secret

config = Config()
MONGODB_URI = config("MONGODB_URI", cast=Secret, default="")

app = FastAPI(title="Guestbook")
templates = Jinja2Templates(directory="templates")
_client = None


class NoDatabase(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def entries():
    """The entries collection; connects on first use and never waits long."""
    global _client
    if not str(MONGODB_URI):
        raise NoDatabase("No database is attached to this app: MONGODB_URI is not set. "
                         "Ask your Berth admin to enable MongoDB for apps, then deploy again.")
    if _client is None:
        _client = MongoClient(str(MONGODB_URI), serverSelectionTimeoutMS=2000, connectTimeoutMS=2000)
    return _client.get_default_database("guestbook")["entries"]


@app.exception_handler(NoDatabase)
async def no_database_page(request: Request, error: NoDatabase):
    return templates.TemplateResponse("no-database.html", {"request": request, "reason": error.reason},
                                      status_code=503)


@app.exception_handler(PyMongoError)
async def database_down_page(request: Request, error: PyMongoError):
    reason = "The database did not answer (%s). Try again in a minute." % type(error).__name__
    return templates.TemplateResponse("no-database.html", {"request": request, "reason": reason}, status_code=503)


@app.get("/", response_class=HTMLResponse)
def guestbook(request: Request):
    found = list(entries().find({}, {"_id": 0}).sort("at", -1).limit(50))
    return templates.TemplateResponse("index.html", {"request": request, "entries": found})


@app.post("/sign")
def sign(name: str = Form(min_length=1, max_length=60), message: str = Form(min_length=1, max_length=500)):
    entries().insert_one({"name": name, "message": message, "at": datetime.datetime.now(datetime.timezone.utc)})
    # Post/redirect/get: reloading the page does not sign twice.
    return RedirectResponse("/", status_code=303)


@app.get("/db-status")
def database_status():
    entries().database.command("ping")
    return {"database": "ok"}

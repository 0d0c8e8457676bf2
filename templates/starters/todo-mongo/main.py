"""A todo API that stores its items in MongoDB.

Berth gives the app its database through the secret environment variable
MONGODB_URI (a user that may only read and write your tenant's database).
Without it the app still starts, and every todo route answers 503 saying
that no database is attached, instead of failing somewhere deeper.
"""

from bson import ObjectId
from bson.errors import InvalidId
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field
from pymongo import MongoClient, ReturnDocument
from starlette.config import Config

config = Config()
MONGODB_URI = config("MONGODB_URI", default="")

app = FastAPI(title="Todo API")

_client = None


def todos():
    """The todos collection, connecting on first use."""
    global _client
    if not MONGODB_URI:
        raise HTTPException(
            status_code=503,
            detail="No database is attached: MONGODB_URI is not set. "
            "Ask your Berth admin to configure MongoDB, then deploy again.",
        )
    if _client is None:
        _client = MongoClient(MONGODB_URI, serverSelectionTimeoutMS=5000, connectTimeoutMS=5000)
    return _client.get_default_database("todo")["todos"]


class TodoIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)


class TodoUpdate(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    done: bool | None = None


def object_id(todo_id: str) -> ObjectId:
    try:
        return ObjectId(todo_id)
    except InvalidId:
        raise HTTPException(status_code=404, detail="No such todo")


def to_json(document) -> dict:
    return {"id": str(document["_id"]), "title": document["title"], "done": document["done"]}


@app.get("/")
def read_root():
    return {"app": "todo", "database": "attached" if MONGODB_URI else "not attached"}


@app.get("/todos")
def list_todos():
    return [to_json(document) for document in todos().find().sort("_id", 1).limit(500)]


@app.post("/todos", status_code=201)
def create_todo(todo: TodoIn):
    document = {"title": todo.title, "done": False}
    document["_id"] = todos().insert_one(document).inserted_id
    return to_json(document)


@app.patch("/todos/{todo_id}")
def update_todo(todo_id: str, change: TodoUpdate):
    # Spelled out rather than model_dump()/dict(), which differ across pydantic 1 and 2.
    fields = {name: value for name, value in (("title", change.title), ("done", change.done)) if value is not None}
    if not fields:
        raise HTTPException(status_code=422, detail="Nothing to change: send title or done")
    document = todos().find_one_and_update(
        {"_id": object_id(todo_id)}, {"$set": fields}, return_document=ReturnDocument.AFTER
    )
    if document is None:
        raise HTTPException(status_code=404, detail="No such todo")
    return to_json(document)


@app.delete("/todos/{todo_id}", status_code=204)
def delete_todo(todo_id: str):
    if todos().delete_one({"_id": object_id(todo_id)}).deleted_count == 0:
        raise HTTPException(status_code=404, detail="No such todo")

"""Tests of the notes API through FastAPI's TestClient (needs httpx, and pytest to run them).

Run them in the app's folder, the working directory the app expects:
    pytest
"""

from fastapi.testclient import TestClient

from api.store import notes
from main import app

client = TestClient(app)


def test_add_and_read_a_note():
    notes.clear()
    created = client.post("/api/notes", json={"text": "ship it"})
    assert created.status_code == 201
    assert created.json() == {"id": 1, "text": "ship it"}
    assert client.get("/api/notes/1").json() == {"id": 1, "text": "ship it"}


def test_an_empty_note_is_refused():
    assert client.post("/api/notes", json={"text": ""}).status_code == 422


def test_stats_count_the_notes():
    notes.clear()
    client.post("/api/notes", json={"text": "four"})
    assert client.get("/api/stats").json() == {"notes": 1, "longest": 4}

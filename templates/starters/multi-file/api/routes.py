"""Routes of the notes API."""

from fastapi import APIRouter, HTTPException

from api.models import Note, NoteIn
from api.store import notes

router = APIRouter(tags=["notes"])


@router.get("/notes")
def list_notes() -> list[Note]:
    return list(notes.values())


@router.post("/notes", status_code=201)
def add_note(note: NoteIn) -> Note:
    created = Note(id=len(notes) + 1, text=note.text)
    notes[created.id] = created
    return created


@router.get("/notes/{note_id}")
def get_note(note_id: int) -> Note:
    if note_id not in notes:
        raise HTTPException(status_code=404, detail="No such note")
    return notes[note_id]

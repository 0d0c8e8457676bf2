"""Routes of the notes API. Notes live in memory: they reset on each deploy
(use the todo-mongo starter to keep data)."""

from fastapi import APIRouter, HTTPException

from api.models import Note, NoteIn

router = APIRouter()

_notes: dict[int, Note] = {}


@router.get("/notes")
def list_notes() -> list[Note]:
    return list(_notes.values())


@router.post("/notes", status_code=201)
def add_note(note: NoteIn) -> Note:
    created = Note(id=len(_notes) + 1, text=note.text)
    _notes[created.id] = created
    return created


@router.get("/notes/{note_id}")
def get_note(note_id: int) -> Note:
    if note_id not in _notes:
        raise HTTPException(status_code=404, detail="No such note")
    return _notes[note_id]

"""A second router: figures about the notes, in a module of its own."""

from fastapi import APIRouter

from api.store import notes

router = APIRouter(tags=["stats"])


@router.get("/stats")
def note_stats():
    lengths = [len(note.text) for note in notes.values()]
    return {"notes": len(lengths), "longest": max(lengths, default=0)}

"""Request and response shapes, kept apart from the routes that use them."""

from pydantic import BaseModel, Field


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=500)


class Note(NoteIn):
    id: int

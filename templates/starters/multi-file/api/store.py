"""Where the notes live, shared by the routers. In memory: notes reset on each
deploy (use the todo-mongo starter to keep data)."""

from api.models import Note

notes: dict[int, Note] = {}

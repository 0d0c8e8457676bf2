"""A JSON API whose models do the checking.

FastAPI reads each request body into a Pydantic model and answers 422 with
the field at fault when it does not fit; your handler only sees valid data.
Try POST /books with {"title": ""} on /docs and read the error.
Books live in memory: they reset on every deploy.
"""

from fastapi import FastAPI, HTTPException, Query
from pydantic import BaseModel, Field

app = FastAPI(title="Books API")


class BookIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    author: str = Field(min_length=1, max_length=100)
    year: int = Field(ge=1450, le=2100, description="Year of first publication")
    rating: int = Field(default=3, ge=1, le=5)


class Book(BookIn):
    id: int


_books: dict[int, Book] = {}


@app.get("/")
def read_root():
    return {"app": "books", "books": len(_books), "docs": "/docs"}


@app.get("/books", response_model=list[Book])
def list_books(
    author: str | None = Query(default=None, max_length=100),
    min_rating: int = Query(default=1, ge=1, le=5),
    limit: int = Query(default=20, ge=1, le=100),
):
    found = [b for b in _books.values() if b.rating >= min_rating and (author is None or b.author == author)]
    return found[:limit]


@app.post("/books", response_model=Book, status_code=201)
def add_book(book: BookIn):
    # Fields spelled out: model_dump() (pydantic 2) and dict() (pydantic 1) differ.
    created = Book(id=len(_books) + 1, title=book.title, author=book.author, year=book.year, rating=book.rating)
    _books[created.id] = created
    return created


@app.get("/books/{book_id}", response_model=Book)
def get_book(book_id: int):
    if book_id not in _books:
        raise HTTPException(status_code=404, detail="No book %d" % book_id)
    return _books[book_id]


@app.delete("/books/{book_id}", status_code=204)
def delete_book(book_id: int):
    if _books.pop(book_id, None) is None:
        raise HTTPException(status_code=404, detail="No book %d" % book_id)

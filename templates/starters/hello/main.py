"""A hello API on FastAPI.

Berth runs the object called ``app`` in the entrypoint; you never start a
server yourself. Open /docs on your app's URL for the interactive API page.
"""

from fastapi import FastAPI

app = FastAPI(title="Hello API")


@app.get("/")
def read_root():
    return {"message": "Hello from Berth!"}


@app.get("/hello/{name}")
def say_hello(name: str):
    return {"message": f"Hello, {name}!"}

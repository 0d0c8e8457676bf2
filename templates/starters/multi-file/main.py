"""Entry point of a multi-file app: it assembles routes from the api package
and serves the files under static/ (files keep their folders on Berth)."""

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from api.routes import router

# Folders are found next to this file; the runner's file system is read-only
# and its working directory is not guaranteed.
HERE = __file__.rpartition("/")[0] or "."
STATIC_DIR = HERE + "/static"

app = FastAPI(title="Notes API")
app.include_router(router, prefix="/api")
app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")


@app.get("/", include_in_schema=False)
def index():
    return FileResponse(STATIC_DIR + "/index.html")

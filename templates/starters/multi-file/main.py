"""Entry point of a multi-file app: it assembles the routers of the api
package and serves the files under static/ (files keep their folders on
Berth, and the app runs with its code folder as the working directory)."""

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from api import routes, stats

app = FastAPI(title="Notes API")
app.include_router(routes.router, prefix="/api")
app.include_router(stats.router, prefix="/api")
app.mount("/static", StaticFiles(directory="static"), name="static")


@app.get("/", include_in_schema=False)
def index():
    return FileResponse("static/index.html")

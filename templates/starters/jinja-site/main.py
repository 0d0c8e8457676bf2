"""Pages rendered on the server with Jinja2.

templates/ holds the HTML (base.html is the layout the pages extend) and
static/ the CSS and JavaScript. Both folders are named relative to the app's
code folder, which is the working directory Berth runs the app in.
"""

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

app = FastAPI(title="Server-rendered site")
app.mount("/static", StaticFiles(directory="static"), name="static")
templates = Jinja2Templates(directory="templates")

PLACES = {
    "harbour": {"name": "Harbour", "text": "Where the boats come in. Jinja2 escapes <this> for you."},
    "lighthouse": {"name": "Lighthouse", "text": "Tall, white, and rendered on the server."},
}


# TemplateResponse(name, {"request": ...}) is the form every Starlette version
# accepts; newer ones also take the request as the first argument.
@app.get("/", response_class=HTMLResponse)
def home(request: Request):
    return templates.TemplateResponse("index.html", {"request": request, "places": PLACES})


@app.get("/places/{slug}", response_class=HTMLResponse)
def place(request: Request, slug: str):
    if slug not in PLACES:
        raise HTTPException(status_code=404, detail="No such place")
    return templates.TemplateResponse("place.html", {"request": request, "place": PLACES[slug]})

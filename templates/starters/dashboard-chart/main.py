"""A dashboard: /api/visits answers JSON, static/chart.js draws it as SVG.

The chart needs no library from a CDN: a few lines of JavaScript turn the
numbers into SVG bars, so the page loads with a strict Content-Security-
Policy and works offline. Swap visits() for your own data.
"""

import datetime
import random

from fastapi import FastAPI, Query
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

app = FastAPI(title="Dashboard")
app.mount("/static", StaticFiles(directory="static"), name="static")


@app.get("/", include_in_schema=False)
def dashboard():
    return FileResponse("static/index.html")


@app.get("/api/visits")
def visits(days: int = Query(default=7, ge=1, le=31)):
    """Visits per day for the last `days` days (made-up numbers, the same for a given date)."""
    today = datetime.date.today()
    points = []
    for back in range(days - 1, -1, -1):
        day = today - datetime.timedelta(days=back)
        points.append({"label": day.isoformat(), "value": random.Random(day.toordinal()).randint(20, 120)})
    return {"title": "Visits per day", "points": points}

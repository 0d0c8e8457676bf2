"""A form with a file field.

Form() and File() read multipart form data (the python-multipart package).
The upload is read in memory and never written to disk: the runner's file
system is read-only, so keep data you need in a database instead.
"""

import hashlib

from fastapi import FastAPI, File, Form, HTTPException, UploadFile
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

MAX_BYTES = 1024 * 1024

app = FastAPI(title="Upload form")
app.mount("/static", StaticFiles(directory="static"), name="static")


@app.get("/", include_in_schema=False)
def form_page():
    return FileResponse("static/index.html")


@app.post("/upload")
async def upload(note: str = Form(min_length=1, max_length=200), file: UploadFile = File()):
    # Read one byte past the limit to know whether the file is too large.
    content = await file.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise HTTPException(status_code=413, detail="The file is larger than %d bytes" % MAX_BYTES)
    return {
        "note": note,
        "filename": file.filename,
        "content_type": file.content_type,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }

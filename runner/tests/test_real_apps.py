"""Real FastAPI apps still run under the audit hook: relative static and
template folders, Form and File uploads, EmailStr, background tasks and
websockets, served by the real runner process."""

import asyncio
import json
import os
import sys
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import validation  # noqa: E402
from support import Runner  # noqa: E402

MAIN = '''from fastapi import BackgroundTasks, FastAPI, File, Form, Request, UploadFile, WebSocket
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, EmailStr

app = FastAPI()
app.mount("/static", StaticFiles(directory="static"), name="static")
templates = Jinja2Templates(directory="templates")
DONE = []


class Signup(BaseModel):
    email: EmailStr


@app.get("/", response_class=HTMLResponse)
def home(request: Request):
    return templates.TemplateResponse("index.html", {"request": request, "name": "berth"})


@app.post("/signup")
def signup(body: Signup):
    return {"email": body.email}


@app.post("/form")
def form(name: str = Form(...)):
    return {"name": name}


@app.post("/upload")
async def upload(file: UploadFile = File(...)):
    data = await file.read()
    return {"filename": file.filename, "size": len(data)}


def remember(text):
    DONE.append(text)


@app.post("/later")
def later(tasks: BackgroundTasks):
    tasks.add_task(remember, "done")
    return {"queued": True}


@app.get("/done")
def done():
    return {"done": DONE}


@app.websocket("/ws")
async def echo(socket: WebSocket):
    await socket.accept()
    text = await socket.receive_text()
    await socket.send_text("echo: " + text)
    await socket.close()


if __name__ == "__main__":
    import uvicorn
    uvicorn.run(app)
'''

FILES = {
    "main.py": MAIN,
    "static/site.css": "body { color: teal; }\n",
    "templates/index.html": "<h1>Hello {{ name }}</h1><link href=\"{{ url_for('static', path='site.css') }}\">\n",
}


def post(base, path, body, content_type):
    request = urllib.request.Request(base + path, data=body, headers={"content-type": content_type}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


class RealApp(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.runner = Runner(FILES)
        cls.runner.wait_ready()

    @classmethod
    def tearDownClass(cls):
        cls.runner.__exit__(None, None, None)

    def tearDown(self):
        blocked = [r for r in self.runner.log_records() if r["event"] == "blocked"]
        self.assertEqual(blocked, [], "the hook refused something a real app does")

    def test_it_passes_validation(self):
        self.assertEqual(validation.validate(FILES, "main.py"), [])

    def test_relative_static_and_template_folders(self):
        status, body = self.runner.get("/")
        self.assertEqual(status, 200, body)
        self.assertIn("<h1>Hello berth</h1>", body)
        self.assertEqual(self.runner.get("/static/site.css"), (200, "body { color: teal; }\n"))

    def test_email_str(self):
        self.assertEqual(post(self.runner.base, "/signup", b'{"email": "ada@example.com"}', "application/json"),
                         (200, {"email": "ada@example.com"}))
        self.assertEqual(post(self.runner.base, "/signup", b'{"email": "not-an-address"}', "application/json")[0], 422)

    def test_form_and_file_uploads(self):
        self.assertEqual(post(self.runner.base, "/form", b"name=ada", "application/x-www-form-urlencoded"),
                         (200, {"name": "ada"}))
        boundary = "berthboundary"
        payload = os.urandom(300_000)  # big enough to spool to a temporary file
        body = (("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\n"
                 "Content-Type: application/octet-stream\r\n\r\n" % boundary).encode() + payload
                + ("\r\n--%s--\r\n" % boundary).encode())
        self.assertEqual(post(self.runner.base, "/upload", body, "multipart/form-data; boundary=" + boundary),
                         (200, {"filename": "a.bin", "size": len(payload)}))

    def test_background_task_runs_after_the_response(self):
        self.assertEqual(post(self.runner.base, "/later", b"", "application/json"), (200, {"queued": True}))
        deadline = time.monotonic() + 5
        while json.loads(self.runner.get("/done")[1])["done"] != ["done"]:
            self.assertLess(time.monotonic(), deadline, "the background task never ran")
            time.sleep(0.02)

    def test_websocket_echo(self):
        import websockets

        async def talk():
            async with websockets.connect("ws://127.0.0.1:%d/ws" % self.runner.port, open_timeout=5) as socket:
                await socket.send("hi")
                return await asyncio.wait_for(socket.recv(), 5)

        self.assertEqual(asyncio.run(talk()), "echo: hi")


if __name__ == "__main__":
    unittest.main()

"""The runner as the platform starts it: a real process, real HTTP, real signals."""

import json
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from support import Runner  # noqa: E402

FASTAPI_APP = '''from fastapi import FastAPI, Request
import asyncio

app = FastAPI(title="items")


@app.get("/")
def root():
    return {"hello": "world"}


@app.get("/items/{item_id}")
def item(item_id: int):
    return {"id": item_id}


@app.get("/slow")
async def slow():
    await asyncio.sleep(1.5)
    return {"slow": True}


@app.get("/where")
def where(request: Request):
    return {"url": str(request.url)}


@app.get("/boom")
def boom():
    raise RuntimeError("boom")
'''

STARLETTE_APP = '''from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def home(request):
    return PlainTextResponse("starlette home")

app = Starlette(routes=[Route("/", home)])
'''

MULTI_FILE = {
    "main.py": '''from fastapi import FastAPI
from api.routes import router
import helpers

app = FastAPI()
app.include_router(router)


@app.get("/greet")
def greet():
    return {"text": helpers.greeting("berth")}
''',
    "helpers.py": '''def greeting(name):
    return "hello " + name
''',
    "api/routes.py": '''from fastapi import APIRouter
from .models import Item

router = APIRouter()


@router.get("/items")
def items():
    return [Item(name="a").model_dump() if hasattr(Item, "model_dump") else Item(name="a").dict()]
''',
    "api/models.py": '''from pydantic import BaseModel


class Item(BaseModel):
    name: str
''',
    "static/site.css": "body { color: black; }\n",
}


class ServesApps(unittest.TestCase):
    def test_single_file_fastapi_app_serves_its_routes_and_docs(self):
        with Runner({"main.py": FASTAPI_APP}) as runner:
            runner.wait_ready()
            self.assertEqual(runner.get("/items/7"), (200, '{"id":7}'))
            self.assertEqual(runner.get("/")[0], 200)
            status, page = runner.get("/docs")
            self.assertEqual(status, 200)
            self.assertIn("/openapi.json", page)
            status, schema = runner.get("/openapi.json")
            self.assertEqual(json.loads(schema)["info"]["title"], "items")

    def test_multi_file_app_imports_its_own_modules(self):
        with Runner(MULTI_FILE) as runner:
            runner.wait_ready()
            self.assertEqual(runner.get("/greet"), (200, '{"text":"hello berth"}'))
            self.assertEqual(runner.get("/items"), (200, '[{"name":"a"}]'))

    def test_starlette_app(self):
        with Runner({"main.py": STARLETTE_APP}) as runner:
            runner.wait_ready()
            self.assertEqual(runner.get("/"), (200, "starlette home"))

    def test_entrypoint_in_a_folder(self):
        files = {"web/app.py": "from fastapi import FastAPI\nfrom . import util\napp = FastAPI()\n"
                               "@app.get('/')\ndef r():\n    return util.VALUE\n",
                 "web/util.py": "VALUE = 42\n"}
        with Runner(files, entrypoint="web/app.py") as runner:
            runner.wait_ready()
            self.assertEqual(runner.get("/"), (200, "42"))


class Probes(unittest.TestCase):
    def test_health_and_ready_answer_without_touching_user_routes(self):
        with Runner({"main.py": FASTAPI_APP}) as runner:
            runner.wait_ready()
            self.assertEqual(runner.get("/health"), (200, '{"status": "ok"}'))
            self.assertEqual(runner.get("/ready"), (200, '{"status": "ok"}'))
            self.assertEqual(runner.get("/"), (200, '{"hello":"world"}'))
            self.assertEqual(runner.get("/healthz")[0], 404, "only /health and /ready are the runner's")
            paths = [r["path"] for r in runner.log_records() if r["event"] == "request"]
            self.assertNotIn("/health", paths, "probes are not activity")
            self.assertNotIn("/ready", paths)

    def test_proxy_headers_make_urls_and_docs_point_where_the_user_is(self):
        with Runner({"main.py": FASTAPI_APP}) as runner:
            runner.wait_ready()
            headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
            status, body = runner.get("/where", headers=headers)
            self.assertEqual(status, 200)
            self.assertTrue(json.loads(body)["url"].startswith("https://"), body)
            status, page = runner.get("/docs", headers={"X-Forwarded-Prefix": "/myapp"})
            self.assertIn("/myapp/openapi.json", page)


class RefusesBadCode(unittest.TestCase):
    def assert_refused(self, files, expected, code=2, entrypoint="main.py"):
        with Runner(files, entrypoint=entrypoint) as runner:
            self.assertEqual(runner.wait_exit(), code, runner.stderr())
            for text in expected:
                self.assertIn(text, runner.stderr())
            return runner.stderr(), runner.log_records()

    def test_forbidden_import_is_named_with_file_and_line(self):
        files = {"main.py": "from fastapi import FastAPI\nimport helpers\napp = FastAPI()\n",
                 "helpers.py": "import json\nimport subprocess\n"}
        stderr, records = self.assert_refused(files, ["helpers.py:2:1:", "'subprocess'", "[import]"])
        refused = [r for r in records if r["event"] == "refused"]
        self.assertEqual(refused[0]["problems"][0]["file"], "helpers.py")

    def test_eval_is_refused(self):
        self.assert_refused({"main.py": "from fastapi import FastAPI\napp = FastAPI()\nx = eval('1+1')\n"},
                            ["main.py:3:5:", "'eval'"])

    def test_syntax_error_reports_file_and_line(self):
        files = {"main.py": "from fastapi import FastAPI\nimport helpers\napp = FastAPI()\n",
                 "helpers.py": "def ok():\n    return 1\n\ndef broken(:\n    pass\n"}
        self.assert_refused(files, ["helpers.py:4:", "[syntax]"])

    def test_missing_app_is_refused_before_import(self):
        self.assert_refused({"main.py": "from fastapi import FastAPI\napplication = FastAPI()\n"},
                            ["main.py:1:1:", "defines no 'app'"])

    def test_app_missing_at_run_time_is_reported(self):
        self.assert_refused({"main.py": "from fastapi import FastAPI\nif False:\n    app = FastAPI()\n"},
                            ["main.py:1:", "must define 'app'"], code=1)

    def test_exception_at_import_names_the_users_file_and_line(self):
        files = {"main.py": "from fastapi import FastAPI\nimport helpers\napp = FastAPI()\n",
                 "helpers.py": "X = 1\n\n\nY = X / 0\n"}
        self.assert_refused(files, ["helpers.py:4:", "ZeroDivisionError"], code=1)


class Shutdown(unittest.TestCase):
    def test_sigterm_exits_within_five_seconds(self):
        with Runner({"main.py": FASTAPI_APP}) as runner:
            runner.wait_ready()
            started = time.monotonic()
            runner.terminate()
            self.assertEqual(runner.wait_exit(timeout=5), 0)
            self.assertLess(time.monotonic() - started, 5)

    def test_sigterm_finishes_the_request_in_flight(self):
        with Runner({"main.py": FASTAPI_APP}) as runner:
            runner.wait_ready()
            result = {}
            client = threading.Thread(target=lambda: result.update(answer=runner.get("/slow")))
            client.start()
            time.sleep(0.5)
            started = time.monotonic()
            runner.terminate()
            client.join(timeout=5)
            self.assertEqual(result.get("answer"), (200, '{"slow":true}'))
            self.assertEqual(runner.wait_exit(timeout=5), 0)
            self.assertLess(time.monotonic() - started, 5)

    def test_a_stuck_request_does_not_hold_the_process_past_its_deadline(self):
        app = FASTAPI_APP + "\n\n@app.get('/stuck')\nasync def stuck():\n    await asyncio.sleep(60)\n"
        with Runner({"main.py": app}, env={"BERTH_SHUTDOWN_SECONDS": "1"}) as runner:
            runner.wait_ready()
            def call_stuck():
                try:
                    runner.get("/stuck", timeout=30)
                except OSError:
                    pass  # the forced exit drops this connection: that is the point

            threading.Thread(target=call_stuck, daemon=True).start()
            time.sleep(0.3)
            started = time.monotonic()
            runner.terminate()
            self.assertEqual(runner.wait_exit(timeout=5), 3)
            self.assertLess(time.monotonic() - started, 4)


class RequestLog(unittest.TestCase):
    def test_one_json_line_per_request_without_the_query_string(self):
        with Runner({"main.py": FASTAPI_APP}) as runner:
            runner.wait_ready()
            runner.get("/items/3?token=s3cret")
            runner.get("/nowhere")
            runner.get("/boom")
            runner.terminate()
            runner.wait_exit()
            records = [r for r in runner.log_records() if r["event"] == "request"]
            self.assertEqual([(r["method"], r["path"], r["status"]) for r in records],
                             [("GET", "/items/3", 200), ("GET", "/nowhere", 404), ("GET", "/boom", 500)])
            for record in records:
                self.assertIsInstance(record["duration_ms"], (int, float))
                self.assertIn("ts", record)
            self.assertNotIn("s3cret", runner.stdout() + runner.stderr())


if __name__ == "__main__":
    unittest.main()

"""Berth runner: serve one user app from CODE_DIR.

    CODE_DIR=/code ENTRYPOINT=main.py PORT=8000 python3 runner/entrypoint.py

Start-up re-checks every file with validation.py (the module the API runs
through Pyodide), changes into CODE_DIR (relative folders such as
StaticFiles(directory="static") mean the app's own), installs the audit hook of
guard.py (processes, files, network, native code, interpreter internals), then
imports the entrypoint as a module and serves its ``app``
with uvicorn behind a thin ASGI layer that answers /health and /ready, honours
the platform proxy's headers and logs one JSON line per request. The user's
code is never exec'd from a string.

Optional settings: BERTH_HOST (default 0.0.0.0), BERTH_SHUTDOWN_SECONDS (8,
under the pod's 10 s grace period), BERTH_FORWARDED_ALLOW_IPS (default "*":
the NetworkPolicy lets only the ingress controller reach the pod),
BERTH_ALLOWED_IMPORTS (comma-separated; replaces the default allow-list so the
runner agrees with an admin-changed list), BERTH_EGRESS (what the app may
connect to besides DNS; rendered from the NetworkPolicy's settings).

Exit codes: 0 after a clean shutdown, 1 when the app fails to import or has no
``app``, 2 when validation refuses the code, 3 when shutdown overran its deadline.
"""

import datetime
import importlib
import json
import logging
import os
import re
import sys
import threading
import time
import traceback

import guard
import validation

EXIT_IMPORT_FAILED = 1
EXIT_REFUSED = 2
EXIT_SHUTDOWN_OVERRAN = 3
PROBE_PATHS = ("/health", "/ready")
_PREFIX = re.compile(r"^/[A-Za-z0-9._~/-]*$")


def log(event, level="info", **fields):
    """One JSON object per line on stdout, the format the platform collects."""
    record = {"ts": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds"),
              "level": level, "event": event}
    record.update(fields)
    sys.stdout.write(json.dumps(record, default=str) + "\n")
    sys.stdout.flush()


class JsonLogFormatter(logging.Formatter):
    """Uvicorn's own messages in the same one-line JSON shape."""

    def format(self, record):
        fields = {"ts": datetime.datetime.fromtimestamp(record.created, datetime.timezone.utc)
                  .isoformat(timespec="milliseconds"),
                  "level": record.levelname.lower(), "event": "server", "logger": record.name,
                  "message": record.getMessage()}
        if record.exc_info:
            fields["error"] = self.formatException(record.exc_info)
        return json.dumps(fields, default=str)


LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": JsonLogFormatter}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}},
    "loggers": {"uvicorn": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
                "uvicorn.error": {"level": "INFO"},
                "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False}},
}


def read_settings(environ):
    """The runner's settings; a bad value stops start-up naming the variable."""
    port_text = environ.get("PORT", "8000")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise SystemExit("PORT must be a number from 1 to 65535, got %r" % port_text)
    grace_text = environ.get("BERTH_SHUTDOWN_SECONDS", "8")
    try:
        grace = float(grace_text)
    except ValueError:
        raise SystemExit("BERTH_SHUTDOWN_SECONDS must be a number, got %r" % grace_text)
    allowed = environ.get("BERTH_ALLOWED_IMPORTS")
    return {
        "code_dir": os.path.abspath(environ.get("CODE_DIR", "/code")),
        "entrypoint": environ.get("ENTRYPOINT", "main.py"),
        "port": int(port_text),
        "host": environ.get("BERTH_HOST", "0.0.0.0"),
        "grace": grace,
        "forwarded_allow_ips": environ.get("BERTH_FORWARDED_ALLOW_IPS", "*"),
        "allowed_imports": [a.strip() for a in allowed.split(",") if a.strip()] if allowed else None,
    }


def read_code(code_dir):
    """Every file under CODE_DIR by relative path. Hidden entries are skipped:
    a ConfigMap volume keeps its real files under ``..data`` behind symlinks."""
    files = {}
    for root, dirs, names in os.walk(code_dir, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for name in sorted(names):
            if name.startswith("."):
                continue
            full = os.path.join(root, name)
            rel = os.path.relpath(full, code_dir).replace(os.sep, "/")
            with open(full, "rb") as handle:
                data = handle.read()
            files[rel] = data.decode("utf-8", "replace")
    return files


def refuse(problems):
    for problem in problems:
        sys.stderr.write(validation.format_problem(problem) + "\n")
    log("refused", level="error", message="the app's code does not pass validation; nothing was started",
        problems=problems)
    raise SystemExit(EXIT_REFUSED)


def user_location(error, code_dir):
    """The deepest frame in the user's own files, as (relative path, line)."""
    if isinstance(error, SyntaxError) and error.filename and error.filename.startswith(code_dir):
        return os.path.relpath(error.filename, code_dir), error.lineno or 1
    found = None
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename.startswith(code_dir + os.sep):
            found = (os.path.relpath(frame.filename, code_dir), frame.lineno)
    return found


def import_app(code_dir, entrypoint):
    """Import the entrypoint as a module and return its ``app``."""
    sys.dont_write_bytecode = True  # /code is read-only and must stay exactly what was deployed
    sys.path.insert(0, code_dir)
    name = validation.module_name(entrypoint)
    try:
        module = importlib.import_module(name)
    except Exception as error:  # any failure in the user's module is reported, not re-raised
        where = user_location(error, code_dir) or (entrypoint, 1)
        message = "%s: %s" % (type(error).__name__, error)
        sys.stderr.write("%s:%d: the app failed to import: %s\n" % (where[0], where[1], message))
        user_frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith(code_dir)]
        sys.stderr.write("".join(traceback.format_list(user_frames)))
        log("import_failed", level="error", file=where[0], line=where[1], message=message)
        raise SystemExit(EXIT_IMPORT_FAILED)
    app = getattr(module, "app", None)
    if app is None or not callable(app):
        found = "nothing" if app is None else "a %s" % type(app).__name__
        message = "%s must define 'app' (FastAPI, Starlette or FastHTML); found %s" % (entrypoint, found)
        sys.stderr.write("%s:1: %s\n" % (entrypoint, message))
        log("import_failed", level="error", file=entrypoint, line=1, message=message)
        raise SystemExit(EXIT_IMPORT_FAILED)
    return app


class PlatformApp:
    """ASGI layer around the user's app: probes, proxy prefix, request log lines.

    /health and /ready (GET or HEAD) are answered here without calling user
    code; every other path goes to the app untouched. Probes are not logged:
    they would drown the log and count as activity that no person caused.
    """

    def __init__(self, app):
        self.app = app
        self.ready = False
        self.draining = False

    async def __call__(self, scope, receive, send):
        kind = scope["type"]
        if kind == "lifespan":
            await self.lifespan(scope, receive, send)
        elif kind == "http" and scope["path"] in PROBE_PATHS and scope["method"] in ("GET", "HEAD"):
            await self.probe(scope, send)
        elif kind == "http":
            await self.request(with_prefix(scope), receive, send)
        else:
            await self.app(with_prefix(scope), receive, send)

    async def lifespan(self, scope, receive, send):
        sent = []

        async def watch(message):
            sent.append(message["type"])
            if message["type"] == "lifespan.startup.complete":
                self.ready = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            # An app without lifespan support fails here before saying
            # anything; uvicorn then serves it anyway, so it is ready.
            if not sent:
                self.ready = True
            raise

    async def probe(self, scope, send):
        ok = scope["path"] == "/health" or (self.ready and not self.draining)
        body = json.dumps({"status": "ok" if ok else ("draining" if self.draining else "starting")}).encode()
        await send({"type": "http.response.start", "status": 200 if ok else 503,
                    "headers": [(b"content-type", b"application/json"), (b"cache-control", b"no-store"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})

    async def request(self, scope, receive, send):
        started = time.perf_counter()
        status = []

        async def record(message):
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record)
        except Exception:
            status.append(500)
            raise
        finally:
            # The query string is left out on purpose: it may carry tokens.
            log("request", method=scope["method"], path=scope["path"], status=status[0] if status else 500,
                duration_ms=round((time.perf_counter() - started) * 1000, 2))


def with_prefix(scope):
    """Behind a proxy that strips a path prefix, the app's docs and redirects
    must still point under it: X-Forwarded-Prefix becomes the ASGI root_path."""
    for key, value in scope.get("headers", []):
        if key == b"x-forwarded-prefix":
            prefix = value.decode("latin-1").rstrip("/")
            if prefix and _PREFIX.match(prefix):
                scope = dict(scope)
                scope["root_path"] = prefix
            break
    return scope


def serve(platform_app, settings):
    import uvicorn  # late: refusing bad code needs no server

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame):
            if not platform_app.draining:
                platform_app.draining = True
                log("shutdown", message="signal %s: finishing in-flight requests" % sig,
                    deadline_seconds=settings["grace"])
                threading.Thread(target=overrun_watchdog, args=(settings["grace"],), daemon=True).start()
            super().handle_exit(sig, frame)

    config = uvicorn.Config(
        platform_app, host=settings["host"], port=settings["port"], proxy_headers=True,
        forwarded_allow_ips=settings["forwarded_allow_ips"], access_log=False, log_config=LOG_CONFIG,
        lifespan="auto", server_header=False, timeout_keep_alive=5,
        # asyncio's own loop: uvloop's sockets would not raise the audit events guard.py checks.
        loop="asyncio",
    )
    Server(config).run()
    log("stopped")


def overrun_watchdog(seconds):
    """Uvicorn waits for every open request; a stuck one must not outlive the
    pod's grace period, so the process leaves on its own first."""
    time.sleep(seconds)
    log("shutdown_overran", level="error", message="requests still open after %s s; exiting" % seconds)
    os._exit(EXIT_SHUTDOWN_OVERRAN)


def main(environ=None):
    settings = read_settings(os.environ if environ is None else environ)
    files = read_code(settings["code_dir"])
    problems = validation.validate(files, settings["entrypoint"], settings["allowed_imports"])
    if problems:
        refuse(problems)
    # Relative folders (StaticFiles(directory="static"), templates) mean the code folder.
    os.chdir(settings["code_dir"])
    allowed = settings["allowed_imports"]
    guard.install(settings["code_dir"], os.environ if environ is None else environ, log,
                  lambda name: validation.import_allowed(name, allowed))
    app = import_app(settings["code_dir"], settings["entrypoint"])
    log("starting", entrypoint=settings["entrypoint"], port=settings["port"])
    serve(PlatformApp(app), settings)


if __name__ == "__main__":
    main()

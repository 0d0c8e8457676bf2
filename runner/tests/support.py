"""Start the real runner as a subprocess on a free port and talk to it over HTTP."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

RUNNER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENTRYPOINT = os.path.join(RUNNER_DIR, "entrypoint.py")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_app(files):
    code_dir = tempfile.mkdtemp(prefix="berth-runner-")
    for path, text in files.items():
        full = os.path.join(code_dir, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as handle:
            handle.write(text)
    return code_dir


class Runner:
    """One runner process serving ``files``; use as a context manager."""

    def __init__(self, files, entrypoint="main.py", env=None):
        self.code_dir = write_app(files)
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        environ = dict(os.environ, CODE_DIR=self.code_dir, ENTRYPOINT=entrypoint, PORT=str(self.port),
                       BERTH_HOST="127.0.0.1", PYTHONUNBUFFERED="1")
        environ.update(env or {})
        self.stdout_path = os.path.join(tempfile.mkdtemp(prefix="berth-runner-log-"), "stdout")
        self.stderr_path = self.stdout_path + ".err"
        self._out = open(self.stdout_path, "wb")
        self._err = open(self.stderr_path, "wb")
        self.process = subprocess.Popen([sys.executable, ENTRYPOINT], env=environ, stdout=self._out,
                                        stderr=self._err, cwd=tempfile.gettempdir())

    def wait_ready(self, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError("runner exited with %s:\n%s\n%s" % (self.process.returncode, self.stdout(),
                                                                          self.stderr()))
            try:
                if self.get("/ready")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("runner not ready after %s s:\n%s" % (timeout, self.stderr()))

    def wait_exit(self, timeout=10):
        return self.process.wait(timeout=timeout)

    def get(self, path, headers=None, timeout=10):
        request = urllib.request.Request(self.base + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def terminate(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def stdout(self):
        with open(self.stdout_path, encoding="utf-8", errors="replace") as handle:
            return handle.read()

    def stderr(self):
        with open(self.stderr_path, encoding="utf-8", errors="replace") as handle:
            return handle.read()

    def log_records(self):
        records = []
        for line in self.stdout().splitlines():
            records.append(json.loads(line))  # every stdout line must be JSON
        return records

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)
        self._out.close()
        self._err.close()
        shutil.rmtree(self.code_dir, ignore_errors=True)
        shutil.rmtree(os.path.dirname(self.stdout_path), ignore_errors=True)

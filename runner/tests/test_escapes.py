"""Escape attempts, family by family: each is refused by validation.py or, when
it gets past the syntax tree, blocked by the audit hook in a real runner
process, and the action did not happen (no file, no process, no connection).

The hook cases hide their names from the validator on purpose (names reversed
and looked up at run time), as an attacker would: the point is that they pass
validation and still achieve nothing.
"""

import json
import os
import re
import shutil
import socket
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import validation  # noqa: E402
from support import Runner  # noqa: E402

APP = "from fastapi import FastAPI\napp = FastAPI()\n"

# (family, spelling): the validator refuses each on the syntax tree.
VALIDATOR_CASES = [
    ("module through module", "from logging import os\n"),
    ("module through module", "from random import _os\n"),
    ("module through module", "from typing import sys\n"),
    ("module through module", "from dataclasses import sys as s\n"),
    ("module through module", "import json\nc = json.codecs\n"),
    ("module through module", "import logging\nlogging.os.system('id')\n"),
    ("module through module", "import asyncio\np = asyncio.subprocess\n"),
    ("module through module", "import typing\nm = typing.sys.modules\n"),
    ("namespaces and frames", "import json\nd = json.__dict__['codecs']\n"),
    ("namespaces and frames", "x = vars(app)\n"),
    ("namespaces and frames", "f = (lambda: 0).__globals__\n"),
    ("namespaces and frames", "k = ().__class__.__mro__[1].__subclasses__()\n"),
    ("namespaces and frames", "b = app.__class__.__bases__\n"),
    ("namespaces and frames", "b = __builtins__\n"),
    ("namespaces and frames", "def g():\n    yield\nf = g().gi_frame.f_back.f_globals\n"),
    ("namespaces and frames", "c = (lambda: 0).__code__.co_consts\n"),
    ("namespaces and frames", "name = '__glo' + 'bals__'\n"),
    ("namespaces and frames", "x = getattr(app, ''.join(['__', 'class__']))\n"),
    ("namespaces and frames", "import operator\ng = operator.attrgetter('__class__.__base__')\n"),
    ("namespaces and frames", "from operator import attrgetter\ndef f(n):\n    return attrgetter(n)\n"),
    ("namespaces and frames", "s = '{0.__class__.__init__.__globals__}'.format(app)\n"),
    ("namespaces and frames", "import json\ndef f(n):\n    return getattr(json, n)\n"),
    ("namespaces and frames", "e = None\ntry:\n    1 / 0\nexcept Exception as error:\n    e = error.__traceback__.tb_frame\n"),
    ("shadowing", "from json import loads as eval\n"),
    ("shadowing", "from json import dumps as open\n"),
    ("shadowing", "import json as exec\n"),
    ("shadowing", "def f():\n    from re import compile\nx = compile('1', 'x', 'eval')\n"),
    ("shadowing", "if False:\n    from re import compile\ncompile('1', 'x', 'exec')\n"),
    ("shadowing", "from re import compile as c, escape as open\n"),
    ("strings evaluated by libraries", "from jinja2 import Template\n"),
    ("strings evaluated by libraries", "import jinja2\nt = jinja2.Template('{{ 1 }}')\n"),
    ("strings evaluated by libraries", "from jinja2 import Environment\nt = Environment().from_string('x')\n"),
    ("strings evaluated by libraries", "from pydantic import ImportString\n"),
    ("strings evaluated by libraries", "import pydantic\nT = pydantic.ImportString\n"),
    ("strings evaluated by libraries", "import logging.config\n"),
    ("strings evaluated by libraries", "from logging import config\n"),
    ("strings evaluated by libraries", "import logging\nlogging.config.dictConfig({})\n"),
    ("allowed modules opening files, sockets, processes",
     "import asyncio\nasync def f():\n    await asyncio.create_subprocess_shell('id')\n"),
    ("allowed modules opening files, sockets, processes",
     "import asyncio\nasync def f():\n    await asyncio.get_running_loop().subprocess_exec(None, 'id')\n"),
    ("allowed modules opening files, sockets, processes",
     "import asyncio\nasync def f():\n    await asyncio.open_connection('10.0.0.1', 80)\n"),
    ("allowed modules opening files, sockets, processes",
     "import asyncio\nasync def f(loop):\n    await loop.create_connection(None, '10.0.0.1', 80)\n"),
    ("allowed modules opening files, sockets, processes",
     "import asyncio\nasync def f(loop):\n    await loop.create_server(None, '0.0.0.0', 9)\n"),
    ("allowed modules opening files, sockets, processes", "import logging\nh = logging.FileHandler('/tmp/x')\n"),
    ("allowed modules opening files, sockets, processes",
     "import logging\nh = logging.handlers.SysLogHandler(('10.0.0.1', 514))\n"),
    ("allowed modules opening files, sockets, processes", "from logging.handlers import HTTPHandler\n"),
    ("allowed modules opening files, sockets, processes", "import logging\nlogging.basicConfig(filename='/etc/x')\n"),
    ("allowed modules opening files, sockets, processes", "import io\nf = io.open('/etc/passwd')\n"),
    ("allowed modules opening files, sockets, processes", "import codecs\n"),
    ("allowed modules opening files, sockets, processes", "import gzip\n"),
    ("allowed modules opening files, sockets, processes", "from asyncio import create_subprocess_exec\n"),
]

# Helpers the hook cases use to reach things by names the validator cannot see.
HELPERS = '''
import asyncio
import io
import json
import logging
from fastapi import FastAPI

app = FastAPI()


def r(text):
    return text[::-1]


def pick(obj, path):
    for part in path.split("."):
        name = r(part)
        obj = getattr(obj, name)
    return obj


def item(mapping, key):
    return mapping[r(key)]


MODULES = pick(logging, "sys.seludom")
BUILTINS = item(MODULES, "snitliub")
'''

# (family, expected audit event, kind of proof, code). In the code, P(obj, "a.b")
# becomes a run-time lookup and M("name") the module from sys.modules; OUT is a
# writable folder outside /tmp, PORT a TCP listener the test counts connections on.
HOOK_CASES = [
    ("processes", "os.system", "marker", 'P(logging, "os.system")("touch " + OUT + "/m")'),
    ("processes", "subprocess.Popen", "marker",
     'P(asyncio, "subprocess.subprocess.Popen")(["/usr/bin/touch", OUT + "/m"])'),
    ("processes", "subprocess.Popen", "marker",
     'P(asyncio, "subprocess.subprocess.run")(["/usr/bin/touch", OUT + "/m"])'),
    ("processes", "os.posix_spawn", "marker",
     'P(logging, "os.posix_spawn")("/usr/bin/touch", ["touch", OUT + "/m"], {})'),
    ("processes", "os.exec", "marker", 'P(logging, "os.execv")("/usr/bin/touch", ["touch", OUT + "/m"])'),
    ("processes", "os.fork", "marker", 'P(logging, "os.fork")()'),
    ("processes", "subprocess.Popen", "marker",
     'item(MODULES, "_posixsubprocess").fork_exec(["/usr/bin/touch"], [b"/usr/bin/touch"], True, (), None, None, '
     '-1, -1, -1, -1, -1, -1, -1, -1, False, False, None, None, None, -1, None, False)'),
    ("processes", "subprocess.Popen", "marker",
     'await P(asyncio.get_running_loop(), "subprocess_shell")(asyncio.SubprocessProtocol, "touch " + OUT + "/m")'),
    ("processes", "os.system", "marker",
     'await asyncio.get_running_loop().run_in_executor(None, P(logging, "os.system"), "touch " + OUT + "/m")'),
    ("writes", "open", "marker", 'P(json, "codecs.open")(OUT + "/m", "w").write("x")'),
    ("writes", "open", "marker", 'P(BUILTINS, "open")(OUT + "/m", "w").write("x")'),
    ("writes", "open", "marker", 'P(io, "open")(OUT + "/m", "a").write("x")'),
    ("writes", "open", "marker", 'P(logging, "FileHandler")(OUT + "/m")'),
    ("writes", "open", "marker", 'P(logging, "os.open")(OUT + "/m", 65)'),
    ("writes", "os.mkdir", "marker", 'P(logging, "os.mkdir")(OUT + "/m")'),
    ("writes", "os.rename", "marker", 'P(logging, "os.rename")(OUT + "/secret.txt", OUT + "/m")'),
    ("reads", "open", "secret", 'return {"read": P(json, "codecs.open")(OUT + "/secret.txt").read()}'),
    ("reads", "open", "secret", 'return {"read": P(BUILTINS, "open")(OUT + "/secret.txt").read()}'),
    ("reads", "open", "secret", 'return {"read": P(logging, "os.sys.modules")["pathlib"].Path(OUT + "/secret.txt").read_text()}'),
    ("reads", "os.listdir", "secret", 'return {"read": P(logging, "os.listdir")(OUT)}'),
    ("network", "socket.connect", "connection",
     'P(asyncio, "base_events.socket.create_connection")(("127.0.0.1", PORT), 2)'),
    ("network", "socket.connect", "connection",
     'await P(asyncio.get_running_loop(), "create_connection")(asyncio.Protocol, "127.0.0.1", PORT)'),
    ("network", "socket.connect", "connection",
     'await P(asyncio, "open_connection")("127.0.0.1", PORT)'),
    ("network", "socket.sendto", "udp",
     's = P(asyncio, "base_events.socket.socket")(2, 2)\n    s.sendto(b"x", ("127.0.0.1", UDP_PORT))'),
    ("network", "socket.getaddrinfo", "none", 'P(asyncio, "base_events.socket.getaddrinfo")("exfil.example.com", 53)'),
    ("network", "socket.bind", "none",
     'await P(asyncio, "start_server")(lambda r, w: None, "127.0.0.1", 8089)'),
    ("native code", "import", "none", 'item(MODULES, "importlib").import_module("ctypes")'),
    ("native code", "import", "none", 'P(BUILTINS, "__import__")("_ctypes")'),
    ("native code", "import", "none", 'item(MODULES, "importlib").import_module("_ctypes")'),
    ("imports", "import", "none", 'P(BUILTINS, "__import__")("ftplib")'),
    ("imports", "import", "none", 'item(MODULES, "importlib").import_module("smtplib")'),
    ("imports", "import", "none", 'item(MODULES, "importlib").import_module("xmlrpc.client")'),
    ("interpreter", "sys._getframe", "none", 'P(logging, "sys._getframe")(0)'),
    ("interpreter", "object.__getattr__", "none", 'P(r, "__code__")'),
    ("interpreter", "object.__getattr__", "none",
     'try:\n        1 / 0\n    except ZeroDivisionError as error:\n        tb = P(error, "__traceback__")\n        P(tb, "tb_frame")'),
    ("interpreter", "compile", "none", 'P(BUILTINS, "eval")("1 + 1")'),
    ("interpreter", "compile", "none", 'P(BUILTINS, "exec")("x = 1")'),
    ("interpreter", "gc.get_objects", "none", 'item(MODULES, "importlib").import_module("gc").get_objects()'),
    ("hook removal", "sys.addaudithook", "none", 'P(logging, "sys.addaudithook")(lambda *a: None)'),
    ("hook removal", "sys.settrace", "none", 'P(logging, "sys.settrace")(None)'),
    ("hook removal", "sys.setprofile", "none", 'P(logging, "sys.setprofile")(None)'),
    ("hook removal", "gc.get_referrers", "none", 'item(MODULES, "importlib").import_module("gc").get_referrers(r)'),
    # Rebinding the guard module's tables, sys.audit or the fork_exec stand-in changes nothing.
    ("hook removal", "os.system", "marker",
     'g = item(MODULES, "guard")\n    for key in ("PROCESS_EVENTS", "WATCHED"):\n        setattr(g, key, frozenset())\n'
     '    key = "audit"\n    setattr(P(logging, "sys"), key, lambda *a: None)\n    P(logging, "os.system")("touch " + OUT + "/m")'),
    ("hook removal", "os.system", "marker",
     't = P(logging, "threading.Thread")(target=P(logging, "os.system"), args=("touch " + OUT + "/m",))\n'
     '    t.start()\n    t.join()'),
    ("hook removal", "os.system", "marker",
     'asyncio.get_running_loop().call_soon(P(logging, "os.system"), "touch " + OUT + "/m")\n'
     '    await asyncio.sleep(0.2)'),
]


def reversed_lookups(code):
    code = re.sub(r'P\(([^,]+), "([^"]+)"\)',
                  lambda m: 'pick(%s, "%s")' % (m.group(1), ".".join(p[::-1] for p in m.group(2).split("."))), code)
    return re.sub(r'item\(MODULES, "([^"]+)"\)', lambda m: 'item(MODULES, "%s")' % m.group(1)[::-1], code)


def hook_app(out, port, udp_port):
    parts = [HELPERS, "OUT = %s\nPORT = %d\nUDP_PORT = %d\n" % (json.dumps(out), port, udp_port)]
    for index, (_, _, _, code) in enumerate(HOOK_CASES):
        body = reversed_lookups(code)
        if not body.startswith("return"):
            body += "\n    return {}"
        parts.append('''
@app.get("/case/%d")
async def case_%d():
    %s
''' % (index, index, body))
    return "".join(parts)


class Listener:
    """TCP and UDP servers on 127.0.0.1 that count what reached them."""

    def __init__(self):
        self.tcp = socket.socket()
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(16)
        self.tcp.settimeout(0.2)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.udp.settimeout(0.2)
        self.connections = 0
        self.datagrams = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stopped.is_set():
            try:
                conn, _ = self.tcp.accept()
                self.connections += 1
                conn.close()
            except OSError:
                pass
            try:
                self.udp.recvfrom(64)
                self.datagrams += 1
            except OSError:
                pass

    def close(self):
        self.stopped.set()
        self.thread.join(timeout=2)
        self.tcp.close()
        self.udp.close()


class ValidatorRefuses(unittest.TestCase):
    def test_every_spelling_is_refused_on_the_syntax_tree(self):
        families = {}
        for family, source in VALIDATOR_CASES:
            with self.subTest(source):
                problems = validation.validate({"main.py": APP + source}, "main.py")
                self.assertTrue(problems, "validation accepted:\n%s" % source)
                self.assertTrue(all(p["rule"] in ("import", "forbidden") for p in problems), problems)
            families[family] = families.get(family, 0) + 1
        self.assertTrue(all(count >= 5 for count in families.values()), families)


class HookBlocks(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.out = tempfile.mkdtemp(prefix="berth-escape-", dir="/var/tmp")  # writable, and outside /tmp
        with open(os.path.join(cls.out, "secret.txt"), "w") as handle:
            handle.write("the-secret-text")
        cls.listener = Listener()
        cls.db = Listener()
        source = hook_app(cls.out, cls.listener.tcp.getsockname()[1], cls.listener.udp.getsockname()[1])
        cls.source = source
        cls.problems = validation.validate({"main.py": source}, "main.py")
        env = {"MONGODB_URI": "mongodb://127.0.0.1:%d/app" % cls.db.tcp.getsockname()[1]}
        cls.runner = Runner({"main.py": source}, env=env)
        cls.runner.wait_ready()

    @classmethod
    def tearDownClass(cls):
        cls.runner.__exit__(None, None, None)
        cls.listener.close()
        cls.db.close()
        shutil.rmtree(cls.out, ignore_errors=True)

    def blocked_records(self):
        return [r for r in self.runner.log_records() if r["event"] == "blocked"]

    def test_the_attempts_pass_the_validator(self):
        self.assertEqual(self.problems, [], "\n".join(validation.format_problem(p) for p in self.problems))

    def test_every_attempt_is_blocked_and_reported(self):
        for index, (family, event, proof, code) in enumerate(HOOK_CASES):
            with self.subTest("%s: %s" % (family, code.splitlines()[0])):
                before = len(self.blocked_records())
                status, body = self.runner.get("/case/%d" % index)
                records = self.blocked_records()[before:]
                self.assertTrue(records, "nothing blocked; %s %s" % (status, body))
                self.assertIn(event, [r["audit_event"] for r in records], records)
                self.assertTrue(all(r["level"] == "error" and r["reason"] for r in records))
                if proof == "marker":
                    self.assertFalse(os.path.exists(os.path.join(self.out, "m")), "the action happened")
                elif proof == "secret":
                    self.assertNotIn("the-secret-text", body)
                    self.assertNotIn("secret.txt", body)
                elif proof == "connection":
                    self.assertEqual(self.listener.connections, 0)
                elif proof == "udp":
                    self.assertEqual(self.listener.datagrams, 0)
        self.assertTrue(os.path.exists(os.path.join(self.out, "secret.txt")), "the rename happened")
        self.assertEqual(self.runner.get("/health")[0], 200, "the server survived every attempt")

    def test_a_blocked_line_says_where(self):
        self.runner.get("/case/0")
        record = self.blocked_records()[-1]
        self.assertEqual(record["file"], "main.py")
        self.assertIsInstance(record["line"], int)
        self.assertIn("touch", record["detail"])

    def test_the_database_in_the_egress_is_reachable(self):
        # The positive control: the same kind of connection to the app's database goes through.
        code = 'P(asyncio, "base_events.socket.create_connection")(("127.0.0.1", %d), 2).close()' \
            % self.db.tcp.getsockname()[1]
        files = {"main.py": hook_app(self.out, 1, 1) + '\n@app.get("/db")\nasync def db():\n    %s\n    return {}\n'
                 % reversed_lookups(code)}
        with Runner(files, env={"MONGODB_URI": "mongodb://127.0.0.1:%d/app" % self.db.tcp.getsockname()[1]}) as runner:
            runner.wait_ready()
            self.assertEqual(runner.get("/db")[0], 200, runner.stdout())
        deadline = time.monotonic() + 5
        while self.db.connections == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertEqual(self.db.connections, 1)


class HookAtImport(unittest.TestCase):
    def test_an_attempt_at_import_time_stops_the_app(self):
        out = tempfile.mkdtemp(prefix="berth-escape-", dir="/var/tmp")
        try:
            source = HELPERS + reversed_lookups('P(logging, "os.system")("touch %s/m")\n' % out)
            self.assertEqual(validation.validate({"main.py": source}, "main.py"), [])
            with Runner({"main.py": source}) as runner:
                self.assertEqual(runner.wait_exit(), 1)
                self.assertIn("PermissionError", runner.stderr())
                self.assertIn("os.system", [r.get("audit_event") for r in runner.log_records()])
            self.assertFalse(os.path.exists(os.path.join(out, "m")))
        finally:
            shutil.rmtree(out, ignore_errors=True)


def summary():
    """Cases per family and the layer that stops them (printed by `python3 test_escapes.py --summary`)."""
    table = {}
    for family, _ in VALIDATOR_CASES:
        table.setdefault(("validator", family), 0)
        table[("validator", family)] += 1
    for family, _, _, _ in HOOK_CASES:
        table.setdefault(("audit hook", family), 0)
        table[("audit hook", family)] += 1
    return table


if __name__ == "__main__":
    if sys.argv[1:] == ["--summary"]:
        for (layer, family), count in sorted(summary().items()):
            print("%-10s  %-52s %d" % (layer, family, count))
    else:
        unittest.main()

"""Checks on a Berth app's code, shared by the API and the runner.

The API runs this file inside Pyodide (Python 3.13) and the runner runs it
natively before importing the user's code, so the two can never disagree about
what is allowed. It must therefore stay a single module, import only the
standard library, and use syntax that both CPython 3.11 and 3.13 accept.

What it is, and what it is not: these checks catch mistakes and the obvious
ways out of a web app (shell commands, dynamic code, the file system, raw
sockets, interpreter internals) on the syntax tree, not by searching the text,
so comments and strings do not trip them and spelling tricks do not pass.
Python cannot be sandboxed by static checks alone: the runner's audit hook
(guard.py) refuses at run time what gets past them, and the pod is the
isolation boundary (non-root, read-only root file system, no service-account
token, NetworkPolicy, optionally gVisor or Kata). The checks make the allowed
surface small and say exactly what to change.

Entry points: ``validate(files, entrypoint, allowed_imports)`` returns a list of
problems ``{file, line, column, message, rule}``; ``validate_json`` wraps it for
callers that speak JSON (Pyodide).
"""

import ast
import json
import re
import warnings

MAX_FILES = 50
MAX_FILE_BYTES = 100 * 1024
MAX_TOTAL_BYTES = 500 * 1024
MAX_PATH_LENGTH = 200
MAX_DEPTH = 8
CODE_EXTENSIONS = ("py", "html", "css", "js", "json", "svg", "txt", "md")

# The FastAPI/FastHTML ecosystem, MongoDB, and standard modules with no access
# to processes, files, sockets or the interpreter. An entry allows the module
# and its submodules; a dotted entry allows only that submodule (``urllib.parse``
# allows ``urllib.parse`` but not ``urllib.request``). httpx is left out on
# purpose: outbound HTTP from a user app reaches in-cluster services (S1).
DEFAULT_ALLOWED_IMPORTS = (
    "fastapi", "starlette", "pydantic", "pydantic_core", "annotated_types",
    "fasthtml", "fastcore", "fastlite", "monsterui", "jinja2", "markupsafe",
    "pymongo", "bson", "multipart", "python_multipart", "email_validator",
    "__future__", "abc", "asyncio", "base64", "bisect", "calendar", "collections",
    "contextlib", "copy", "csv", "dataclasses", "datetime", "decimal", "difflib",
    "enum", "fractions", "functools", "hashlib", "heapq", "hmac", "html",
    "http.cookies", "http.HTTPStatus", "io", "ipaddress", "itertools", "json",
    "logging", "math", "numbers", "operator", "random", "re", "secrets",
    "statistics", "string", "textwrap", "time", "types", "typing",
    "typing_extensions", "unicodedata", "urllib.parse", "uuid", "zoneinfo",
)

# Names whose every use hands out dynamic code, the interpreter's internals or
# the file system. Matched as bare names (``eval``), not attributes
# (``re.compile`` and ``df.eval`` are fine).
FORBIDDEN_NAMES = {
    "eval": "runs a string as code",
    "exec": "runs a string as code",
    "compile": "turns a string into code",
    "__import__": "imports modules around the allow-list",
    "__builtins__": "reaches every built-in, including eval and open",
    "__loader__": "reaches the module loader",
    "__spec__": "reaches the module loader",
    "globals": "exposes and changes the module's namespace",
    "locals": "exposes the namespace of the running function",
    "vars": "exposes an object's namespace",
    "breakpoint": "stops the server in a debugger",
    "open": "opens files; serve your files with starlette's FileResponse or StaticFiles, "
            "and keep data in MongoDB (the runner's file system is read-only)",
}

# Built-ins that are harmless as names (a parameter called ``input`` is common)
# but must not be called: they wait on a terminal that a server does not have.
FORBIDDEN_CALLS = {
    "input": "waits for a terminal that the server does not have",
    "help": "waits for a terminal that the server does not have",
    "exit": "stops the server; raise HTTPException for an error response",
    "quit": "stops the server; raise HTTPException for an error response",
}

# Attributes that lead from any object to code objects, frames, globals or
# all loaded classes: the classic ways out of a restricted namespace.
FORBIDDEN_ATTRIBUTES = {
    "__builtins__", "__globals__", "__subclasses__", "__code__", "__closure__",
    "__bases__", "__base__", "__mro__", "mro", "__getattribute__", "__import__",
    "__loader__", "__spec__", "__reduce__", "__reduce_ex__", "__self__", "__func__",
    "__traceback__", "__subclasshook__", "__init_subclass__", "__set_name__",
    "f_globals", "f_locals", "f_builtins", "f_back", "f_code", "gi_frame", "gi_code",
    "cr_frame", "cr_code", "ag_frame", "ag_code", "tb_frame", "tb_next", "co_code",
    "__objclass__", "__defaults__", "__kwdefaults__", "f_trace", "gi_yieldfrom", "cr_await",
    "ag_await", "co_consts", "co_names", "cell_contents", "__getattr__", "_getframe",
}

# Modules that must never be reached, imported or as an attribute of an allowed
# module (``logging.os``, ``random._os``).
FORBIDDEN_MODULES = {
    "os", "_os", "posix", "nt", "sys", "_sys", "subprocess", "_subprocess", "socket",
    "_socket", "ctypes", "_ctypes", "builtins", "_builtins", "importlib", "_imp",
    "shutil", "pathlib", "pty", "signal", "multiprocessing", "threading", "_thread",
    "marshal", "pickle", "code", "codeop", "inspect", "gc", "resource", "mmap",
    "fcntl", "select", "selectors", "ssl", "asyncio.subprocess", "tempfile", "glob",
    "io.open", "urllib.request", "http.client", "http.server", "ftplib", "smtplib",
    "telnetlib", "webbrowser", "sysconfig", "site", "runpy", "zipimport", "pkgutil",
    "_posixsubprocess", "codecs", "_codecs", "gzip", "bz2", "lzma", "zipfile", "tarfile", "shelve",
    "dbm", "sqlite3", "fileinput", "linecache", "traceback", "platform", "posixpath", "ntpath",
    "genericpath", "_io", "_pickle", "cffi", "_cffi_backend", "logging.config", "logging.handlers",
    "asyncio.base_events", "asyncio.unix_events", "asyncio.events", "asyncio.streams",
    "asyncio.selector_events", "asyncio.base_subprocess", "concurrent", "jinja2.sandbox",
}

# Members of allowed modules that open files or run programs.
FORBIDDEN_MEMBERS = {
    ("io", "open"), ("io", "open_code"), ("io", "FileIO"), ("asyncio", "subprocess"),
    ("asyncio", "create_subprocess_exec"), ("asyncio", "create_subprocess_shell"),
    ("asyncio", "open_connection"), ("asyncio", "start_server"),
    ("asyncio", "open_unix_connection"), ("asyncio", "start_unix_server"),
    ("logging", "FileHandler"), ("logging", "config"), ("logging", "handlers"),
    ("asyncio", "events"), ("asyncio", "streams"),
    ("jinja2", "Template"), ("jinja2", "DictLoader"), ("jinja2", "FunctionLoader"),
    ("jinja2", "BaseLoader"), ("pydantic", "ImportString"), ("pydantic", "PyObject"),
    ("fastcore", "xtras"), ("fastcore", "script"),
}

# Attribute names that, whatever object they are read from, reach code that
# spawns processes, opens sockets or evaluates strings: the event loop's
# process and socket methods, Jinja2's string templates.
FORBIDDEN_METHODS = {
    "subprocess_exec": "starts a program", "subprocess_shell": "starts a program",
    "create_subprocess_exec": "starts a program", "create_subprocess_shell": "starts a program",
    "create_connection": "opens a network connection", "create_datagram_endpoint": "opens a socket",
    "create_server": "opens a listening socket", "create_unix_connection": "opens a socket",
    "create_unix_server": "opens a listening socket", "sock_connect": "opens a network connection",
    "open_connection": "opens a network connection", "start_server": "opens a listening socket",
    "open_unix_connection": "opens a socket", "start_unix_server": "opens a listening socket",
    "connect_read_pipe": "reaches a process pipe", "connect_write_pipe": "reaches a process pipe",
    "connect_accepted_socket": "takes over a socket", "sock_sendfile": "sends a file",
    "from_string": "turns a string into a template that runs code; keep templates as files in the app "
                   "and use Jinja2Templates(directory=\"templates\")",
    "dictConfig": "configures logging from data that can import anything",
    "fileConfig": "configures logging from a file",
}

# What to use instead, by the top module of a refused import.
IMPORT_HINTS = {
    "os": "read settings with starlette.config.Config (config('MONGODB_URI')); serve files with "
          "FileResponse or StaticFiles",
    "sys": "read settings with starlette.config.Config; raise HTTPException instead of sys.exit",
    "pathlib": "serve files with starlette's FileResponse or StaticFiles(directory=\"static\")",
    "shutil": "serve files with FileResponse or StaticFiles; keep data in MongoDB",
    "tempfile": "keep uploads in memory (UploadFile) or in MongoDB",
    "anyio": "use asyncio (asyncio.sleep, asyncio.gather)",
    "threading": "use asyncio tasks or FastAPI's BackgroundTasks",
    "multiprocessing": "use asyncio tasks or FastAPI's BackgroundTasks",
    "subprocess": "apps cannot run programs",
    "requests": "outbound HTTP is not available to apps unless an admin allows httpx",
    "httpx": "outbound HTTP is not available to apps unless an admin allows httpx",
    "urllib": "urllib.parse is allowed; outbound HTTP is not",
    "socket": "apps cannot open sockets; the runner serves the app",
    "sqlite3": "keep data in MongoDB (pymongo)",
    "pickle": "use json",
    "logging": "logging itself is allowed; its handlers and config are not: log to the console",
    "jinja2": "jinja2 itself is allowed; keep templates as files and use Jinja2Templates",
}

# Standard modules the runner and the frameworks import: an app file with one
# of these names would be imported in their place.
RESERVED_MODULE_NAMES = {
    "abc", "ast", "asyncio", "base64", "collections", "contextlib", "copy", "dataclasses",
    "datetime", "email", "encodings", "enum", "functools", "http", "inspect", "io",
    "json", "logging", "math", "os", "random", "re", "signal", "socket", "string", "sys",
    "threading", "time", "types", "typing", "uuid", "warnings", "uvicorn", "anyio",
    "h11", "sniffio", "click", "validation", "entrypoint", "guard", "egress", "site",
}

_SEGMENT = re.compile(r"^[a-z0-9_-]+$")
_FILE_NAME = re.compile(r"^[a-z0-9_-]+\.(" + "|".join(CODE_EXTENSIONS) + r")$")
_IDENTIFIER_CHAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def _problem(file, line, column, message, rule):
    return {"file": file, "line": int(line or 1), "column": int(column or 1),
            "message": message, "rule": rule}


def path_problem(path):
    """Why a file path is refused, or None. Mirrors src/domain/code-paths.ts."""
    if not isinstance(path, str) or path == "":
        return "must not be empty"
    if len(path) > MAX_PATH_LENGTH:
        return "must be at most %d characters" % MAX_PATH_LENGTH
    if path.startswith("/"):
        return "must be relative"
    segments = path.split("/")
    if len(segments) > MAX_DEPTH:
        return "must be at most %d levels deep" % MAX_DEPTH
    file_name = segments[-1]
    for segment in segments[:-1]:
        if segment in ("..", "."):
            return 'must not contain "." or ".." segments'
        if not _SEGMENT.match(segment):
            return 'folder "%s" must be lower-case letters, digits, "_" or "-"' % segment
    if file_name.startswith("."):
        return "must not name a hidden file"
    if not _FILE_NAME.match(file_name):
        return ('file name "%s" must be lower-case letters, digits, "_" or "-" ending in .%s'
                % (file_name, ", .".join(CODE_EXTENSIONS)))
    return None


def _size_and_path_problems(files, entrypoint):
    problems = []
    if len(files) > MAX_FILES:
        problems.append(_problem(entrypoint, 1, 1, "the app has %d files; at most %d are allowed"
                                 % (len(files), MAX_FILES), "size"))
    total = 0
    for path in sorted(files):
        reason = path_problem(path)
        if reason:
            problems.append(_problem(path, 1, 1, "file path %s %s" % (json.dumps(path), reason), "path"))
        size = len(files[path].encode("utf-8", "surrogatepass"))
        total += size
        if size > MAX_FILE_BYTES:
            problems.append(_problem(path, 1, 1, "%s is %d bytes; a file may have at most %d (100 KB)"
                                     % (path, size, MAX_FILE_BYTES), "size"))
    if total > MAX_TOTAL_BYTES:
        problems.append(_problem(entrypoint, 1, 1, "the app's files add up to %d bytes; at most %d (500 KB) are allowed"
                                 % (total, MAX_TOTAL_BYTES), "size"))
    return problems


def module_name(path):
    """The module a .py path imports as: ``api/routes.py`` -> ``api.routes``."""
    stem = path[:-3] if path.endswith(".py") else path
    if stem.endswith("/__init__"):
        stem = stem[: -len("/__init__")]
    return stem.replace("/", ".")


def _local_modules(files):
    """Modules and packages (folders) the app's own files provide."""
    modules, packages = set(), set()
    for path in files:
        if not path.endswith(".py"):
            continue
        modules.add(module_name(path))
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            packages.add(".".join(parts[:i]))
    return modules, packages


def _shadow_problems(files, allowed):
    reserved = set(RESERVED_MODULE_NAMES) | set(FORBIDDEN_MODULES) | {a.split(".")[0] for a in allowed}
    problems = []
    for path in sorted(files):
        if not path.endswith(".py"):
            continue
        top = module_name(path).split(".")[0]
        if top in reserved:
            problems.append(_problem(path, 1, 1, "%s would be imported instead of the module '%s' that apps and the "
                                     "runner rely on; rename it (for example to my_%s)" % (path, top, top), "path"))
    return problems


def _column(lines, lineno, col_offset):
    """AST columns count UTF-8 bytes from 0; people count characters from 1."""
    if not lineno or lineno > len(lines) or col_offset is None:
        return (col_offset or 0) + 1
    prefix = lines[lineno - 1].encode("utf-8", "surrogatepass")[:col_offset]
    return len(prefix.decode("utf-8", "ignore")) + 1


def _syntax_problem(path, source):
    """One syntax problem for the file, or None and its tree."""
    null = source.find("\x00")
    if null >= 0:
        line = source.count("\n", 0, null) + 1
        column = null - (source.rfind("\n", 0, null) + 1) + 1
        return _problem(path, line, column, "the file contains a NUL character", "syntax"), None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source, filename=path)
            # The compiler finds what the parser lets through ('return' outside
            # a function, 'nonlocal' at module level): the runner would fail there.
            compile(tree, path, "exec", dont_inherit=True)
        return None, tree
    except SyntaxError as error:
        kind = type(error).__name__
        message = error.msg if kind == "SyntaxError" else "%s: %s" % (kind, error.msg)
        if error.text and error.lineno:
            message += " (%s)" % error.text.strip()[:80]
        return _problem(path, error.lineno or 1, error.offset or 1, message, "syntax"), None
    except (RecursionError, MemoryError, ValueError) as error:
        return _problem(path, 1, 1, "the file is nested too deeply to parse (%s)" % type(error).__name__, "syntax"), None


def _matches(name, entries):
    """Whether ``name`` is one of ``entries`` or inside one of them."""
    for entry in entries:
        if name == entry or name.startswith(entry + "."):
            return True
    return False


def _fold_string(node):
    """The value of a string built only from literals ('ev' + 'al'), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _fold_string(node.left), _fold_string(node.right)
        if left is not None and right is not None:
            return left + right
    return None


_ATTRIBUTE_MODULES = {
    "os", "_os", "posix", "nt", "sys", "_sys", "subprocess", "_subprocess", "socket",
    "_socket", "ctypes", "_ctypes", "builtins", "_builtins", "importlib", "_imp",
    "shutil", "pathlib", "marshal", "_thread", "multiprocessing", "_posixsubprocess",
    "codecs", "_codecs", "gzip", "bz2", "lzma", "zipfile", "tarfile", "posixpath", "ntpath",
    "genericpath", "tempfile", "_io", "pickle", "_pickle", "linecache", "runpy", "pkgutil",
    "sysconfig", "shelve", "sqlite3", "gc", "threading", "webbrowser", "cffi",
}
# Format fields that read attributes: "{0.__class__}".format(x), "{x.f_globals}".
_FORMAT_FIELD = re.compile(r"\{([^{}]*)\}")
_FIELD_ATTRIBUTE = re.compile(r"\.\s*([A-Za-z_][A-Za-z0-9_]*)")
# A module-level `if __name__ == "__main__":` block never runs under the runner.
_MAIN_NAMES = ("__name__", "__main__")
_STRING_ATTRIBUTES = FORBIDDEN_ATTRIBUTES - {"mro"}
_REFLECTION_CALLS = ("getattr", "setattr", "delattr", "hasattr")


_ALLOWED_LIST = "\x00allowed-list\x00"  # replaced once per verdict (see _explain_allow_list)


def _member_forbidden(full):
    parts = full.split(".")
    return any((".".join(parts[:i]), parts[i]) in FORBIDDEN_MEMBERS for i in range(1, len(parts)))


def import_allowed(name, allowed=None, member=False):
    """Whether the app may import ``name`` (``module.member`` when ``member``).

    The same rule the checks apply to import statements; the runner's audit
    hook asks it about the imports the app's own files make at run time."""
    allowed = DEFAULT_ALLOWED_IMPORTS if allowed is None else allowed
    if _matches(name, FORBIDDEN_MODULES) or _member_forbidden(name):
        return False
    if member:
        module = name.rsplit(".", 1)[0]
        if _matches(module, FORBIDDEN_MODULES):
            return False
        return _matches(module, allowed) or _matches(name, allowed)
    return _matches(name, allowed)


def _hint(name):
    hint = IMPORT_HINTS.get(name.split(".")[0])
    return ": " + hint if hint else ""


def _explain_allow_list(problems, allowed_shown):
    """The allow-list is long: the first refused import lists it, the others point there."""
    first = None
    for problem in problems:
        if _ALLOWED_LIST not in problem["message"]:
            continue
        if first is None:
            first = problem
            text = "; allowed: " + ", ".join(allowed_shown)
        else:
            text = " (the allowed modules are listed at %s:%d)" % (first["file"], first["line"])
        problem["message"] = problem["message"].replace(_ALLOWED_LIST, text)
    return problems


def _is_main_guard(stmt):
    """``if __name__ == "__main__":`` (either order)."""
    test = getattr(stmt, "test", None)
    if not isinstance(stmt, ast.If) or not isinstance(test, ast.Compare) or len(test.ops) != 1 \
            or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    names = [n.id for n in sides if isinstance(n, ast.Name)]
    values = [n.value for n in sides if isinstance(n, ast.Constant)]
    return names == ["__name__"] and values == ["__main__"]


def _sets_name(tree):
    """Whether the file rebinds ``__name__`` (which would make the main block run)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "__name__" and not isinstance(node.ctx, ast.Load):
            return True
        if isinstance(node, ast.Attribute) and node.attr == "__name__" and not isinstance(node.ctx, ast.Load):
            return True
        if isinstance(node, (ast.Global, ast.Nonlocal)) and "__name__" in node.names:
            return True
    return False


class _FileChecker:
    """Walks one file's tree (iteratively: deep trees must not overflow the stack)."""

    def __init__(self, path, source, tree, context):
        self.path = path
        self.lines = source.splitlines()
        self.tree = tree
        self.context = context
        self.problems = []
        self.aliases = {}
        self.modules = set()
        self.bound = set()
        self.imported = set()
        self.skipped_main = None
        self.covered = set()

    def report(self, node, message, rule):
        line = getattr(node, "lineno", 1)
        column = _column(self.lines, line, getattr(node, "col_offset", 0))
        self.problems.append(_problem(self.path, line, column, message, rule))

    def checked_nodes(self):
        """Every node but those of a module-level main block, which the runner never runs."""
        body = self.tree.body
        if not _sets_name(self.tree):
            for stmt in body:
                if _is_main_guard(stmt):
                    self.skipped_main = stmt
        nodes = []
        for stmt in body:
            if stmt is self.skipped_main:
                nodes.append(stmt.test)
                for other in stmt.orelse:
                    nodes.extend(ast.walk(other))
                nodes.extend(ast.walk(stmt.test))
            else:
                nodes.extend(ast.walk(stmt))
        return nodes

    def run(self):
        nodes = self.checked_nodes()
        for stmt in self.tree.body:
            # Only an unconditional module-level import can stand for a built-in's name:
            # one in a function, a branch or dead code leaves the built-in in place elsewhere.
            if isinstance(stmt, ast.ImportFrom) and stmt.level == 0 and stmt.module:
                for alias in stmt.names:
                    if alias.asname is None:
                        self.imported.add(alias.name)
        for node in nodes:
            self.collect_bindings(node)
        seen_strings = set()
        for node in nodes:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.check_binding(node, alias)
                    self.check_module(node, alias.name, None)
            elif isinstance(node, ast.ImportFrom):
                self.check_import_from(node)
            elif isinstance(node, ast.Name):
                self.check_name(node)
            elif isinstance(node, ast.Attribute):
                self.check_attribute(node)
            elif isinstance(node, ast.Call):
                self.check_call(node)
            if isinstance(node, (ast.Constant, ast.BinOp)) and id(node) not in seen_strings:
                self.check_string(node, seen_strings)
        return self.problems

    def collect_bindings(self, node):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            self.bound.add(node.id)
        elif isinstance(node, ast.arg):
            self.bound.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.bound.add(node.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.aliases[alias.asname] = alias.name
                    self.modules.add(alias.asname)
                else:
                    top = alias.name.split(".")[0]
                    self.aliases[top] = top
                    self.modules.add(top)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                self.aliases[alias.asname or alias.name] = node.module + "." + alias.name
                self.modules.add(alias.asname or alias.name)

    def check_binding(self, node, alias):
        """``import json as eval``: the name would hide the built-in's own check."""
        name = alias.asname
        if name and (name in FORBIDDEN_NAMES or name in FORBIDDEN_CALLS):
            self.report(node, "importing something as '%s' is not allowed: the name is the built-in %s; "
                        "choose another name" % (name, name), "forbidden")

    def check_name(self, node):
        if isinstance(node.ctx, ast.Load) and node.id in FORBIDDEN_NAMES and node.id not in self.imported:
            self.report(node, "'%s' is not allowed: it %s" % (node.id, FORBIDDEN_NAMES[node.id]), "forbidden")

    def dotted(self, node):
        """``logging.config.x`` as a string through the file's import aliases, or None."""
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name) or node.id not in self.aliases:
            return None
        return ".".join([self.aliases[node.id]] + list(reversed(parts)))

    def check_attribute(self, node):
        if node.attr in FORBIDDEN_ATTRIBUTES:
            self.report(node, "the attribute '%s' is not allowed: it reaches the interpreter's internals" % node.attr,
                        "forbidden")
            return
        if node.attr in _ATTRIBUTE_MODULES:
            self.report(node, "'.%s' is not allowed: it reaches the module '%s', which apps may not use"
                        % (node.attr, node.attr.lstrip("_")), "forbidden")
            return
        if node.attr in FORBIDDEN_METHODS:
            self.report(node, "'.%s' is not allowed: it %s" % (node.attr, FORBIDDEN_METHODS[node.attr]), "forbidden")
            return
        if node.attr == "__dict__" and isinstance(node.value, ast.Name) and node.value.id in self.modules:
            self.report(node, "'%s.__dict__' is not allowed: an imported module's or class's namespace reaches "
                        "what it imported; use its attributes by name" % node.value.id, "forbidden")
            return
        full = self.dotted(node)
        if full and id(node) not in self.covered and (self.member_forbidden(full) or _matches(full, FORBIDDEN_MODULES)):
            inner = node.value
            while isinstance(inner, ast.Attribute):  # said once for `logging.handlers.SocketHandler`
                self.covered.add(id(inner))
                inner = inner.value
            self.report(node, "'%s' is not allowed: it opens files, programs or connections, or runs strings as code"
                        % full, "forbidden")

    def member_forbidden(self, full):
        return _member_forbidden(full)

    def check_call(self, node):
        func = node.func
        if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS and func.id not in self.bound:
            self.report(node, "calling '%s()' is not allowed: it %s" % (func.id, FORBIDDEN_CALLS[func.id]), "forbidden")
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if isinstance(func, ast.Name) and func.id in _REFLECTION_CALLS and len(node.args) >= 2:
            self.check_reflection(node, func.id, node.args[0], node.args[1])
        elif name in ("attrgetter", "methodcaller"):
            for argument in node.args[:1] if name == "methodcaller" else node.args:
                self.check_getter(node, name, argument)
        elif name == "basicConfig" and any(k.arg in ("filename", "stream", "handlers") for k in node.keywords):
            self.report(node, "logging.basicConfig(filename=...) is not allowed: it opens a file; "
                        "log to the console (the platform collects it)", "forbidden")

    def check_getter(self, node, function, argument):
        value = _fold_string(argument)
        if value is None:
            self.report(node, "%s() with a name built at run time is not allowed; name the attribute directly"
                        % function, "forbidden")
            return
        for part in value.split("."):
            if part in FORBIDDEN_ATTRIBUTES or part in _ATTRIBUTE_MODULES or part in FORBIDDEN_METHODS \
                    or part in FORBIDDEN_NAMES or (part.startswith("__") and part.endswith("__")):
                self.report(node, "%s(%s) is not allowed: it reaches what the code may not name directly"
                            % (function, json.dumps(value)), "forbidden")
                return

    def check_reflection(self, node, function, target, name_node):
        name = _fold_string(name_node)
        if name is None:
            if not isinstance(name_node, (ast.Name, ast.Attribute, ast.Subscript)):
                self.report(node, "%s() with an attribute name built at run time is not allowed; "
                            "name the attribute directly" % function, "forbidden")
            elif isinstance(target, ast.Name) and target.id in self.aliases:
                self.report(node, "%s() on '%s' with a computed name is not allowed; "
                            "name the attribute directly" % (function, self.aliases[target.id]), "forbidden")
            return
        bad = (name in FORBIDDEN_ATTRIBUTES or name in FORBIDDEN_NAMES or name in _ATTRIBUTE_MODULES
               or name in FORBIDDEN_METHODS
               or name.startswith("__") and name.endswith("__") and function != "hasattr")
        full = self.dotted(target)
        if full and (self.member_forbidden(full + "." + name) or _matches(full + "." + name, FORBIDDEN_MODULES)):
            bad = True
        if bad:
            self.report(node, "%s(..., %s) is not allowed: it reaches what the code may not name directly"
                        % (function, json.dumps(name)), "forbidden")

    def check_string(self, node, seen):
        value = _fold_string(node)
        if isinstance(node, ast.BinOp):
            for child in ast.walk(node):
                seen.add(id(child))
        if value is None:
            return
        if _IDENTIFIER_CHAIN.match(value):
            hits = [part for part in value.split(".") if part in _STRING_ATTRIBUTES]
            if hits:
                self.report(node, "the string %s names the attribute '%s', which is not allowed"
                            % (json.dumps(value), hits[0]), "forbidden")
            return
        if "{" in value:
            for field in _FORMAT_FIELD.findall(value):
                for attribute in _FIELD_ATTRIBUTE.findall(field):
                    if attribute in FORBIDDEN_ATTRIBUTES or (attribute.startswith("__") and attribute.endswith("__")):
                        self.report(node, "the format field {%s} reads the attribute '%s', which is not allowed"
                                    % (field, attribute), "forbidden")
                        return

    def check_import_from(self, node):
        for alias in node.names:
            self.check_binding(node, alias)
            if alias.name in FORBIDDEN_ATTRIBUTES:
                self.report(node, "importing '%s' is not allowed" % alias.name, "forbidden")
        if node.level:
            self.check_relative(node)
            return
        if self.check_module(node, node.module, None):
            return  # the module itself is refused: once for the statement
        for alias in node.names:
            if alias.name in _ATTRIBUTE_MODULES or _matches(alias.name, FORBIDDEN_MODULES):
                self.report(node, "'from %s import %s' is not allowed: it takes the module '%s' from %s, "
                            "and apps may not use it%s" % (node.module, alias.name, alias.name.lstrip("_"),
                                                          node.module, _hint(alias.name)), "import")
            elif alias.name in FORBIDDEN_METHODS:
                self.report(node, "'from %s import %s' is not allowed: it %s"
                            % (node.module, alias.name, FORBIDDEN_METHODS[alias.name]), "import")
            else:
                self.check_module(node, node.module, alias.name)

    def check_module(self, node, module, member):
        """Reports a refused import; returns whether it did."""
        ctx = self.context
        top = module.split(".")[0]
        if top in ctx["local_tops"]:
            self.check_local(node, module, member)
            return False
        if member is None and import_allowed(module, ctx["allowed"]):
            return False
        if member is not None and import_allowed(module + "." + member, ctx["allowed"], member=True):
            return False
        shown = module + ("." + member if member and member != "*" else "")
        self.report(node, "import of '%s' is not allowed%s%s" % (shown, _hint(shown), _ALLOWED_LIST), "import")
        return True

    def check_local(self, node, module, member):
        ctx = self.context
        if module not in ctx["modules"] and module not in ctx["packages"]:
            self.report(node, "import of '%s': the app has no file %s.py" % (module, module.replace(".", "/")), "import")
            return
        if member and member != "*" and module in ctx["packages"] and module not in ctx["modules"]:
            sub = module + "." + member
            if sub not in ctx["modules"] and sub not in ctx["packages"]:
                self.report(node, "'from %s import %s': the app has no file %s/%s.py"
                            % (module, member, module.replace(".", "/"), member), "import")

    def check_relative(self, node):
        package = module_name(self.path).split(".")
        if not self.path.endswith("/__init__.py"):
            package = package[:-1]
        written = "." * node.level + (node.module or "")
        if node.level > len(package):
            hint = node.module or (node.names[0].name if node.names else "")
            self.report(node, "relative import 'from %s import ...' reaches above the app's top folder "
                        "(%s is imported as '%s'); write 'import %s' instead"
                        % (written, self.path, module_name(self.path), hint), "import")
            return
        base = package[: len(package) - (node.level - 1)]
        module = ".".join(base + ([node.module] if node.module else []))
        for alias in node.names:
            self.check_local(node, module, alias.name)


def _defines_app(body):
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and stmt.name == "app":
            return True
        targets = []
        if isinstance(stmt, ast.Assign):
            targets = stmt.targets
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets = [stmt.target]
        for target in targets:
            for node in ast.walk(target):
                if isinstance(node, ast.Name) and node.id == "app":
                    return True
        if isinstance(stmt, ast.ImportFrom) and any((a.asname or a.name) == "app" for a in stmt.names):
            return True
        for block in ("body", "orelse", "finalbody"):
            if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                    and _defines_app(getattr(stmt, block, []) or []):
                return True
        for handler in getattr(stmt, "handlers", []) or []:
            if _defines_app(handler.body):
                return True
    return False


def _context(files, allowed):
    modules, packages = _local_modules(files)
    allowed = sorted({a.strip() for a in allowed if a and a.strip()})
    return {
        "allowed": allowed,
        "allowed_shown": sorted({a for a in allowed if a != "__future__"}),
        "modules": modules,
        "packages": packages,
        "local_tops": {m.split(".")[0] for m in modules | packages},
    }


def validate(files, entrypoint, allowed_imports=None):
    """Every problem in the app's files, sorted by file, line and column.

    ``files`` maps relative paths to text; ``entrypoint`` is the .py file that
    must define ``app``; ``allowed_imports`` replaces the default allow-list
    (the forbidden modules stay forbidden whatever it holds).
    """
    allowed = list(DEFAULT_ALLOWED_IMPORTS if allowed_imports is None else allowed_imports)
    problems = _size_and_path_problems(files, entrypoint)
    if not isinstance(entrypoint, str) or not entrypoint.endswith(".py"):
        problems.append(_problem(str(entrypoint), 1, 1, "the entrypoint %s must be a .py file" % json.dumps(entrypoint),
                                 "entrypoint"))
    elif entrypoint not in files:
        problems.append(_problem(entrypoint, 1, 1, "the entrypoint %s is not one of the app's files" % entrypoint,
                                 "entrypoint"))
    if any(p["rule"] == "path" for p in problems):
        return _sorted(problems)
    problems.extend(_shadow_problems(files, allowed))
    context = _context(files, allowed)
    for path in sorted(files):
        if not path.endswith(".py"):
            continue
        syntax, tree = _syntax_problem(path, files[path])
        if syntax:
            problems.append(syntax)
            continue
        problems.extend(_FileChecker(path, files[path], tree, context).run())
        if path == entrypoint and not _defines_app(tree.body):
            problems.append(_problem(path, 1, 1, "%s defines no 'app' at module level; add for example "
                                     "'app = FastAPI()' or 'app, rt = fast_app()'" % path, "entrypoint"))
    return _sorted(problems, context["allowed_shown"])


def _sorted(problems, allowed_shown=()):
    ordered = sorted(problems, key=lambda p: (p["file"], p["line"], p["column"], p["rule"], p["message"]))
    unique = []
    for problem in ordered:
        if not unique or unique[-1] != problem:
            unique.append(problem)
    return _explain_allow_list(unique, allowed_shown)[:200]


def format_problem(problem):
    """``main.py:3:1: import of 'os' is not allowed; ...`` (the form editors link)."""
    return "%s:%d:%d: %s [%s]" % (problem["file"], problem["line"], problem["column"], problem["message"],
                                  problem["rule"])


def validate_json(payload):
    """JSON in, JSON out: ``{files, entrypoint, allowedImports?}`` -> list of problems."""
    request = json.loads(payload)
    return json.dumps(validate(request["files"], request["entrypoint"], request.get("allowedImports")))


def syntax_json(payload):
    """The syntax verdict of one file, for agreement tests: ``{path, source}`` -> problem or null."""
    request = json.loads(payload)
    problem, _ = _syntax_problem(request["path"], request["source"])
    return json.dumps(problem)

"""Berth runner: the run-time guard, a PEP 578 audit hook.

validation.py refuses what a syntax tree shows; Python cannot be confined by
that alone (a name built at run time, an allowed library that opens a file
for its caller). This hook is the second layer: installed by entrypoint.py
before the user's code is imported, it sees the interpreter's audit events
and refuses, by raising PermissionError before the action happens:

- whoever asks: process creation (os.system, os.exec*, os.posix_spawn, os.fork,
  subprocess.Popen, pty), ctypes calls, tracing and new audit hooks, writes and
  file-system changes outside /tmp, network connections other than the app's
  egress (its database, DNS), host-name look-ups other than those;
- when the app's own code asks (decided by the frames): imports outside the
  allow-list (ctypes and cffi among them), reads outside the code folder, /tmp, the installed libraries and
  the system data they read (time zones, MIME types, certificates), frames
  and code objects (sys._getframe, __code__, tb_frame, gi_frame), gc's object
  lists, compile/exec/eval, marshal, binding a listening socket.

Every refusal is logged as one JSON line ``{"event":"blocked", ...}``.

An audit hook cannot be removed from Python code. All of its state lives in
the closure made by ``install``; nothing refers to the hook function but the
interpreter, and the ways to reach closures and frames from Python (gc,
sys._getframe, tb_frame, tracing) are refused here too.
"""

import ipaddress
import os
import sys
import threading

from egress import egress_policy, nameservers as _nameservers

# Events refused whoever raises them, once the hook is in place.
PROCESS_EVENTS = frozenset({
    "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty", "pty.spawn",
    "subprocess.Popen", "os.startfile", "os.kill", "os.killpg",
})
INTERPRETER_EVENTS = frozenset({
    "sys.addaudithook", "sys.settrace", "sys.setprofile", "sys._settraceallthreads",
    "sys._setprofileallthreads", "sys.monitoring.register_callback", "sys.monitoring.use_tool_id",
})
# Events refused when the app's own code raises them directly.
INTERNAL_EVENTS = frozenset({
    "sys._getframe", "sys._getframemodulename", "sys._current_frames", "sys._current_exceptions",
    "object.__getattr__", "code.__new__", "function.__new__", "compile", "exec", "gc.get_objects",
    "gc.get_referrers", "gc.get_referents", "marshal.loads", "marshal.load", "pickle.find_class",
    "builtins.input", "builtins.breakpoint", "cpython.run_command", "cpython.run_file",
    "cpython.run_module", "cpython.run_startup", "cpython.run_interactivehook",
    "os.chdir", "os.putenv", "os.unsetenv", "_thread.start_new_thread",
})
FS_CHANGE_EVENTS = frozenset({
    "os.remove", "os.rmdir", "os.rename", "os.mkdir", "os.chmod", "os.chown", "os.symlink", "os.link",
    "os.truncate", "os.utime", "os.chflags", "os.lchflags", "os.mkfifo", "os.mknod", "os.setxattr",
    "os.removexattr", "shutil.rmtree", "shutil.copyfile", "shutil.copymode", "shutil.copystat",
    "shutil.copytree", "shutil.move", "shutil.chown", "shutil.make_archive", "shutil.unpack_archive",
})
LISTING_EVENTS = frozenset({"os.listdir", "os.scandir", "glob.glob", "glob.glob/2", "os.listxattr"})
CONNECT_EVENTS = frozenset({"socket.connect", "socket.sendto", "socket.sendmsg"})
LOOKUP_EVENTS = frozenset({"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
                           "socket.gethostbyaddr", "socket.getnameinfo"})
NATIVE_MODULES = frozenset({"ctypes", "_ctypes", "cffi", "_cffi_backend"})
WATCHED = (PROCESS_EVENTS | INTERPRETER_EVENTS | INTERNAL_EVENTS | FS_CHANGE_EVENTS | LISTING_EVENTS
           | CONNECT_EVENTS | LOOKUP_EVENTS | {"open", "import", "socket.bind", "socket.__new__"})

# What the interpreter and the libraries read for themselves while serving.
SYSTEM_READS = ("/etc/mime.types", "/etc/localtime", "/etc/timezone", "/usr/share/zoneinfo", "/etc/ssl",
                "/usr/lib/ssl", "/usr/share/ca-certificates", "/etc/ca-certificates", "/etc/hosts",
                "/etc/resolv.conf", "/etc/nsswitch.conf", "/etc/gai.conf", "/etc/host.conf",
                "/etc/services", "/etc/protocols", "/dev/urandom", "/dev/null")
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
_IMPORT_MACHINERY = ("<frozen importlib", "<frozen zipimport")


def _under(path, roots):
    return any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots)


def _text_path(value):
    if isinstance(value, bytes):
        return os.fsdecode(value)
    if isinstance(value, str):
        return value
    if hasattr(value, "__fspath__"):
        return _text_path(os.fspath(value))
    return None


def install(code_dir, environ, log, allowed_import, tmp_dir="/tmp"):
    """Add the hook. ``allowed_import(name)`` says whether the app may import a module;
    ``log(event, **fields)`` writes one JSON line. Returns nothing: nothing should hold the hook."""
    # Module globals can be rebound by whoever reaches this module: the hook keeps its own copies.
    process_events = PROCESS_EVENTS
    interpreter_events = INTERPRETER_EVENTS
    internal_events = INTERNAL_EVENTS
    fs_change_events = FS_CHANGE_EVENTS
    listing_events = LISTING_EVENTS
    connect_events = CONNECT_EVENTS
    lookup_events = LOOKUP_EVENTS
    native_modules = NATIVE_MODULES
    watched = WATCHED
    write_flags = WRITE_FLAGS
    import_machinery = _IMPORT_MACHINERY
    under = _under
    text_path = _text_path
    ip_address = ipaddress.ip_address
    import socket
    getaddrinfo = socket.getaddrinfo
    code_dir = os.path.realpath(code_dir)
    tmp_dir = os.path.realpath(tmp_dir)
    user_prefix = code_dir.rstrip("/") + "/"
    library_roots = tuple(sorted({os.path.realpath(p) for p in sys.path if p and os.path.isabs(p)}
                                 - {code_dir, os.path.realpath(os.getcwd())}))
    read_roots = (code_dir, tmp_dir) + library_roots + SYSTEM_READS
    names, networks, patterns = egress_policy(environ)
    nameservers = _nameservers()
    resolved = {}  # allowed name -> addresses, filled on first use
    state = threading.local()
    write_ok = (tmp_dir, "/dev/null", "/dev/stdout", "/dev/stderr")
    realpath = os.path.realpath
    getframe = sys._getframe
    local_tops = frozenset(n[:-3] if n.endswith(".py") else n for n in os.listdir(code_dir)
                           if not n.startswith("."))

    def user_file(frame):
        return frame is not None and frame.f_code.co_filename.startswith(user_prefix)

    def where(frame):
        """The deepest frame in the app's own files, for the log line."""
        while frame is not None:
            if user_file(frame):
                return frame.f_code.co_filename[len(user_prefix):], frame.f_lineno
            frame = frame.f_back
        return None, None

    def user_on_stack(frame):
        while frame is not None:
            if user_file(frame):
                return True
            frame = frame.f_back
        return False

    def importer(frame):
        while frame is not None and (frame.f_code.co_filename.startswith(import_machinery)
                                     or frame.f_code.co_filename.endswith("/importlib/__init__.py")):
            frame = frame.f_back
        return frame

    def port_ok(ports, port):
        return ports is None or port in ports

    def name_allowed(host, port=None):
        if host in names and (port is None or port_ok(names[host], port)):
            return True
        return any(host.endswith(suffix) and (port is None or port_ok(ports, port)) for suffix, ports in patterns)

    def address_allowed(host, port):
        host = str(host).lower()
        if name_allowed(host, port):
            return True
        if port == 53 and host in nameservers:
            return True
        try:
            address = ip_address(host.split("%", 1)[0])
        except ValueError:
            return False
        if any(address in network and port_ok(ports, port) for network, ports in networks):
            return True
        for name, ports in names.items():
            if not port_ok(ports, port):
                continue
            if name not in resolved:
                try:
                    resolved[name] = frozenset(info[4][0] for info in getaddrinfo(name, None))
                except OSError:
                    resolved[name] = frozenset()
            if str(address) in resolved[name]:
                return True
        return False

    def imported_by_user(frame):
        """The module an import executes, when the app's own code asked for it (importlib.import_module
        raises no "import" event of its own for the module it was asked for)."""
        spec = None
        while frame is not None and (frame.f_code.co_filename.startswith(import_machinery)
                                     or frame.f_code.co_filename.endswith("/importlib/__init__.py")):
            if spec is None and frame.f_code.co_name in ("_load_unlocked", "module_from_spec", "_load"):
                spec = frame.f_locals.get("spec")
            frame = frame.f_back
        name = getattr(spec, "name", None)
        return (name, frame) if name and user_file(frame) else (None, None)

    def refuse(event, frame, reason, detail):
        file, line = where(frame)
        log("blocked", level="error", audit_event=event, reason=reason, detail=str(detail)[:300],
            file=file, line=line)
        raise PermissionError("berth: %s is not allowed (%s)" % (event, reason))

    def check(event, args, frame):
        if event in process_events:
            refuse(event, frame, "apps cannot start processes or send signals", args[:2] if args else "")
        if event in interpreter_events:
            refuse(event, frame, "the runner's audit hook and tracing are fixed", "")
        if event.startswith("ctypes."):
            refuse(event, frame, "native code through ctypes is not allowed", args[:1])
        if event == "open":
            path = text_path(args[0])
            if path is None:
                return  # an already-open file descriptor
            full = realpath(path)
            mode, flags = args[1], args[2] if len(args) > 2 else 0
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or bool((flags or 0) & write_flags)
            if writing:
                if not under(full, write_ok):
                    refuse(event, frame, "only /tmp is writable", full)
            elif not under(full, read_roots) and user_on_stack(frame):
                refuse(event, frame, "apps read only their own files and /tmp", full)
            return
        if event in fs_change_events:
            for value in args:
                path = text_path(value)
                if path is not None and not under(realpath(path), (tmp_dir,)):
                    refuse(event, frame, "only /tmp is writable", path)
            return
        if event in listing_events:
            path = text_path(args[0]) if args and args[0] is not None else "."
            if path is not None and not under(realpath(path), read_roots) and user_on_stack(frame):
                refuse(event, frame, "apps read only their own files and /tmp", path)
            return
        if event == "import":
            module = args[0]
            asker = importer(frame)
            # Libraries may load their own native parts (cryptography uses cffi); the app may not.
            if user_file(asker) and module.split(".")[0] in native_modules:
                refuse(event, asker, "native code through ctypes or cffi is not allowed", module)
            if user_file(asker) and module.split(".")[0] not in local_tops and not allowed_import(module):
                refuse(event, asker, "the module is not on the app's import allow-list", module)
            return
        if event == "exec" and frame is not None and frame.f_code.co_filename.startswith(import_machinery):
            module, asker = imported_by_user(frame)
            if module and module.split(".")[0] not in local_tops and not allowed_import(module):
                refuse("import", asker, "the module is not on the app's import allow-list", module)
            return
        if event in internal_events:
            if user_file(frame):
                refuse(event, frame, "apps cannot reach frames, code objects or the interpreter",
                       args[1] if event == "object.__getattr__" and len(args) > 1 else "")
            return
        if event in connect_events:
            sock, address = args[0], args[1] if len(args) > 1 else None
            if address is None:
                return  # sendto/sendmsg on a connected socket: its connect was checked
            if isinstance(address, tuple) and len(address) >= 2:
                if not address_allowed(address[0], address[1]):
                    refuse(event, frame, "outside the app's egress (its database and DNS)",
                           "%s:%s" % (address[0], address[1]))
                return
            refuse(event, frame, "only TCP/UDP connections to the app's egress are allowed", address)
        if event in lookup_events:
            host = args[0]
            if isinstance(host, bytes):
                host = host.decode("idna", "replace")
            if host is None or not isinstance(host, str) or host in ("", "localhost"):
                return
            try:
                ip_address(host.split("%", 1)[0])
                return
            except ValueError:
                pass
            host = host.lower()
            if not name_allowed(host):
                refuse(event, frame, "the app may look up only its egress hosts", host)
            if host not in names:
                # Allowed by a pattern (an SRV record's targets): its addresses become reachable on that pattern's ports.
                names[host] = next((ports for suffix, ports in patterns if host.endswith(suffix)), None)
            return
        if event == "socket.bind" and user_on_stack(frame):
            address = args[1] if len(args) > 1 else None
            # Port 0 on a probe socket is how libraries test for IPv6 (urllib3's _has_ipv6).
            if not (isinstance(address, tuple) and len(address) >= 2 and address[1] == 0):
                refuse(event, frame, "apps cannot open listening sockets; the runner serves the app", address)
        if event == "socket.__new__" and len(args) > 2 and args[2] == 3 and user_on_stack(frame):
            refuse(event, frame, "raw sockets are not allowed", "")

    def hook(event, args):
        if event not in watched and not event.startswith("ctypes."):
            return
        if getattr(state, "busy", False):
            return  # an event raised by the hook's own work (sys._getframe, getaddrinfo)
        state.busy = True
        try:
            check(event, args, getframe(1))
        finally:
            state.busy = False

    _disarm_fork_exec()
    sys.addaudithook(hook)


def _refused_fork_exec(*args, **kwargs):
    """_posixsubprocess.fork_exec raises no audit event of its own; ask the hook first."""
    sys.audit("subprocess.Popen", args[0] if args else None, None, None, None)
    raise PermissionError("berth: starting processes is not allowed")


def _disarm_fork_exec():
    """Replace the one process-creating call the interpreter does not audit."""
    for name in ("_posixsubprocess", "subprocess", "multiprocessing.util"):
        module = sys.modules.get(name)
        if module is None and name == "_posixsubprocess":
            import _posixsubprocess as module
        if module is None:
            continue
        for attribute in ("fork_exec", "_fork_exec"):
            if hasattr(module, attribute):
                setattr(module, attribute, _refused_fork_exec)

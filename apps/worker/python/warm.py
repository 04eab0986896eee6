#!/usr/bin/env python3
"""A warm process for one Python function: imports what the function imports once, then forks a child per run.

The launcher (launcher.py) starts this process in the same sandbox as a function run (Landlock, rlimits, its own uid
when the worker is root, no new privileges, a clean environment: the worker's function env, nothing of the worker's
own) with argv [python, warm.py, <spec JSON>] and a SOCK_SEQPACKET control socket on fd 3. The spec names the
function's entry script and whether it is the runner package (then the script whose imports are warmed is the
worker's main.py, ALLORA_MAIN_PY, and the runner's own plan() builds main.py's command line in each child).

At start it parses the script with `ast` and imports every absolute module it names (`import a.b`, `from a import b`,
at any depth: imports inside predict() count too). The script's own top-level code is NOT run here. An import that
fails is left for the run to fail on, exactly as a fresh interpreter would (the child imports it again and prints the
same traceback). It then says {"ready": true, "imported": [...], "failed": [...], "ms": <import time>}.

Each request is one message {"id", "args", "env", "cwd"} with the run's stdin, stdout and stderr (and, with Landlock,
a ruleset fd for the run's own layer) passed as SCM_RIGHTS. The child becomes what `python3 <script> <args...>` is:
its own session and process group, fds 0/1/2 the request's, a further Landlock layer (write only its own scratch
folder), the request's environment built from scratch, cwd, sys.argv and sys.path[0] as a fresh interpreter has
them, and it runs the script with runpy as __main__; the interpreter's own exit (atexit, non-daemon threads, exit
code) ends it. This process answers {"id", "pid"} after the fork and {"id", "status", "usage"} after wait4. It dies
with the launcher and its children die with it (parent_death.py, whose path the spec gives); it exits when the control
socket closes.

Only the Python standard library is used; no module of the launcher's is imported (a function's own module named
`sandbox` or `runner` must not be shadowed).
"""
import ast
import atexit
import ctypes
import gc
import importlib
import importlib.util
import json
import os
import runpy
import selectors
import signal
import socket
import sys
import threading
import time
import traceback
import types

CONTROL_FD = 3
MAX_MESSAGE = 1 << 22
MAX_MODULES = 500
LANDLOCK_RESTRICT_SELF = 446
FAILED_MARK = b"allora-sandbox: "  # the launcher tells a sandbox failure from the function's own stderr by it

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def imports_of(path):
    """Absolute module names the script imports, in order (at most MAX_MODULES)."""
    with open(path, "rb") as f:
        tree = ast.parse(f.read(), filename=path)
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module != "__future__":
            names.append(node.module)
    own = os.path.splitext(os.path.basename(path))[0]
    return [n for n in dict.fromkeys(names) if n.split(".")[0] != own][:MAX_MODULES]


def warm_up(script):
    imported, failed = [], []
    try:
        names = imports_of(script)
    except (OSError, SyntaxError, ValueError) as err:
        return imported, [{"module": None, "error": f"{type(err).__name__}: {err}"}]
    for name in names:
        try:
            importlib.import_module(name)
            imported.append(name)
        except BaseException as err:  # noqa: BLE001 - SystemExit at import too: the run will meet it again
            if len(failed) < 20:
                failed.append({"module": name, "error": f"{type(err).__name__}: {err}"[:300]})
    return imported, failed


def warm_c_library():
    """What the C library sets up on a process's first name lookup (its resolver and name-service configuration,
    the address-sorting rules): done once here, so a run's first connection does not pay for it (2-3 ms a run)."""
    for host in ("127.0.0.1", "localhost"):
        try:
            socket.getaddrinfo(host, 80, 0, socket.SOCK_STREAM)
        except OSError:
            pass


def load_runner(entry):
    """The runner package's entry (exec_main_py.py) as a module that is not in sys.modules (main.py may have one
    of that name)."""
    spec = importlib.util.spec_from_file_location("_allora_runner", entry)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def send(sock, message):
    sock.send(json.dumps(message).encode())


def serve(sock):
    """Answers requests until the control socket closes; returns (in the child only) what the child must run."""
    selector = selectors.DefaultSelector()
    selector.register(sock, selectors.EVENT_READ)
    children = {}  # pidfd -> (pid, id)
    while True:
        for key, _ in selector.select():
            if key.fileobj is sock:
                try:
                    data, fds, _, _ = socket.recv_fds(sock, MAX_MESSAGE, 4)
                except OSError:
                    data, fds = b"", []
                if not data:
                    for fd in fds:
                        os.close(fd)
                    for pid, _ in children.values():
                        try:
                            os.killpg(pid, signal.SIGKILL)
                        except OSError:
                            pass
                    os._exit(0)
                request = json.loads(data)
                sys.stdout.flush()
                sys.stderr.flush()
                try:
                    pid = os.fork()
                except OSError as err:
                    for fd in fds:
                        os.close(fd)
                    send(sock, {"id": request["id"], "error": f"fork failed: {err.strerror}"})
                    continue
                if pid == 0:
                    sock.close()
                    selector.close()
                    for pidfd in children:
                        os.close(pidfd)
                    return request, fds
                for fd in fds:
                    os.close(fd)
                pidfd = os.pidfd_open(pid)
                children[pidfd] = (pid, request["id"])
                selector.register(pidfd, selectors.EVENT_READ)
                send(sock, {"id": request["id"], "pid": pid})
            else:
                pidfd = key.fd
                selector.unregister(pidfd)
                pid, rid = children.pop(pidfd)
                os.close(pidfd)
                _, status, usage = os.wait4(pid, 0)
                send(sock, {"id": rid, "status": status, "usage": {
                    "cpu_user_time": int(usage.ru_utime * 1e9),
                    "cpu_sys_time": int(usage.ru_stime * 1e9),
                    "memory_max_kb": int(usage.ru_maxrss),
                }})


def precompile(script):
    """main.py's source and code object, compiled (never run) here: compiling costs a child milliseconds."""
    try:
        with open(script, "rb") as f:
            source = f.read()
        return os.path.abspath(script), source, compile(source, script, "exec", dont_inherit=True)
    except (OSError, SyntaxError, ValueError):
        return None


def run_script(script, compiled):
    """runpy.run_path(script, run_name="__main__"), with the code compiled in the warm process when the file still
    holds exactly the source it was compiled from (main.py is read again by every run: an edit shows at once)."""
    if compiled is not None and compiled[0] == script and hasattr(runpy, "_run_module_code"):
        with open(script, "rb") as f:
            source = f.read()
        if source == compiled[1]:
            runpy._run_module_code(compiled[2], None, "__main__", pkg_name="", script_name=script)
            return
    runpy.run_path(script, run_name="__main__")


def become(spec, runner, request, fds, compiled, parent):
    """In the forked child: set up exactly what a fresh `python3 <script> <args...>` has, then run the script.
    `parent`: the warm process (the module that makes the child die with it, and its pid)."""
    os.setsid()
    parent[0].die_with_parent(parent[1])
    for target, fd in enumerate(fds[:3]):
        os.dup2(fd, target)
    for fd in fds[:3]:
        if fd > 2:
            os.close(fd)
    if len(fds) > 3:
        if _libc.syscall(ctypes.c_long(LANDLOCK_RESTRICT_SELF), ctypes.c_int(fds[3]), ctypes.c_uint32(0)) != 0:
            os.write(2, FAILED_MARK + f"cannot apply the run's Landlock layer: errno {ctypes.get_errno()}\n".encode())
            os._exit(126)
        os.close(fds[3])
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ.pop(parent[0].PARENT_PID_ENV, None)  # the cold runner takes it out of main.py's environment too
    os.chdir(request["cwd"])
    args = list(request["args"])
    if runner is not None:
        argv = runner.plan(os.environ, args[1:])[1:]  # [main.py, topic, height, height_eval, argument, ...]
        os.chdir(os.path.dirname(os.path.abspath(argv[0])))
    else:
        argv = args
    script = os.path.abspath(argv[0])
    sys.argv = argv
    sys.path[0] = os.path.dirname(script)
    code = 0
    try:
        run_script(script, compiled)
    except SystemExit as done:
        code = exit_code(done)
    except BaseException as err:  # noqa: BLE001 - print it as the interpreter would, from the script's frames on
        tb = err.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != script:
            tb = tb.tb_next
        traceback.print_exception(type(err), err, tb)
        code = 1
    finish(code)


def exit_code(done):
    """The exit code the interpreter gives a SystemExit (a message is printed to stderr, and means 1)."""
    if done.code is None:
        return 0
    if isinstance(done.code, int):
        return done.code & 0xFF
    try:
        sys.stderr.write(f"{done.code}\n")
    except Exception:  # noqa: BLE001
        pass
    return 1


def finish(code):
    """What the interpreter's exit does that a run can see (non-daemon threads joined, atexit handlers run, output
    flushed), without tearing down every module the warm process imported: that costs tens of milliseconds."""
    try:
        threading._shutdown()
    except Exception:  # noqa: BLE001
        pass
    try:
        atexit._run_exitfuncs()
    except SystemExit as done:
        code = exit_code(done)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a closed pipe: nothing more to say
            pass
    os._exit(code)


def main():
    spec = json.loads(sys.argv[1])
    # The launcher's parent-death module, by path under a private name (a function's own modules stay unshadowed).
    parent_death = types.SimpleNamespace(**runpy.run_path(spec["parent_death"], run_name="_allora_parent_death"))
    parent_death.die_with_parent(parent_death.told_parent(os.environ))
    entry = spec["entry"]
    script = os.environ.get("ALLORA_MAIN_PY", "") if spec.get("runner") else entry
    sys.path[0] = os.path.dirname(os.path.abspath(script))  # as `python3 <script>` has it, never this folder
    if spec.get("runner"):
        os.chdir(sys.path[0])  # main.py's imports may open files relative to its folder, as its runs do
    runner = load_runner(entry) if spec.get("runner") else None
    started = time.monotonic()
    imported, failed = warm_up(script)
    compiled = precompile(script)
    warm_c_library()
    gc.freeze()  # what the imports made is never collected in a child, so its pages stay shared
    sock = socket.socket(fileno=int(spec.get("control_fd", CONTROL_FD)))
    send(sock, {"ready": True, "imported": imported, "failed": failed,
                "ms": round((time.monotonic() - started) * 1000, 1)})
    me = os.getpid()
    request, fds = serve(sock)
    become(spec, runner, request, fds, compiled, (parent_death, me))


if __name__ == "__main__":
    main()

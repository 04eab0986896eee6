"""The launcher's warm processes: one per Python function (and per main.py for the runner), each running warm.py.

A request with "warm": {"entry", "runner", "server_env", "watch"} runs through the warm process of its key (the
interpreter, entry, runner flag, function env and read paths), started on first use in the sandbox of a run (same
Landlock read rules with write access to its own folder only, rlimits, its own uid when the launcher is root, no new
privileges, exactly server_env as its environment). Never stale: the folders in "watch" (main.py's folder; a
package's folder) are fingerprinted on every request (names, sizes and mtimes, at most FINGERPRINT_ENTRIES entries)
(__pycache__, node_modules and hidden folders aside) and a change replaces the warm process; main.py itself is read again by every run anyway. A warm process that died
is replaced. One that crashes before it is ready marks its key broken for that fingerprint: those requests run cold
(the cold run prints the error a fresh interpreter gives). Waiting for its imports counts against the request's own
timeout, so an import that hangs is answered FUNCTION_TIMEOUT like a run that hangs, and its key goes cold too.

Each run: the launcher makes its scratch folder inside the warm process's folder (same name as the cold one; HOME
and TMPDIR follow it), builds the run's own Landlock layer (the read rules, write only that folder), and passes the
run's stdin, stdout, stderr and that layer to the warm process, which forks the run and says its pid; from then on
the run is watched like a cold one (launcher.watch: caps, timeout killing the group, orphans swept), and its wait
status and usage come from the warm process's wait4.
"""
import json
import os
import queue
import shutil
import socket
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
WARM_PY = os.path.join(HERE, "warm.py")
FINGERPRINT_ENTRIES = 2000
# Never Python's to import: bytecode caches, a Node app's dependencies (the images keep main.py in the worker's /app),
# version-control and other hidden folders.
SKIPPED = {"__pycache__", "node_modules"}
MAX_MESSAGE = 200_000  # a request bigger than this (a huge environment) runs cold
EXIT_WAIT_S = 5.0  # after the run's exit, how long its wait status may take to arrive

L = None  # the launcher module (bound by launcher.py: SANDBOX, RUNNING, CHILDREN_LOCK, JANITOR, watch, ...)
LOCK = threading.Lock()
SERVERS = {}  # key -> WarmServer
BROKEN = {}  # key -> fingerprint at which its warm process could not get ready: cold until the files change
LIVE = set()  # pids of warm runs in progress (each its own session): sweeps spare their orphans
LIVE_LOCK = threading.Lock()
COUNTER = [0]


def bind(launcher):
    global L
    L = launcher


def live_runs():
    with LIVE_LOCK:
        return set(LIVE)


def fingerprint(paths):
    """Names, sizes and mtimes under each path (bytecode caches aside), at most FINGERPRINT_ENTRIES entries."""
    seen = []
    stack = [p for p in paths if p]
    while stack and len(seen) < FINGERPRINT_ENTRIES:
        path = stack.pop()
        try:
            with os.scandir(path) as entries:
                for entry in entries:
                    if entry.name in SKIPPED or (entry.name.startswith(".") and entry.is_dir()):
                        continue
                    try:
                        st = entry.stat(follow_symlinks=True)
                    except OSError:
                        seen.append((entry.path, None))
                        continue
                    seen.append((entry.path, st.st_size, st.st_mtime_ns, st.st_ino))
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
        except NotADirectoryError:
            try:
                st = os.stat(path)
                seen.append((path, st.st_size, st.st_mtime_ns, st.st_ino))
            except OSError:
                seen.append((path, None))
        except OSError:
            seen.append((path, None))
    return hash(tuple(sorted(seen, key=repr)))


def key_of(request):
    spec = request["warm"]
    return json.dumps([request["command"], spec["entry"], bool(spec.get("runner")), spec.get("server_env", {}),
                       sorted(request.get("read_paths", []))], sort_keys=True)


def note(event, **fields):
    L.send({"warm": dict(fields, event=event)})


class WarmServer:
    def __init__(self, key, request, print_fingerprint):
        COUNTER[0] += 1
        self.index = COUNTER[0]
        self.key = key
        self.fingerprint = print_fingerprint
        self.spec = request["warm"]
        self.entry = self.spec["entry"]
        self.uid = L.SANDBOX.warm_uid(self.index)
        self.runs_dir = os.path.join(os.path.dirname(request["cwd"]), f"warm-{os.getpid()}-{self.index}")
        self.read_paths = list(request.get("read_paths", []))
        self.lock = threading.Lock()
        self.pending = {}
        self.ready = threading.Event()
        self.info = None
        self.dead = False
        self.retiring = False
        self.in_flight = 0
        self.pid = None
        self.sock = None
        self.started = time.monotonic_ns()
        threading.Thread(target=self.life, args=(request,), name="warm", daemon=True).start()

    def life(self, request):
        """This thread starts the warm process (sandboxed: the thread applies the run's layers to itself and
        posix_spawns), then reads its answers until it goes. It lives as long as the process: a parent-death signal
        follows the thread that spawned."""
        theirs = None
        try:
            os.mkdir(self.runs_dir, 0o700)
            if self.uid is not None:
                os.chown(self.runs_dir, self.uid, self.uid)
            self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            command = request["command"]
            if not os.path.isabs(command):
                command = shutil.which(command, path=request["env"].get("PATH", os.defpath)) or command
            start = {"command": command, "args": [WARM_PY], "cwd": self.runs_dir,
                     "read_paths": self.read_paths + [HERE, L.PARENT_DEATH_PY]}
            setup = L.SANDBOX.prepare(start, self.uid)
            env = dict(self.spec.get("server_env", {}), HOME=self.runs_dir, TMPDIR=self.runs_dir,
                       ALLORA_PARENT_PID=str(os.getpid()))
            null = os.open(os.devnull, os.O_RDWR)
            try:
                if setup.threaded:
                    own_cwd = L.sandbox.unshare_fs()
                    setup.restrict_thread()
                    setup.argv.append(json.dumps(self.argument()))
                    pid, _ = L.thread_spawn(start, setup, env, (null, null, null, theirs.fileno()), own_cwd)
                else:
                    # Without prlimit(1): Popen keeps the socket under its own number; warm.py is told which.
                    setup.argv.append(json.dumps(dict(self.argument(), control_fd=theirs.fileno())))
                    pid, _ = L.popen_spawn(start, setup, env, (null, null, null), keep=(theirs.fileno(),))
            finally:
                os.close(null)
                setup.close()
            self.pid = pid
            theirs.close()
            theirs = None
            self.read()
        except Exception as err:  # noqa: BLE001 - any failure to start means: this key runs cold
            note("failed", entry=self.entry, error=f"{type(err).__name__}: {err}")
        finally:
            if theirs is not None:
                theirs.close()
            self.die()

    def argument(self):
        return {"entry": self.entry, "runner": bool(self.spec.get("runner")), "parent_death": L.PARENT_DEATH_PY}

    def read(self):
        while True:
            try:
                data = self.sock.recv(1 << 20)
            except OSError:
                return
            if not data:
                return
            message = json.loads(data)
            if message.get("ready"):
                self.info = message
                self.ready.set()
                note("ready", entry=self.entry, pid=self.pid, imported=len(message.get("imported", [])),
                     failed=message.get("failed", []), ms=message.get("ms"))
                continue
            with self.lock:
                waiter = self.pending.get(message.get("id"))
            if waiter is not None:
                waiter.put(message)

    def die(self):
        with self.lock:
            self.dead = True
            waiters = list(self.pending.values())
        for w in waiters:
            w.put({"dead": True})
        self.ready.set()
        if self.pid is not None:
            L.kill_group(self.pid)
            L.wait_child(self.pid, None)
            if self.info is not None and not self.retiring:
                note("exited", entry=self.entry, pid=self.pid)
        if self.sock is not None:
            self.sock.close()
        L.JANITOR.put((self.runs_dir, True))

    def retire(self):
        """No new runs; it goes when its last run is answered (its control socket closes, so warm.py exits)."""
        with self.lock:
            self.retiring = True
            idle = self.in_flight == 0
        if idle:
            self.close()

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except (OSError, AttributeError):
            pass

    def kill(self):
        if self.pid is not None:
            L.kill_group(self.pid)
        self.close()

    def submit(self, rid, data, fds):
        """Hands a run to the warm process; returns the queue its answers arrive on, or None if it is gone."""
        answers = queue.SimpleQueue()
        with self.lock:
            if self.dead:
                return None
            self.pending[rid] = answers
            self.in_flight += 1
        try:
            socket.send_fds(self.sock, [data], fds)
        except OSError:
            self.done(rid)
            return None
        return answers

    def done(self, rid):
        with self.lock:
            self.pending.pop(rid, None)
            self.in_flight -= 1
            last = self.retiring and self.in_flight == 0
        if last:
            self.close()


def server_for(request):
    """The warm process for the request (started if needed), or None when its key runs cold now."""
    key = key_of(request)
    current = fingerprint(request["warm"].get("watch", []))
    with LOCK:
        if BROKEN.get(key) == current:
            return None
        BROKEN.pop(key, None)
        server = SERVERS.get(key)
        if server is not None and (server.dead or server.fingerprint != current):
            if not server.dead:
                note("replaced", entry=server.entry, pid=server.pid, reason="its folder changed")
            server.retire()
            server = None
        if server is None:
            server = WarmServer(key, request, current)
            SERVERS[key] = server
        return server


def mark_broken(server):
    with LOCK:
        BROKEN[server.key] = server.fingerprint
        if SERVERS.get(server.key) is server:
            del SERVERS[server.key]


class GoCold(Exception):
    """The warm process went away before it took the run: the run starts cold instead."""


class NoSetup:
    """What launcher.watch asks of a run's setup, for a run the warm process forked."""
    trampoline = False

    def kill_domain(self):
        # What left the run's group (a setsid daemon, reparented to the launcher) and may hold its pipes.
        L.sweep()


def run(request):
    """Runs the request through its warm process and returns the answer, or None to run it cold."""
    started = time.monotonic_ns()
    deadline = started + request["timeout_ms"] * 1_000_000
    server = server_for(request)
    if server is None:
        return None
    if not server.ready.wait(max(0.0, (deadline - time.monotonic_ns()) / 1e9)):
        mark_broken(server)  # an import that hangs: this one times out, the next ones run cold (and time out too)
        server.kill()
        note("timeout", entry=server.entry, pid=server.pid, ms=request["timeout_ms"])
        answer = L.failure(request, started, 137, "FUNCTION_TIMEOUT",
                           f"the function ran longer than {request['timeout_ms']} ms and was killed with its process "
                           "group (it was still importing main.py's modules)")
        return answer
    if server.dead or server.info is None:
        mark_broken(server)
        return None
    scratch = os.path.join(server.runs_dir, os.path.basename(request["cwd"]))
    try:
        return execute(request, started, server, scratch)
    finally:
        L.sweep()  # orphans of this run (other warm runs' are spared by their session)
        L.JANITOR.put((scratch, False))  # swept just above, from an unsandboxed thread


def execute(request, started, server, scratch):
    os.mkdir(scratch, 0o700)
    if server.uid is not None:
        os.chown(scratch, server.uid, server.uid)
    env = {k: (scratch if v == request["cwd"] else v) for k, v in request["env"].items()}
    run_request = dict(request, cwd=scratch, env=env)
    layer = None
    if L.SANDBOX.landlock:
        try:
            layer = L.SANDBOX.landlock.ruleset(list(request.get("read_paths", [])) + L.SANDBOX.read_paths, [scratch])
        except OSError as err:
            return L.failure(request, started, 126, "FUNCTION_SANDBOX_FAILED",
                             f"cannot prepare the sandbox of {request['command']}: {err.strerror or err}")
    answers = {}
    rid = request["id"]

    def spawn(_request, _setup, child_env, fds):
        data = json.dumps({"id": rid, "args": request["args"], "env": child_env, "cwd": scratch}).encode()
        if len(data) > MAX_MESSAGE:
            raise OSError(0, f"the request's environment is too large for the warm process ({len(data)} bytes)")
        q = server.submit(rid, data, list(fds) + ([layer] if layer is not None else []))
        if q is None:
            raise GoCold()
        answers["q"] = q
        first = wait(q, deadline_s=(started / 1e9 + request["timeout_ms"] / 1000 + 1))
        if "pid" not in first:
            server.done(rid)
            if first.get("error"):
                raise OSError(0, first["error"])
            raise GoCold()
        with LIVE_LOCK:
            LIVE.add(first["pid"])
        return first["pid"], None

    def collect(pid, _proc):
        message = wait(answers["q"], deadline_s=time.monotonic() + EXIT_WAIT_S, monotonic=True)
        with LIVE_LOCK:
            LIVE.discard(pid)
        server.done(rid)
        if "status" in message:
            return message["status"], message.get("usage", {}), None
        return 9, {}, ("FUNCTION_SPAWN_FAILED", "the function's warm process exited during the run")

    try:
        return L.watch(run_request, started, NoSetup(), spawn, collect)
    except GoCold:
        return None
    finally:
        if layer is not None:
            L.close_quietly(layer)


def wait(q, deadline_s, monotonic=False):
    now = time.monotonic() if monotonic else time.monotonic_ns() / 1e9
    try:
        return q.get(timeout=max(0.05, deadline_s - now))
    except queue.Empty:
        return {}


def kill_all():
    with LOCK:
        servers = list(SERVERS.values())
    for server in servers:
        server.kill()
    for pid in live_runs():
        L.kill_group(pid)

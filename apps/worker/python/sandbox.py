"""The function sandbox: the layers the launcher applies to every function process, and their probe at start.

Everything here uses what Linux gives a process without privileges, through ctypes (standard library only):

- Landlock (x86_64 raw syscalls): the function may read and execute only the system folders, the interpreters'
  prefixes, its own package and the folders the worker names (main.py's, --function-read-paths), write only its
  scratch folder and a few /dev files, and nothing at all under /proc. A granted folder that holds one of the
  worker's secret paths (key folder, data folder, mnemonic file) is granted entry by entry around it. With ABI 6+
  the function cannot signal, nor connect to an abstract unix socket of, any process outside its own domain.
- rlimits: data segment (memory), processes, file size, open files, no core dumps.
- a separate uid per run slot when the launcher runs as root (a root launcher that cannot use them drops every
  capability of its functions instead).

The launcher itself is a child subreaper (orphans of its functions come back to it and are killed at the end of
each run) and not dumpable (no ptrace, no /proc/<pid>/environ for its own uid).
"""
import ctypes
import errno
import os
import resource
import signal
import stat
import sys
import threading

LANDLOCK_CREATE_RULESET = 444
LANDLOCK_ADD_RULE = 445
LANDLOCK_RESTRICT_SELF = 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1
MAX_RESOLVED = 256  # read paths whose resolved rules are kept

FS_EXECUTE = 1 << 0
FS_WRITE_FILE = 1 << 1
FS_READ_FILE = 1 << 2
FS_READ_DIR = 1 << 3
FS_REMOVE_DIR = 1 << 4
FS_REMOVE_FILE = 1 << 5
FS_MAKE_CHAR = 1 << 6
FS_MAKE_DIR = 1 << 7
FS_MAKE_REG = 1 << 8
FS_MAKE_SOCK = 1 << 9
FS_MAKE_FIFO = 1 << 10
FS_MAKE_BLOCK = 1 << 11
FS_MAKE_SYM = 1 << 12
FS_REFER = 1 << 13  # ABI 2
FS_TRUNCATE = 1 << 14  # ABI 3
FS_IOCTL_DEV = 1 << 15  # ABI 5
SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1  # ABI 6

FILE_RIGHTS = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV
READ_EXEC = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
LINUX_CAPABILITY_VERSION_3 = 0x20080522

SYSTEM_READ = ["/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/sys/devices/system/cpu"]
DEVICES_RW = ["/dev/null", "/dev/zero", "/dev/full"]
DEVICES_R = ["/dev/urandom", "/dev/random"]
# Marks a failure inside the child before exec, so the launcher can tell it from the function's own stderr.
FAILED_MARK = b"allora-sandbox: "

_libc = ctypes.CDLL(None, use_errno=True)
_syscall = _libc.syscall
_syscall.restype = ctypes.c_long
_prctl = _libc.prctl
_prctl.restype = ctypes.c_int


class RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def prctl(option, arg2=0):
    return _prctl(ctypes.c_int(option), ctypes.c_ulong(arg2), ctypes.c_ulong(0), ctypes.c_ulong(0),
                  ctypes.c_ulong(0))


def _errno_text(err):
    return f"{errno.errorcode.get(err, err)} ({os.strerror(err)})"


def landlock_abi():
    """The kernel's Landlock ABI version, or (0, why not)."""
    if sys.platform != "linux" or os.uname().machine != "x86_64":
        return 0, f"Landlock syscalls are wired for Linux x86_64 only, not {sys.platform} {os.uname().machine}"
    abi = _syscall(ctypes.c_long(LANDLOCK_CREATE_RULESET), None, ctypes.c_size_t(0),
                   ctypes.c_uint32(LANDLOCK_CREATE_RULESET_VERSION))
    if abi >= 1:
        return int(abi), None
    err = ctypes.get_errno()
    if err == errno.ENOSYS:
        why = "the kernel has no Landlock (Linux 5.13+ built with CONFIG_SECURITY_LANDLOCK is needed)"
    elif err == errno.EOPNOTSUPP:
        why = "Landlock is built in but not enabled (add landlock to the kernel's lsm= boot parameter)"
    elif err == errno.EPERM:
        why = "a seccomp filter refuses the Landlock syscalls (a container runtime's default profile?)"
    else:
        why = f"landlock_create_ruleset failed: {_errno_text(err)}"
    return 0, why


def handled_fs(abi):
    rights = (1 << 13) - 1
    if abi >= 2:
        rights |= FS_REFER
    if abi >= 3:
        rights |= FS_TRUNCATE
    if abi >= 5:
        rights |= FS_IOCTL_DEV
    return rights


def handled_scopes(abi):
    return SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0


def _under(path, root):
    return path == root or path.startswith(root.rstrip("/") + "/")


class Landlock:
    """Builds one ruleset per run; the child only calls restrict_self on it."""

    def __init__(self, abi, secret_paths, private_paths=()):
        self.abi = abi
        self.fs = handled_fs(abi)
        self.scoped = handled_scopes(abi)
        # Secret: nothing at or under it is ever granted. Private (the data folder): never granted whole, but what
        # the worker names under it (a function's package) is.
        self.secrets = [os.path.realpath(p) for p in secret_paths if p]
        self.private = [os.path.realpath(p) for p in private_paths if p]
        self.static = []  # (O_PATH fd, access) opened once: folders whose inode stays while the worker runs
        # A read path's rules as last resolved: path -> (what stat said then, [(O_PATH fd, access)], the folders the
        # split listed). Resolving a path (realpath, the split around secrets, an open and a stat per rule) cost each
        # run about a hundred system calls; a stat of it and of those folders now tells whether the rules still hold.
        self.resolved = {}
        self.resolved_lock = threading.Lock()

    def add_static(self, path, access):
        for p, a in self.split(path, access, listing=False):
            fd = _open_path(p)
            if fd is not None:
                self.static.append((fd, a))

    def split(self, path, access, listing, listed=None):
        """(path, access) rules granting `path` except the secret paths in it, entry by entry around them; the
        folders whose entries it listed are appended to `listed`."""
        path = os.path.realpath(path)
        if any(_under(path, s) for s in self.secrets):
            return []
        inside = [s for s in self.secrets + self.private if _under(s, path)]
        if not inside:
            return [(path, access)]
        rules = [(path, FS_READ_DIR)] if listing else []
        try:
            entries = os.listdir(path)
        except OSError:
            return rules
        if listed is not None:
            listed.append(path)
        for name in entries:
            rules.extend(self.split(os.path.join(path, name), access, listing=False, listed=listed))
        return rules

    def ruleset(self, read_paths, write_paths):
        """A ruleset fd for one run (the caller closes it), or raises OSError."""
        size = 8 if self.abi < 4 else 16 if self.abi < 6 else 24
        attr = RulesetAttr(self.fs, 0, self.scoped)
        fd = _syscall(ctypes.c_long(LANDLOCK_CREATE_RULESET), ctypes.byref(attr), ctypes.c_size_t(size),
                      ctypes.c_uint32(0))
        if fd < 0:
            err = ctypes.get_errno()
            raise OSError(err, f"landlock_create_ruleset: {_errno_text(err)}")
        fd = int(fd)
        try:
            for rule_fd, access in self.static:
                self._add(fd, rule_fd, access)
            with self.resolved_lock:  # a rule's fd stays open until every ruleset that uses it is built
                for path in read_paths:
                    for rule_fd, access in self.read_rules(path):
                        self._add_rule(fd, rule_fd, access)
            for path in write_paths:
                self._add_path(fd, path, self.fs)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def read_rules(self, path):
        """The (fd, access) rules that grant reading `path`, resolved again only when stat tells a different file
        or folder there, or in a folder the split around secrets listed (another inode, or entries changed: its
        mtime): a rule is bound to the inode its fd was opened on, so unchanged inodes keep granting exactly that."""
        cached = self.resolved.pop(path, None)
        if cached is not None:
            if cached[0] == _stat_key([path] + cached[2]):
                self.resolved[path] = cached
                return cached[1]
            for rule_fd, _ in cached[1]:
                os.close(rule_fd)
        listed = []
        key = _stat_key([path])
        if key[0] is None:
            return []  # nothing there (a folder this host lacks): nothing to grant
        rules = []
        for p, access in self.split(path, READ_EXEC, listing=True, listed=listed):
            rule_fd = _open_path(p)
            allowed = None if rule_fd is None else _access_on(rule_fd, access)
            if allowed is None:
                if rule_fd is not None:
                    os.close(rule_fd)
                continue
            rules.append((rule_fd, allowed))
        if len(self.resolved) >= MAX_RESOLVED:  # every package ever run has its folder here: bound it
            for _, old, _ in self.resolved.values():
                for rule_fd, _ in old:
                    os.close(rule_fd)
            self.resolved.clear()
        listed = [d for d in listed if d != os.path.realpath(path)]
        self.resolved[path] = (key + _stat_key(listed), rules, listed)
        return rules

    def _add_path(self, ruleset_fd, path, access):
        rule_fd = _open_path(path)
        if rule_fd is None:
            return
        try:
            self._add(ruleset_fd, rule_fd, access)
        finally:
            os.close(rule_fd)

    def _add(self, ruleset_fd, rule_fd, access):
        allowed = _access_on(rule_fd, access)
        if allowed is not None:
            self._add_rule(ruleset_fd, rule_fd, allowed)

    def _add_rule(self, ruleset_fd, rule_fd, access):
        attr = PathBeneathAttr(access & self.fs, rule_fd)
        if _syscall(ctypes.c_long(LANDLOCK_ADD_RULE), ctypes.c_int(ruleset_fd),
                    ctypes.c_int(LANDLOCK_RULE_PATH_BENEATH), ctypes.byref(attr), ctypes.c_uint32(0)) < 0:
            err = ctypes.get_errno()
            raise OSError(err, f"landlock_add_rule: {_errno_text(err)}")


def _stat_key(paths):
    """What stat says of each path (None for one that is not there): equal keys, same inodes and entries."""
    key = []
    for p in paths:
        try:
            st = os.stat(p)
            key.append((st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns))
        except OSError:
            key.append(None)
    return tuple(key)


def _access_on(rule_fd, access):
    """`access` as a rule on what `rule_fd` is may grant it (a file takes no folder rights), or None if it is gone."""
    try:
        is_dir = stat.S_ISDIR(os.fstat(rule_fd).st_mode)
    except OSError:
        return None
    return access if is_dir else access & FILE_RIGHTS


def _open_path(path):
    try:
        return os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return None  # a folder this host does not have (e.g. /lib32)


def interpreter_prefixes(interpreters, search_path):
    """Folders an interpreter needs: the prefix of the program as named and of the file it resolves to."""
    out = []
    for name in interpreters:
        if not name:
            continue
        found = name if os.path.isabs(name) else which(name, search_path)
        if not found:
            continue
        for program in (os.path.abspath(found), os.path.realpath(found)):
            bin_dir = os.path.dirname(program)
            prefix = os.path.dirname(bin_dir)
            out.append(bin_dir if prefix == "/" else prefix)  # /bin/sh: /bin, never the whole root
    return list(dict.fromkeys(out))


def which(name, search_path):
    for folder in search_path.split(":"):
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def set_limits(limits):
    """setrlimit for the child; soft = hard, so the function cannot raise them."""
    for name, value in limits:
        resource.setrlimit(name, (value, value))


def count_tasks_of(uid):
    """Tasks (threads included, as RLIMIT_NPROC counts them) whose real uid is `uid`; kernel threads do not count."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or entry == "2":
            continue
        try:
            with open(f"/proc/{entry}/status", "rb") as f:
                text = f.read()
        except OSError:
            continue
        real = threads = parent = None
        for line in text.split(b"\n"):
            if line.startswith(b"Uid:"):
                real = int(line.split()[1])
            elif line.startswith(b"Threads:"):
                threads = int(line.split()[1])
            elif line.startswith(b"PPid:"):
                parent = int(line.split()[1])
        if real == uid and parent != 2:
            total += threads or 1
    return total


def drop_capabilities(last_cap):
    """Empties the bounding, ambient, effective, permitted and inheritable sets: uid 0 without root's powers."""
    for cap in range(last_cap + 1):
        prctl(PR_CAPBSET_DROP, cap)
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    header = CapHeader(LINUX_CAPABILITY_VERSION_3, 0)
    data = (CapData * 2)()
    if _libc.capset(ctypes.byref(header), ctypes.byref(data)) != 0:  # a plain syscall: this thread only
        err = ctypes.get_errno()
        raise OSError(err, f"capset: {_errno_text(err)}")


def last_capability():
    try:
        with open("/proc/sys/kernel/cap_last_cap") as f:
            return int(f.read())
    except (OSError, ValueError):
        return 63


SYS_SETGROUPS = 116
SYS_SETRESUID = 117
SYS_SETRESGID = 119
SYS_UNSHARE = 272
CLONE_FS = 0x200


def thread_set_ids(uid):
    """Switches only the calling thread to `uid` (raw syscalls: glibc's wrappers would switch every thread)."""
    for number, args in ((SYS_SETGROUPS, (ctypes.c_size_t(0), None)),
                         (SYS_SETRESGID, (ctypes.c_uint(uid),) * 3),
                         (SYS_SETRESUID, (ctypes.c_uint(uid),) * 3)):
        if _syscall(ctypes.c_long(number), *args) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"cannot switch to uid {uid}: {_errno_text(err)}")


def thread_no_new_privs():
    if prctl(PR_SET_NO_NEW_PRIVS, 1) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"PR_SET_NO_NEW_PRIVS: {_errno_text(err)}")


def restrict_self(ruleset_fd):
    if _syscall(ctypes.c_long(LANDLOCK_RESTRICT_SELF), ctypes.c_int(ruleset_fd), ctypes.c_uint32(0)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"landlock_restrict_self: {_errno_text(err)}")


def unshare_fs():
    """Gives the calling thread its own working directory; False where a seccomp filter refuses unshare."""
    return _syscall(ctypes.c_long(SYS_UNSHARE), ctypes.c_ulong(CLONE_FS)) == 0


def child_setup(ruleset_fd, limits, drop_caps, last_cap):
    """Runs in the forked child, after the uid switch and before exec: only precomputed values and syscalls."""
    try:
        if prctl(PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
            raise OSError(ctypes.get_errno(), "PR_SET_PDEATHSIG")
        if limits:
            set_limits(limits)
        if drop_caps:
            drop_capabilities(last_cap)
        thread_no_new_privs()
        if ruleset_fd is not None:
            restrict_self(ruleset_fd)
    except BaseException as err:  # noqa: BLE001 - the child must never return into the launcher's code
        try:
            os.write(2, FAILED_MARK + f"cannot apply the function sandbox: {err}\n".encode())
        finally:
            os._exit(126)


def probe_landlock(abi, fs):
    """Applies an empty ruleset in a child and checks that reading /etc/hostname is then refused."""
    pid = os.fork()
    if pid == 0:
        try:
            attr = RulesetAttr(fs, 0, 0)
            size = 8 if abi < 4 else 16 if abi < 6 else 24
            fd = _syscall(ctypes.c_long(LANDLOCK_CREATE_RULESET), ctypes.byref(attr), ctypes.c_size_t(size),
                          ctypes.c_uint32(0))
            if fd < 0 or prctl(PR_SET_NO_NEW_PRIVS, 1) != 0:
                os._exit(2)
            if _syscall(ctypes.c_long(LANDLOCK_RESTRICT_SELF), ctypes.c_int(fd), ctypes.c_uint32(0)) != 0:
                os._exit(3)
            try:
                os.close(os.open("/etc/hostname" if os.path.exists("/etc/hostname") else "/etc", os.O_RDONLY))
            except PermissionError:
                os._exit(0)
            os._exit(4)
        except BaseException:  # noqa: BLE001
            os._exit(5)
    _, status = os.waitpid(pid, 0)
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128
    return {0: None, 2: "cannot create a ruleset", 3: "landlock_restrict_self is refused",
            4: "a restricted process could still read /etc"}.get(code, f"the probe child failed ({code})")


def probe_uid(uid, checks):
    """Whether a process with `uid` can use each path: [(path, os.R_OK | ...)]. Returns None or the problem."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
        except OSError as err:
            os.write(w, f"cannot switch to uid {uid}: {err.strerror} (a user namespace that does not map it?)"
                     .encode())
            os._exit(1)
        for path, mode, what in checks:
            if not os.access(path, mode):
                blocked = _first_closed_folder(path)
                hint = f"; {blocked} is closed to others" if blocked else ""
                os.write(w, f"uid {uid} cannot {'execute' if mode & os.X_OK else 'read'} {what} {path}{hint}"
                         .encode())
                os._exit(1)
        os._exit(0)
    os.close(w)
    chunks = []
    while True:
        data = os.read(r, 4096)
        if not data:
            break
        chunks.append(data)
    os.close(r)
    _, status = os.waitpid(pid, 0)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        return None
    return b"".join(chunks).decode("utf-8", "replace") or "the uid probe failed"


def _first_closed_folder(path):
    """The first ancestor of `path` that others cannot enter (checked as the current, unprivileged uid)."""
    parts = os.path.abspath(path).split("/")
    for i in range(2, len(parts)):
        folder = "/".join(parts[:i])
        if not os.access(folder, os.X_OK):
            return folder
    return None


def kill_uid(uid):
    """SIGKILLs every process of `uid` (leftovers of a launcher that died): a child becomes `uid` and kills -1."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            os.kill(-1, signal.SIGKILL)
        except OSError:
            pass
        os._exit(0)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def real_uid_of(pid):
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"Uid:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def session_of(pid):
    """The session id of a process (a run's session is its first process's pid), or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return int(f.read().rsplit(b")", 1)[1].split()[3])
    except (OSError, IndexError, ValueError):
        return None

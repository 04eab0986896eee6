"""Dying with the parent: one rule for every process between the worker and main.py.

The worker's launcher, its warm processes and the runner package's entry each ask Linux to SIGKILL them when their
parent dies (PR_SET_PDEATHSIG), so a worker that is killed leaves nothing behind. The request only takes effect for
a parent that is still alive, so each then checks that its parent is the one it was told about: a child that reads
getppid() itself may already see init if its parent died in between, and would outlive it.

It ships in the runner package (beside exec_main_py.py); the launcher and the warm processes load it from
@allora/node-function's python/ folder by path, under a private module name, so a function's own module of any name
is never shadowed. Only the Python standard library is used.
"""
import os
import signal

PR_SET_PDEATHSIG = 1
PARENT_PID_ENV = "ALLORA_PARENT_PID"


def told_parent(environ):
    """The parent's pid as the launcher told it (ALLORA_PARENT_PID, taken out of `environ` so main.py never sees
    it), else getppid()."""
    told = environ.pop(PARENT_PID_ENV, "")
    return int(told) if told.isdigit() else os.getppid()


_prctl = []  # the C library's prctl, looked up once: a warm process's forked runs inherit it (0.2 ms a run less)


def _libc_prctl():
    if not _prctl:
        import ctypes

        _prctl.append(ctypes.CDLL(None, use_errno=True).prctl)
    return _prctl[0]


def die_with_parent(expected_parent):
    """SIGKILL this process when its parent dies; exit at once if the parent is no longer `expected_parent`."""
    try:
        _libc_prctl()(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return  # not Linux: the worker's process-group kill on timeout still applies
    if os.getppid() != expected_parent:
        os._exit(1)  # the parent died before the request took effect

#!/usr/bin/python3
"""reaper.py STATUSFILE -- COMMAND [ARG...]

Runs COMMAND as a child of a child-subreaper, so that the exit status of every
descendant that outlives its parent (an auditd plugin after auditd stops) is
seen here. Prints the child's pid on stdout first. Each reaped process is
appended to STATUSFILE as "PID COMM exit=N" or "PID COMM signal=N". Exits when
no descendant is left.
"""
import ctypes
import os
import subprocess
import sys

PR_SET_CHILD_SUBREAPER = 36


def main():
    status_file = sys.argv[1]
    argv = sys.argv[sys.argv.index("--") + 1:]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("reaper: prctl(PR_SET_CHILD_SUBREAPER) failed")
    child = subprocess.Popen(argv, close_fds=True)
    print(child.pid, flush=True)
    while True:
        try:
            info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOWAIT)  # peek: the zombie keeps its name
        except ChildProcessError:
            break
        pid = info.si_pid
        try:
            with open(f"/proc/{pid}/comm") as f:
                name = f.read().strip()
        except OSError:
            name = "?"
        _, status = os.waitpid(pid, 0)
        what = f"exit={os.WEXITSTATUS(status)}" if os.WIFEXITED(status) else f"signal={os.WTERMSIG(status)}"
        with open(status_file, "a") as f:
            f.write(f"{pid} {name} {what}\n")


if __name__ == "__main__":
    main()

# The capture of busybox's shell, of scripts run from /tmp in less usual ways, of fchmodat2 and of a
# shell connecting to two ports (capture-busybox-fchmodat2.log). Runs as root, from /, with busybox
# installed; the kernel (6.18) has fchmodat2 (syscall 452, Linux 6.6). Loopback only.
set -x
echo 1000 > /proc/self/loginuid
mkdir -p /tmp/bb-capture
printf 'true\n' > /tmp/bb-capture/run-me.sh
cd /tmp/bb-capture
busybox ls > /dev/null                         # an applet, cwd /tmp/...: no script (must not fire)
busybox sh run-me.sh                           # busybox's shell runs a script in /tmp by relative name
busybox sh -c true                             # no script (must not fire)
bash -c 'exec -a sh busybox /tmp/bb-capture/run-me.sh'   # busybox as sh (argv[0], like Alpine's /bin/sh)
bash -c 'exec -a sh busybox -c true'           # busybox as sh, no script (must not fire)
cd /
bash -x /tmp/bb-capture/run-me.sh              # an option before the script
bash //tmp/bb-capture/run-me.sh                # a name that is not the canonical one
bash tmp/bb-capture/run-me.sh                  # relative, from /
touch /tmp/bb-capture/f
python3 -c 'import ctypes; ctypes.CDLL(None).syscall(452, -100, b"/tmp/bb-capture/f", 0o4755, 0)'   # setuid
python3 -c 'import ctypes; ctypes.CDLL(None).syscall(452, -100, b"/tmp/bb-capture/f", 0o644, 0)'    # plain mode
bash -c 'exec 3<>/dev/tcp/127.0.0.1/9' 2>/dev/null       # a shell connects to one port (refused) ...
bash -c 'exec 3<>/dev/tcp/127.0.0.1/7' 2>/dev/null       # ... and to another
rm -r /tmp/bb-capture

# The commands behind capture-tampering.log (a private auditd writing /var/log/audit/audit.log, the shipped
# audit rules, as root from /; nothing leaves the machine). Three techniques the defaults did not see: the
# audit logs edited or removed, code written into another process with ptrace(2), and a process hidden from
# ps by a mount over its /proc directory; each beside one that must not fire.
set -u
mkdir -p /tmp/cap5/empty
# audit logs: a rotated log truncated, then removed, a log's mode changed: each fires
cp /var/log/audit/audit.log /var/log/audit/audit.log.9
truncate -s 0 /var/log/audit/audit.log.9
rm -f /var/log/audit/audit.log.9
chmod 0644 /var/log/audit/audit.log
chmod 0600 /var/log/audit/audit.log
# reading them must not fire (nor does auditd rotating its own log: the capture sent it SIGUSR1 after this script)
cat /var/log/audit/audit.log > /dev/null
# ptrace: a word of a sleeping child read and written back (PTRACE_POKEDATA): fires; a PEEK alone is not logged
cat > /tmp/cap5/poke.py <<'PY'
import ctypes, os, signal, subprocess, time
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.restype = ctypes.c_long
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
child = subprocess.Popen(["sleep", "30"])
time.sleep(0.3)
assert libc.ptrace(16, child.pid, None, None) == 0  # PTRACE_ATTACH
os.waitpid(child.pid, 0)
with open("/proc/%d/maps" % child.pid) as maps:
    addr = int(maps.readline().split("-")[0], 16)
word = libc.ptrace(2, child.pid, ctypes.c_void_p(addr), None)  # PTRACE_PEEKDATA
if os.environ.get("POKE") == "1":
    assert libc.ptrace(5, child.pid, ctypes.c_void_p(addr), ctypes.c_void_p(word & (2**64 - 1))) == 0  # POKEDATA
libc.ptrace(17, child.pid, None, None)  # PTRACE_DETACH
child.send_signal(signal.SIGTERM)
child.wait()
PY
POKE=1 /usr/bin/python3 /tmp/cap5/poke.py
POKE=0 /usr/bin/python3 /tmp/cap5/poke.py
# a process hidden by a bind mount over /proc/PID: fires; a bind mount elsewhere, and the unmounts, must not
sleep 30 &
victim=$!
mount --bind /tmp/cap5/empty /proc/$victim
umount /proc/$victim
mkdir -p /tmp/cap5/target
mount --bind /tmp/cap5/empty /tmp/cap5/target
umount /tmp/cap5/target
kill $victim

# Part 2, captured later the same day: mount(8) of util-linux 2.39 and later mounts with open_tree and
# move_mount (this Debian 12 has 2.38, so Python makes the calls), and process_vm_writev writing another
# process's memory (one word read and written back).
mkdir -p /tmp/cap5/empty /tmp/cap5/target
cat > /tmp/cap5/newmount.py <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
tree = libc.syscall(428, -100, b"/tmp/cap5/empty", 1)  # open_tree(AT_FDCWD, path, OPEN_TREE_CLONE)
assert tree >= 0, os.strerror(ctypes.get_errno())
rc = libc.syscall(429, tree, b"", -100, sys.argv[1].encode(), 4)  # move_mount(..., MOVE_MOUNT_F_EMPTY_PATH)
assert rc == 0, os.strerror(ctypes.get_errno())
PY
cat > /tmp/cap5/vmwrite.py <<'PY'
import ctypes, os, signal, subprocess, time
libc = ctypes.CDLL(None, use_errno=True)
class Iov(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("len", ctypes.c_size_t)]
libc.process_vm_readv.restype = ctypes.c_ssize_t
libc.process_vm_writev.restype = ctypes.c_ssize_t
child = subprocess.Popen(["sleep", "30"])
time.sleep(0.3)
with open("/proc/%d/maps" % child.pid) as maps:
    addr = next(int(l.split("-")[0], 16) for l in maps if l.split()[1].startswith("rw"))
buf = ctypes.create_string_buffer(8)
local, remote = Iov(ctypes.addressof(buf), 8), Iov(addr, 8)
assert libc.process_vm_readv(child.pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0) == 8
assert libc.process_vm_writev(child.pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0) == 8
child.send_signal(signal.SIGTERM)
child.wait()
PY
# move_mount over /proc/PID: fires; onto a directory in /tmp: must not
sleep 30 &
victim=$!
/usr/bin/python3 /tmp/cap5/newmount.py /proc/$victim
umount /proc/$victim
/usr/bin/python3 /tmp/cap5/newmount.py /tmp/cap5/target
umount /tmp/cap5/target
kill $victim
# process_vm_writev: fires (its process_vm_readv is not logged)
/usr/bin/python3 /tmp/cap5/vmwrite.py

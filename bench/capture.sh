#!/usr/bin/env bash
# Capture real audit events from a real auditd, for the benchmark stream generator.
#
# Run as root from the repo root:  bench/capture.sh [OUTDIR]   (default bench/work/capture)
#
# It starts a private auditd (its own auditd.conf, log file and plugin directory under OUTDIR, so
# the machine's /etc/audit and its plugins are not used), loads a small operator-style rule set,
# runs a workload shaped like a busy server (programs run with arguments, files opened, PAM
# sessions through su/runuser, refused and accepted connects, a refused read of /etc/shadow,
# permission changes), then puts the machine back as it found it: auditctl -D, the backlog limit
# restored, the auditd it started stopped by its PID, auditctl -e 0.
#
# Results:
#   OUTDIR/audit.log       what auditd wrote to its log (log form: no EOE records)
#   OUTDIR/plugin.stream   what auditd sent to a plugin (plugin form: with EOE records)
#
# It refuses to run when another audit daemon is registered with the kernel or when audit rules
# are loaded, so it never disturbs someone else's capture.
set -euo pipefail

out=${1:-bench/work/capture}
die() { echo "capture.sh: $*" >&2; exit 1; }

[[ $(id -u) == 0 ]] || die "needs root"
command -v auditd >/dev/null && command -v auditctl >/dev/null || die "auditd/auditctl not installed"
status=$(auditctl -s) || die "auditctl -s failed (no audit support in this kernel/container?)"
daemon_pid=$(awk '$1 == "pid" {print $2}' <<<"$status")
[[ $daemon_pid == 0 ]] || die "an audit daemon (pid $daemon_pid) is already registered; not touching it"
[[ $(auditctl -l) == "No rules" ]] || die "audit rules are loaded; someone else is using audit, not touching it"
old_backlog=$(awk '$1 == "backlog_limit" {print $2}' <<<"$status")
old_enabled=$(awk '$1 == "enabled" {print $2}' <<<"$status")
[[ $old_enabled != 2 ]] || die "audit configuration is locked (enabled 2)"

mkdir -p "$out"
out=$(cd "$out" && pwd -P)
rm -rf "$out/plugins.d" "$out/audit.log"* "$out/plugin.stream" "$out/data"
mkdir -p "$out/plugins.d" "$out/data"
chmod 0755 "$out" "$out/plugins.d"

cat >"$out/auditd.conf" <<EOF
local_events = yes
write_logs = yes
log_file = $out/audit.log
log_format = ENRICHED
flush = INCREMENTAL_ASYNC
freq = 50
max_log_file = 512
num_logs = 2
max_log_file_action = IGNORE
space_left = 2
space_left_action = IGNORE
admin_space_left = 1
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = IGNORE
name_format = NONE
q_depth = 20000
overflow_action = IGNORE
max_restarts = 0
plugin_dir = $out/plugins.d
end_of_event_timeout = 2
EOF
chmod 0640 "$out/auditd.conf"

# A plugin that just keeps what auditd dispatches: the plugin-form stream, EOE records included.
cat >"$out/keep-stream.sh" <<'EOF'
#!/bin/sh
exec /bin/cat > "$1"
EOF
chmod 0755 "$out/keep-stream.sh"
cat >"$out/plugins.d/keep-stream.conf" <<EOF
active = yes
direction = out
path = $out/keep-stream.sh
type = always
args = $out/plugin.stream
format = string
EOF
chmod 0640 "$out/plugins.d/keep-stream.conf"

auditd_pid=
restore() {
    set +e
    auditctl -D >/dev/null
    auditctl -b "$old_backlog" >/dev/null
    if [[ -n $auditd_pid ]] && kill -0 "$auditd_pid" 2>/dev/null; then
        kill -TERM "$auditd_pid"
        for _ in $(seq 50); do kill -0 "$auditd_pid" 2>/dev/null || break; sleep 0.1; done
    fi
    auditctl -e "$old_enabled" >/dev/null
}
trap restore EXIT

auditd -n -s enable -c "$out" &
auditd_pid=$!
for _ in $(seq 50); do
    [[ $(auditctl -s | awk '$1 == "pid" {print $2}') == "$auditd_pid" ]] && break
    sleep 0.1
done
[[ $(auditctl -s | awk '$1 == "pid" {print $2}') == "$auditd_pid" ]] || die "auditd did not register"

data=$out/data
# The workload runs with a login uid, as a user's session would; the rules below only follow it,
# so nothing else happening on the machine lands in the capture.
session_auid=1000
cat >"$out/bench.rules" <<EOF
-b 8192
-a always,exit -F arch=b64 -S execve,execveat -F auid=$session_auid -k exec
-a always,exit -F arch=b64 -S openat,open,openat2 -F dir=$data -F auid=$session_auid -k app_data
-a always,exit -F arch=b64 -S openat,open,openat2 -F exit=-EACCES -F auid=$session_auid -k access
-a always,exit -F arch=b64 -S openat,open,openat2 -F exit=-EPERM -F auid=$session_auid -k access
-w /etc/shadow -p r -k shadow
-w /etc/passwd -p wa -k identity
-a always,exit -F arch=b64 -S chmod,fchmod,fchmodat -F dir=$data -F auid=$session_auid -k perm_mod
-a always,exit -F arch=b64 -S connect -F auid=$session_auid -k network
-a always,exit -F arch=b64 -S unlink,unlinkat,rename,renameat -F dir=$data -F auid=$session_auid -k delete
EOF
auditctl -R "$out/bench.rules" >/dev/null

# A listener for the connects that succeed.
/usr/bin/python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(64)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept(); c.close()
' >"$out/port" &
listener=$!
sleep 0.5
port=$(cat "$out/port")

export data port
/bin/sh -c "echo $session_auid > /proc/self/loginuid && exec /bin/bash -s" <<'WORKLOAD' || true
set +e
cd "$data"
for i in $(seq 1 60); do
    printf 'line %s of the report\nsecond line\n' "$i" > "report-$i.txt"
    cat "report-$i.txt" > /dev/null
    grep -c line "report-$i.txt" > /dev/null
    sed -n '1p' "report-$i.txt" > /dev/null
    ls -la "$data" > /dev/null
    awk '{print $1}' "report-$i.txt" > /dev/null
    chmod 0640 "report-$i.txt"
    mv "report-$i.txt" "archived-$i.txt"
    rm -f "archived-$i.txt"
    date +%s > /dev/null
    id -un > /dev/null
    uname -r > /dev/null
    head -c 64 /etc/os-release > /dev/null
    find "$data" -maxdepth 1 -name '*.txt' > /dev/null
    sh -c 'echo "quoted \"arg\" with spaces" > /dev/null'
    env LANG=C.UTF-8 printf '%s\n' 'ünïcode argument' > /dev/null
    tar -cf - --files-from /dev/null 2>/dev/null > /dev/null
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.connect(("127.0.0.1", int(__import__("os").environ["port"]))); s.close()'
    curl -s -m 1 http://127.0.0.1:1/ > /dev/null
    cat /etc/shadow > /dev/null
    runuser -u nobody -- cat /etc/shadow 2>/dev/null
    su -s /bin/sh -c true nobody
    runuser -u nobody -- id > /dev/null
    logger -t bench "workload step $i"
    getent passwd root > /dev/null
    ps -o pid,comm -p $$ > /dev/null
    echo aGVsbG8K | base64 -d > /dev/null
    tool=$(mktemp /tmp/auditalert-bench-XXXXXX) && cp /usr/bin/true "$tool" && chmod 0755 "$tool" \
        && "$tool" --version > /dev/null; rm -f "$tool"
    [ $((i % 4)) = 0 ] && runuser -u nobody -- su -c true root < /dev/null > /dev/null 2>&1
done
WORKLOAD

kill -TERM "$listener" 2>/dev/null || true
wait "$listener" 2>/dev/null || true
sleep 1
restore
trap - EXIT
wait "$auditd_pid" 2>/dev/null || true
rm -rf "$data" "$out/port"
echo "capture.sh: $(grep -c . "$out/audit.log") log records, $(grep -c . "$out/plugin.stream") plugin records in $out" >&2

#!/usr/bin/env bash
# Regenerates src/main/resources/demo/audit.log: a real auditd capture (ENRICHED, auditd 3.0.9) of
# the attack workload under the shipped audit rules. Run as root from the repository root, with no
# other audit daemon running. It starts a private auditd (its own config dir), stops it by PID,
# deletes exactly the rules it added and puts the kernel's enabled flag back.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
if [ "$(auditctl -s | awk '/^pid/ {print $2}')" != 0 ]; then echo "an audit daemon is running" >&2; exit 1; fi
rules=${AUDITALERT_RULES:-packaging/audit-rules/auditalert.rules}
out=src/main/resources/demo/audit.log
work=$(mktemp -d /tmp/aa-capture.XXXXXX)
enabled=$(auditctl -s | awk '/^enabled/ {print $2}')
cat > "$work/auditd.conf" <<CONF
local_events = yes
write_logs = yes
log_file = $work/audit.log
log_format = ENRICHED
flush = INCREMENTAL_ASYNC
freq = 50
num_logs = 2
max_log_file = 64
max_log_file_action = ROTATE
space_left = 75
space_left_action = IGNORE
admin_space_left = 50
admin_space_left_action = IGNORE
disk_full_action = IGNORE
disk_error_action = IGNORE
name_format = NONE
plugin_dir = $work/plugins.d
end_of_event_timeout = 2
CONF
mkdir -p "$work/plugins.d"
/sbin/auditd -n -s enable -c "$work" > "$work/auditd.out" 2>&1 &
pid=$!
cleanup() {
  grep -E '^-[aw] ' "$rules" | sed -e 's/^-a /-d /' -e 's/^-w /-W /' | while read -r line; do
    # shellcheck disable=SC2086
    auditctl $line > /dev/null 2>&1 || true
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  auditctl -e "$enabled" > /dev/null
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 50); do [ -s "$work/audit.log" ] && break; sleep 0.1; done
grep -E '^-[aw] ' "$rules" | while read -r line; do
  # shellcheck disable=SC2086
  auditctl $line
done
AUDITALERT_WORKLOAD_TAG=demo sh src/test/resources/workload/attack-workload.sh
sleep 1.5
mkdir -p "$(dirname "$out")"
# keep the workload's events (login uid 1000) and auditd's own records; the machine may be busy
/usr/bin/python3 - "$work/audit.log" "$out" <<'PY'
import re, sys
stamp = re.compile(rb"msg=audit\(([0-9.:]+)\)")
lines = open(sys.argv[1], "rb").read().split(b"\n")
keep = {stamp.search(l).group(1) for l in lines
        if stamp.search(l) and (b" auid=1000 " in l or l.startswith(b"type=DAEMON_"))}
with open(sys.argv[2], "wb") as out:
    for l in lines:
        m = stamp.search(l)
        if m and m.group(1) in keep:
            out.write(l + b"\n")
PY
echo "captured $(wc -l < "$out") records into $out"

#!/bin/bash
# A REAL auditd (3.0.9 on Debian 12) starts auditalert-plugin from a plugins.d
# file, and the plugin does what it must, with no Java pipeline involved:
#   relay-prctl    auditd under PR_SET_MDWE (systemd >= 254): the plugin detects
#                  it and relays every record to a unix-socket listener
#   relay-seccomp  auditd under systemd's seccomp MDWE filter (systemd <= 253): same
#   direct         auditd without MDWE: the plugin execs "java" (a stand-in that
#                  records its signal state and copies stdin), signals reset
# Each case: auditd -f -c <private config dir> (its own auditd.conf, log file and
# plugin_dir, so /etc/audit is not touched), one audit rule, a workload, and checks;
# then auditd is stopped by PID, rules deleted (auditctl -D) and auditing disabled
# (auditctl -e 0).
#
# auditd -f (foreground) is used rather than -n (no fork): both start plugins, but
# -n still daemonizes the fds, so the plugin's stderr goes to /dev/null, and with no
# syslog daemon on a test machine its messages would be lost; -f keeps stderr.
#
# Needs root, auditd, gcc/make/libseccomp-dev, /usr/bin/python3. Exit 0 all passed,
# 1 some failed, 77 skipped (not root, no auditd, or an auditd already running).
# Usage: packaging/test/auditd-plugin-real.sh [case...]
set -u
# shellcheck source=packaging/test/private-auditd.sh
. "$(dirname "$0")/private-auditd.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
NW=$ROOT/native-wrapper
PY=/usr/bin/python3
CASES=("$@")
[ ${#CASES[@]} -gt 0 ] || CASES=(relay-prctl relay-seccomp direct)

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root"
command -v auditd >/dev/null && command -v auditctl >/dev/null || skip "auditd is not installed"
kpid=$(auditctl -s | sed -n 's/^pid \([0-9]*\)$/\1/p')
[ "${kpid:-0}" = 0 ] || skip "an auditd (pid $kpid) is already registered with the kernel; not touching it"

make -s -C "$NW" all test-tools >/dev/null || { echo "build failed"; exit 1; }

passed=0 failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

D=$(mktemp -d /tmp/aa-auditd.XXXXXX)
chmod 0755 "$D"
AUDITD_PID="" LISTENER_PID=""
restore() {
    [ -n "$AUDITD_PID" ] && kill -TERM "$AUDITD_PID" 2>/dev/null && wait "$AUDITD_PID" 2>/dev/null
    [ -n "$LISTENER_PID" ] && kill "$LISTENER_PID" 2>/dev/null && wait "$LISTENER_PID" 2>/dev/null
    AUDITD_PID="" LISTENER_PID=""
    auditctl -D >/dev/null 2>&1
    auditctl -e 0 >/dev/null 2>&1
}
trap 'restore; rm -rf "$D"' EXIT
trap 'exit 1' TERM INT HUP

# the plugin binary auditd checks: regular file, root-owned, mode including 0750
install -D -m 0755 "$NW/build/auditalert-plugin" "$D/bin/auditalert-plugin"

start_auditd() { # $1: case dir, $2...: launcher prefix
    local C=$1; shift
    write_private_auditd_conf "$C"
    "$@" auditd -f -c "$C" >"$C/auditd.out" 2>&1 &
    AUDITD_PID=$!
    for _ in $(seq 100); do
        [ "$(auditctl -s | sed -n 's/^pid \([0-9]*\)$/\1/p')" = "$AUDITD_PID" ] && return 0
        kill -0 "$AUDITD_PID" 2>/dev/null || break
        sleep 0.05
    done
    return 1
}

plugin_conf() { # $1 case dir: the plugins.d file, exactly as shipped but for path/args
    mkdir -p "$1/plugins.d"
    sed -e "s|^path = .*|path = $D/bin/auditalert-plugin|" \
        -e "s|^args = .*|args = --config $1/wrapper.conf|" \
        "$ROOT/plugins.d/auditalert.conf" >"$1/plugins.d/auditalert.conf"
    chmod 0640 "$1/plugins.d/auditalert.conf"
}

workload() { # runs a marked program N times; prints the marker
    local marker=aa-real-$RANDOM$RANDOM
    for i in 1 2 3; do /bin/true "$marker" "$i"; done
    echo "$marker"
}

wait_for() { # file pattern seconds
    local end=$((SECONDS + $3))
    while [ $SECONDS -le "$end" ]; do
        grep -q -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

run_relay_case() { # name launcher-mode
    local name=$1 how=$2 C=$D/$1
    mkdir -p "$C"
    "$NW/build/mdwe-launch" "$how" /bin/true 2>/dev/null
    if [ $? -eq 3 ]; then echo "SKIP $name: kernel cannot apply $how MDWE"; return; fi
    plugin_conf "$C"
    printf 'mode = auto\nsocket = %s\nstatus_interval = 1\n' "$C/in.sock" >"$C/wrapper.conf"
    "$PY" "$NW/test/listener.py" "$C/in.sock" "$C/received" >"$C/listener.out" &
    LISTENER_PID=$!
    wait_for "$C/listener.out" ready 5
    if ! start_auditd "$C" "$NW/build/mdwe-launch" "$how"; then
        fail "$name" "auditd did not start: $(tail -3 "$C/auditd.out")"
        restore; return
    fi
    auditctl -a always,exit -F arch=b64 -S execve -F key=aa_real >/dev/null
    wait_for "$C/received" "type=DAEMON_START" 5
    local t0=$SECONDS marker
    marker=$(workload)
    wait_for "$C/received" "a1=\"$marker\" a2=\"3\"" 5
    local latency=$((SECONDS - t0))
    sleep 1.2 # one periodic status line
    local problems=""
    grep -q "relay mode: the JVM cannot run here" "$C/auditd.out" || problems+=" no-relay-decision-logged"
    grep -q "type=DAEMON_START" "$C/received" || problems+=" no-DAEMON_START"
    [ "$(grep -c "type=EXECVE .*a1=\"$marker\"" "$C/received")" = 3 ] || problems+=" execve-records:$(grep -c "$marker" "$C/received")"
    grep -q "key=\"aa_real\"" "$C/received" || problems+=" no-key"
    grep -q '^auditalert-relay: dropped_records=0 dropped_bytes=0 kernel_lost=[0-9]* kernel_backlog=[0-9]* kernel_backlog_limit=[0-9]*$' "$C/received" || problems+=" no-status-line"
    # a reload of auditd reaches the plugin as SIGHUP (auditd <= 4.1) -> reload line
    kill -HUP "$AUDITD_PID"
    wait_for "$C/received" '^auditalert-relay: reload$' 5 || problems+=" no-reload-line-after-auditd-HUP"
    # stopping auditd: the plugin sees SIGTERM/EOF, flushes and exits 0
    local lines_before
    lines_before=$(wc -l <"$C/received")
    kill -TERM "$AUDITD_PID"; wait "$AUDITD_PID" 2>/dev/null; AUDITD_PID=""
    wait_for "$C/auditd.out" "end of input: .* records read, 0 dropped" 3 || problems+=" no-clean-exit-message"
    grep -q "type=DAEMON_END" "$C/received" || problems+=" no-DAEMON_END"
    grep -q "plugin .* terminated unexpectedly" "$C/auditd.out" && problems+=" auditd-saw-plugin-die"
    restore
    [ -z "$problems" ] && pass "$name: auditd under MDWE $how started the plugin, which relayed DAEMON_START, 3 EXECVE records (within ${latency}s), status lines with kernel counters, a reload line on auditd HUP, DAEMON_END, and exited cleanly ($lines_before+ lines)" \
        || fail "$name" "$problems (see $C)"
    [ -z "$problems" ] || cp -r "$C" "/tmp/$(basename "$D")-$name-failed"
}

run_direct_case() {
    local name=direct C=$D/direct
    mkdir -p "$C/jdk/bin"
    plugin_conf "$C"
    # the stand-in for java: a shell notes the signal state it was exec'd with (a shell's own read of
    # /proc/self/status), then becomes a Python script that takes SIGHUP over as the JVM does (the wrapper
    # leaves SIGHUP ignored, which a shell could not undo: a signal ignored on entry cannot be trapped)
    cat >"$C/jdk/bin/standin.py" <<EOF
import os, signal
def note(text):
    with open("$C/java.out", "a") as f:
        f.write(text + "\\n")
signal.signal(signal.SIGHUP, lambda *a: note("HUP"))
def term(*a):
    note("TERM")
    os._exit(0)
signal.signal(signal.SIGTERM, term)
with open("$C/stdin.copy", "wb") as copy:
    while True:
        b = os.read(0, 65536)
        if not b:
            break
        copy.write(b)
        copy.flush()
EOF
    cat >"$C/jdk/bin/java" <<EOF
#!/bin/sh
{ while read -r k v; do case \$k in SigIgn:|SigBlk:) echo "\$k \$v";; esac; done </proc/self/status
  echo "ARGS: \$*"; env | sed 's/^/ENV: /'; } >"$C/java.out"
exec /usr/bin/python3 "$C/jdk/bin/standin.py"
EOF
    chmod 0755 "$C/jdk/bin/java"
    : >"$C/fake.jar"
    printf 'mode = auto\njava = %s\njar = %s\n' "$C/jdk/bin/java" "$C/fake.jar" >"$C/wrapper.conf"
    if ! start_auditd "$C"; then
        fail "$name" "auditd did not start: $(tail -3 "$C/auditd.out")"
        restore; return
    fi
    auditctl -a always,exit -F arch=b64 -S execve -F key=aa_real >/dev/null
    wait_for "$C/java.out" "^SigIgn" 5
    local marker
    marker=$(workload)
    wait_for "$C/stdin.copy" "a1=\"$marker\" a2=\"3\"" 5
    local problems=""
    grep -q "direct mode: writable memory can be made executable" "$C/auditd.out" || problems+=" no-direct-decision-logged"
    grep -qx "SigIgn: 0000000000000001" "$C/java.out" || problems+=" $(grep SigIgn "$C/java.out")" # SIGHUP alone
    grep -qx "SigBlk: 0000000000000000" "$C/java.out" || problems+=" $(grep SigBlk "$C/java.out")"
    grep -q "^ARGS: -Xmx256m -XX:+UseSerialGC -Xmn16m -XX:FreqInlineSize=50 -XX:InlineSmallCode=500 -Xlog:disable -Xlog:all=warning:stderr -Dfile.encoding=UTF-8 -Dauditalert.wrapper=direct -jar $C/fake.jar run$" "$C/java.out" || problems+=" args"
    grep -q "^ENV: LANG=C.UTF-8$" "$C/java.out" || problems+=" LANG"
    grep -q "^ENV: PATH=" "$C/java.out" || problems+=" PATH"
    [ "$(grep -c "type=EXECVE .*a1=\"$marker\"" "$C/stdin.copy")" = 3 ] || problems+=" execve-records"
    kill -HUP "$AUDITD_PID"
    wait_for "$C/java.out" "^HUP$" 5 || problems+=" plugin-did-not-see-HUP"
    kill -TERM "$AUDITD_PID"; wait "$AUDITD_PID" 2>/dev/null; AUDITD_PID=""
    wait_for "$C/java.out" "^TERM$" 3 || problems+=" plugin-did-not-see-TERM"
    grep -q "plugin .* terminated unexpectedly" "$C/auditd.out" && problems+=" auditd-saw-plugin-die"
    restore
    [ -z "$problems" ] && pass "direct: real auditd started the plugin, which exec'd java with every signal reset but SIGHUP (the JVM takes it over) and none blocked, LANG/PATH set, records on fd 0; auditd HUP and TERM reached it" \
        || fail "$name" "$problems (see $C)"
    [ -z "$problems" ] || cp -r "$C" "/tmp/$(basename "$D")-$name-failed"
}

for c in "${CASES[@]}"; do
    case $c in
    relay-prctl) run_relay_case relay-prctl prctl ;;
    relay-seccomp) run_relay_case relay-seccomp seccomp ;;
    direct) run_direct_case ;;
    *) echo "unknown case $c"; exit 2 ;;
    esac
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/bin/bash
# Tests for native-wrapper/auditalert-plugin. Run from anywhere; needs gcc, make,
# libseccomp-dev, /usr/bin/python3 and a java on PATH (for the MDWE demonstration).
# Prints one line per test and a final "N passed, N failed"; exits 1 on any failure.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
NW=$(dirname "$HERE")
B=$NW/build
W=$B/auditalert-plugin
FAKE=$B/fake-auditd-exec
MDWE=$B/mdwe-launch
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

passed=0 failed=0 skipped=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
skip() { echo "SKIP $1: $2"; skipped=$((skipped + 1)); }

[ -n "${NO_BUILD:-}" ] || make -s -C "$NW" all test-tools >/dev/null || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

T=$(mktemp -d /tmp/aa-wrapper-test.XXXXXX)
chmod 755 "$T"
PIDS=()
cleanup() {
    # a case stopped between opening its FIFO (fd 4) and closing it would leave its reader waiting for
    # end of input, and the wait below with it: close it, and stop every background job
    exec 4>&- 2>/dev/null
    for p in "${PIDS[@]}" $(jobs -p); do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$T"
}
trap cleanup EXIT
trap "exit 1" TERM INT HUP

# conf FILE key=value... : write a wrapper config
conf() {
    local f=$1; shift
    : >"$f"
    for kv in "$@"; do echo "${kv%%=*} = ${kv#*=}" >>"$f"; done
}

# start_listener SOCKET OUT [--delay S] : starts listener.py, waits until it listens
start_listener() {
    local sock=$1 out=$2; shift 2
    rm -f "$sock"
    "$PY" "$HERE/listener.py" "$sock" "$out" "$@" >"$out.ready" 3>&- &
    LISTENER=$!
    PIDS+=("$LISTENER")
    for _ in $(seq 100); do
        grep -q ready "$out.ready" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}
stop_listener() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

# records N [PREFIX] : N audit-looking lines with increasing serials
records() {
    awk -v n="$1" -v p="${2:-}" 'BEGIN { for (i = 1; i <= n; i++)
        printf "type=SYSCALL msg=audit(1700000000.%03d:%d): arch=c000003e syscall=59 success=yes %s pad=%s\n", i % 1000, i, p, "0123456789abcdef0123456789abcdef" }'
}

data_lines() { grep -v '^auditalert-relay: ' "$1"; }
last_status() { grep '^auditalert-relay: dropped_records=' "$1" | tail -1; }
status_field() { sed -n "s/.*[ ]$2=\([0-9]*\).*/\1/p" <<<"$1"; }

EMPTY=$T/empty.conf
: >"$EMPTY"

# ------------------------------------------------------------------ probe
java_runs_plain=no
java -version >/dev/null 2>&1 && java_runs_plain=yes

out=$("$W" --config "$EMPTY" --probe 2>/dev/null)
if [ "$java_runs_plain" = yes ]; then
    [ "$out" = direct ] && pass "probe without MDWE chooses direct" || fail "probe without MDWE" "printed '$out'"
else
    skip "probe without MDWE" "java does not run in this process either (already under MDWE?)"
fi

for how in prctl seccomp; do
    "$MDWE" "$how" /bin/true 2>/dev/null
    if [ $? -eq 3 ]; then
        skip "MDWE $how" "this kernel cannot apply it"
        continue
    fi
    jout=$("$MDWE" "$how" java -version 2>&1); jrc=$?
    if [ $jrc -ne 0 ] && grep -q "Failed to mark memory page as executable" <<<"$jout"; then
        pass "java -version dies under MDWE $how (why relay mode exists)"
    else
        fail "java -version under MDWE $how" "rc=$jrc: $(head -2 <<<"$jout")"
    fi
    out=$("$MDWE" "$how" "$W" --config "$EMPTY" --probe 2>"$T/probe.err")
    if [ "$out" = relay ] && grep -q "the JVM cannot run here" "$T/probe.err"; then
        pass "probe under MDWE $how chooses relay"
    else
        fail "probe under MDWE $how" "printed '$out': $(cat "$T/probe.err")"
    fi
done

conf "$T/relay.conf" mode=relay
out=$("$W" --config "$T/relay.conf" --probe 2>/dev/null)
[ "$out" = relay ] && pass "mode = relay forces relay" || fail "mode = relay" "printed '$out'"

# ----------------------------------------------------------- bad config
conf "$T/bad.conf" mode=relay colour=blue
"$W" --config "$T/bad.conf" </dev/null >/dev/null 2>"$T/bad.err"; rc=$?
if [ $rc -eq 1 ] && grep -q "bad.conf:2: unknown key 'colour'" "$T/bad.err"; then
    pass "unknown config key is fatal with file:line"
else
    fail "unknown config key" "rc=$rc: $(cat "$T/bad.err")"
fi
"$W" --config "$T/missing.conf" </dev/null >/dev/null 2>"$T/miss.err"; rc=$?
if [ $rc -eq 1 ] && grep -q "cannot read wrapper config" "$T/miss.err"; then
    pass "missing explicit config is fatal with a message"
else
    fail "missing explicit config" "rc=$rc: $(cat "$T/miss.err")"
fi
# a config another user could change says which java root runs: refused as root
if [ "$(id -u)" = 0 ]; then
    conf "$T/open.conf" mode=relay
    chmod 0666 "$T/open.conf"
    "$W" --config "$T/open.conf" --probe </dev/null >/dev/null 2>"$T/open.err"; rc=$?
    if [ $rc -eq 1 ] && grep -q "refusing wrapper config $T/open.conf as root: $T/open.conf is writable by everyone (mode 0666)" "$T/open.err"; then
        pass "a world-writable config is refused as root"
    else
        fail "world-writable config" "rc=$rc: $(cat "$T/open.err")"
    fi
    mkdir "$T/theirs" && conf "$T/theirs/w.conf" mode=relay && chown 65534 "$T/theirs"
    "$W" --config "$T/theirs/w.conf" --probe </dev/null >/dev/null 2>"$T/theirs.err"; rc=$?
    if [ $rc -eq 1 ] && grep -q "as root: $T/theirs belongs to uid 65534, not root" "$T/theirs.err"; then
        pass "a config in another user's directory is refused as root"
    else
        fail "config in another user's directory" "rc=$rc: $(cat "$T/theirs.err")"
    fi
fi

# ----------------------------------------------------------- direct mode
# A stand-in "java" that records its signal state, arguments, environment and stdin.
mkdir -p "$T/jdk/bin"
cat >"$T/jdk/bin/java" <<EOF
#!/bin/sh
{ while read -r k v; do case \$k in SigIgn:|SigBlk:) echo "\$k \$v";; esac; done </proc/self/status; [ -e /proc/self/fd/40 ] && echo "FD40: open"; echo "ARGS: \$*"; env | sed 's/^/ENV: /'; echo "STDIN:"; cat; } >"$T/java.out"
exit 0
EOF
chmod 755 "$T/jdk/bin/java"
: >"$T/fake.jar"
printf 'app = 1\n' >"$T/app.yml"
conf "$T/direct.conf" mode=auto "java=$T/jdk/bin/java" "jar=$T/fake.jar" heap=64m "app_config=$T/app.yml"

# control: without the wrapper, the stand-in inherits auditd's ignored signals
"$FAKE" "$T/jdk/bin/java" </dev/null >/dev/null 2>&1
ctl_ign=$(sed -n 's/^SigIgn:[[:space:]]*//p' "$T/java.out")

if [ "$java_runs_plain" = yes ]; then
    records 3 >"$T/direct.in"
    res=$("$FAKE" "$W" --config "$T/direct.conf" <"$T/direct.in" 2>"$T/direct.err" 40<"$T/app.yml")
    o=$T/java.out
    ign=$(sed -n 's/^SigIgn:[[:space:]]*//p' "$o")
    blk=$(sed -n 's/^SigBlk:[[:space:]]*//p' "$o")
    problems=""
    [ "$res" = "fake-auditd-exec: exit=0" ] || problems+=" status='$res'"
    [ "$ctl_ign" != 0000000000000000 ] || problems+=" control-SigIgn-already-0"
    # all reset but SIGHUP (bit 0), which the JVM takes over once its handler is installed
    [ "$ign" = 0000000000000001 ] || problems+=" SigIgn=$ign"
    [ "$blk" = 0000000000000000 ] || problems+=" SigBlk=$blk"
    grep -qx "ARGS: -Xmx64m -XX:+UseSerialGC -Xmn16m -XX:FreqInlineSize=50 -XX:InlineSmallCode=500 -Xlog:disable -Xlog:all=warning:stderr -Dfile.encoding=UTF-8 -Dauditalert.wrapper=direct -jar $T/fake.jar run --config $T/app.yml" "$o" || problems+=" args"
    grep -q '^ENV: PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin$' "$o" || problems+=" PATH"
    grep -q '^ENV: LANG=C.UTF-8$' "$o" || problems+=" LANG"
    grep -q '^ENV: LC_ALL=C.UTF-8$' "$o" || problems+=" LC_ALL"
    grep -q "^ENV: JAVA_HOME=$T/jdk\$" "$o" || problems+=" JAVA_HOME"
    sed -n '/^STDIN:$/,$p' "$o" | tail -n +2 | cmp -s - "$T/direct.in" || problems+=" stdin"
    grep -q "direct mode" "$T/direct.err" || problems+=" no-mode-message"
    ! grep -q '^FD40: open' "$o" || problems+=" inherited-fd-40-reached-java"
    if [ -z "$problems" ]; then
        pass "direct mode execs java with signals reset but SIGHUP (SigIgn $ctl_ign -> 1), env set, fd 0 kept, fd 40 closed"
    else
        fail "direct mode" "$problems"
    fi
else
    skip "direct mode exec" "JVM cannot run here"
fi

conf "$T/nojar.conf" mode=direct "java=$T/jdk/bin/java" "jar=$T/absent.jar"
res=$("$FAKE" "$W" --config "$T/nojar.conf" </dev/null 2>"$T/nojar.err")
if [ "$res" = "fake-auditd-exec: exit=1" ] && grep -q "auditalert jar $T/absent.jar is missing" "$T/nojar.err"; then
    pass "direct mode with a missing jar exits 1 with a clear message"
else
    fail "missing jar" "$res: $(cat "$T/nojar.err")"
fi

# ------------------------------------- direct mode with the real JVM (auditalert run)
# auditd's start state (every signal ignored, empty environment, stdin a socket): through the
# wrapper the JVM installs its SIGHUP/SIGTERM handlers, reloads on HUP and exits 0 on TERM.
# Without the wrapper (control) the JVM reports that it cannot.
JAR=$(dirname "$NW")/target/auditalert.jar
if [ "$java_runs_plain" != yes ] || [ ! -f "$JAR" ]; then
    skip "real JVM under auditd's signal state" "needs java and target/auditalert.jar (mvn -DskipTests package)"
else
    printf 'metrics: {listen: ""}\n' >"$T/app.yml"
    if java -jar "$JAR" check --config "$T/app.yml" >/dev/null 2>&1; then
        conf "$T/jvm.conf" mode=direct "jar=$JAR" heap=64m "app_config=$T/app.yml"
        appcfg=(--config "$T/app.yml")
    elif [ ! -e /etc/auditalert/auditalert.yml ]; then
        conf "$T/jvm.conf" mode=direct "jar=$JAR" heap=64m
        appcfg=()
    else
        appcfg=skip
    fi
    if [ "${appcfg[*]}" = skip ]; then
        skip "real JVM under auditd's signal state" "this build cannot load a config and /etc/auditalert/auditalert.yml exists"
    else
        jvm_case() { # name command...: start under fake-auditd-exec with a held-open stdin, HUP, TERM
            local n=$1; shift
            rm -f "$T/$n.fifo"; mkfifo "$T/$n.fifo"
            "$FAKE" "$@" <"$T/$n.fifo" >"$T/$n.res" 2>"$T/$n.err" &
            local f=$!
            exec 4>"$T/$n.fifo"
            records 5 >&4
            local pid=""
            for _ in $(seq 50); do pid=$(sed -n 's/^fake-auditd-exec: pid=//p' "$T/$n.err"); [ -n "$pid" ] && break; sleep 0.1; done
            for _ in $(seq 100); do grep -q "running:" "$T/$n.err" && break; sleep 0.1; done
            kill -HUP "$pid" 2>/dev/null
            for _ in $(seq 30); do grep -q "reloaded" "$T/$n.err" && break; sleep 0.1; done
            kill -TERM "$pid" 2>/dev/null
            # exited (a zombie until fake-auditd-exec reaps it at end of input) within 1.5 s?
            local gone=no
            for _ in $(seq 15); do
                sleep 0.1
                st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)
                if [ -z "$st" ] || [ "$st" = Z ]; then gone=yes; break; fi
            done
            echo $gone >"$T/$n.term"
            exec 4>&-
            wait "$f"
        }
        jvm_case jvm "$W" --config "$T/jvm.conf"
        jvm_case jvmctl /usr/bin/java -jar "$JAR" run "${appcfg[@]}"
        problems=""
        grep -q "running:" "$T/jvm.err" || problems+=" jvm-never-ran"
        grep -q "reloaded" "$T/jvm.err" || problems+=" no-reload-on-HUP"
        [ "$(cat "$T/jvm.res")" = "fake-auditd-exec: exit=0" ] || problems+=" exit:'$(cat "$T/jvm.res")'"
        grep -q "are ignored by this process" "$T/jvm.err" && problems+=" jvm-says-signals-ignored"
        [ "$(cat "$T/jvm.term")" = yes ] || problems+=" TERM-did-not-stop-it-within-1.5s"
        grep -q "are ignored by this process" "$T/jvmctl.err" || problems+=" control-did-not-show-the-problem"
        [ "$(cat "$T/jvmctl.term")" = no ] || problems+=" control-stopped-on-TERM"
        if [ -z "$problems" ]; then
            pass "real JVM via the wrapper under auditd's signal state: HUP reloads, TERM exits 0 (control without the wrapper: HUP/TERM ignored, stops only at end of input)"
        else
            fail "real JVM under auditd's signal state" "$problems; $(grep -v '^fake' "$T/jvm.err" | tail -3)"
        fi

        # an auditd reload right after the plugin (re)started: SIGHUPs while the JVM boots, before its
        # handler exists, ended it (a review: a reload 0.5 s after a restart cost a plugin restart)
        rm -f "$T/early.fifo"; mkfifo "$T/early.fifo"
        "$FAKE" "$W" --config "$T/jvm.conf" <"$T/early.fifo" >"$T/early.res" 2>"$T/early.err" &
        f=$!
        exec 4>"$T/early.fifo"
        records 5 >&4
        pid=""
        for _ in $(seq 100); do pid=$(sed -n 's/^fake-auditd-exec: pid=//p' "$T/early.err"); [ -n "$pid" ] && break; sleep 0.01; done
        for _ in $(seq 30); do kill -HUP "$pid" 2>/dev/null; sleep 0.02; done # the first 0.6 s of its life
        for _ in $(seq 100); do grep -q "running:" "$T/early.err" && break; sleep 0.1; done
        alive=no
        [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && alive=yes
        kill -TERM "$pid" 2>/dev/null
        exec 4>&-
        wait "$f"
        problems=""
        [ $alive = yes ] || problems+=" died"
        grep -q "running:" "$T/early.err" || problems+=" never-ran"
        [ "$(cat "$T/early.res")" = "fake-auditd-exec: exit=0" ] || problems+=" exit:'$(cat "$T/early.res")'"
        if [ -z "$problems" ]; then
            pass "real JVM via the wrapper survives SIGHUPs sent throughout its start-up, runs, exits 0 on TERM"
        else
            fail "SIGHUP during the JVM's start-up" "$problems; $(grep -v '^fake' "$T/early.err" | tail -3)"
        fi
    fi
fi

# ----------------------------------------------------------- relay mode
S=$T/in.sock

# 1. every line forwarded, in order; status line at exit; exit 0
S=$T/s1.sock
conf "$T/r1.conf" mode=relay "socket=$S"
records 20000 >"$T/r1.in"
start_listener "$S" "$T/r1.out"; L=$LISTENER
res=$(timeout 30 "$FAKE" "$W" --config "$T/r1.conf" <"$T/r1.in" 2>"$T/r1.err")
sleep 0.2; stop_listener "$L"
st=$(last_status "$T/r1.out")
problems=""
[ "$res" = "fake-auditd-exec: exit=0" ] || problems+=" status='$res'"
data_lines "$T/r1.out" | cmp -s - "$T/r1.in" || problems+=" data-differs($(data_lines "$T/r1.out" | wc -l) lines)"
[ "$(status_field "$st" dropped_records)" = 0 ] && [ "$(status_field "$st" dropped_bytes)" = 0 ] || problems+=" status='$st'"
if [ "$(id -u)" = 0 ]; then
    grep -q ' kernel_lost=[0-9]* kernel_backlog=[0-9]* kernel_backlog_limit=[0-9]*$' <<<"$st" || problems+=" no-kernel-status-as-root('$st')"
else
    grep -q kernel_ <<<"$st" && problems+=" kernel-keys-without-root"
fi
[ -z "$problems" ] && pass "relay forwards 20000 lines in order and exits 0 on EOF ($st)" || fail "relay basic" "$problems"

# 2. the same under real MDWE with mode = auto: the wrapper detects it and relays
S=$T/s2.sock
conf "$T/r2.conf" mode=auto "socket=$S" "java=$T/jdk/bin/java" "jar=$T/fake.jar"
records 500 >"$T/r2.in"
for how in prctl seccomp; do
    "$MDWE" "$how" /bin/true 2>/dev/null
    if [ $? -eq 3 ]; then skip "auto relay under $how" "kernel cannot apply it"; continue; fi
    rm -f "$T/r2.out"
    start_listener "$S" "$T/r2.out"; L=$LISTENER
    res=$(timeout 30 "$MDWE" "$how" "$FAKE" "$W" --config "$T/r2.conf" <"$T/r2.in" 2>"$T/r2.err")
    sleep 0.2; stop_listener "$L"
    if [ "$res" = "fake-auditd-exec: exit=0" ] && data_lines "$T/r2.out" | cmp -s - "$T/r2.in" &&
        grep -q "relay mode: the JVM cannot run here" "$T/r2.err"; then
        pass "under MDWE $how, mode = auto relays every line"
    else
        fail "auto relay under $how" "$res; $(grep -c . "$T/r2.out" 2>/dev/null) lines; $(head -3 "$T/r2.err")"
    fi
done

# 3. service absent at start: buffer, reconnect, deliver everything; periodic status
S=$T/s3.sock
conf "$T/r3.conf" mode=relay "socket=$S" status_interval=1
rm -f "$S" "$T/r3.out"
mkfifo "$T/r3.fifo"
records 300 first >"$T/r3a.in"
records 300 second >"$T/r3b.in"
timeout 30 "$FAKE" "$W" --config "$T/r3.conf" <"$T/r3.fifo" >"$T/r3.res" 2>"$T/r3.err" &
F=$!
exec 3>"$T/r3.fifo"
cat "$T/r3a.in" >&3
sleep 1.5
start_listener "$S" "$T/r3.out"; L=$LISTENER
cat "$T/r3b.in" >&3
sleep 3
exec 3>&-
wait "$F"
sleep 0.2; stop_listener "$L"
problems=""
[ "$(cat "$T/r3.res")" = "fake-auditd-exec: exit=0" ] || problems+=" status='$(cat "$T/r3.res")'"
cat "$T/r3a.in" "$T/r3b.in" | cmp -s - <(data_lines "$T/r3.out") || problems+=" data-differs"
grep -q "cannot connect to $S" "$T/r3.err" || problems+=" no-connect-warning"
grep -q "connected to the auditalert service" "$T/r3.err" || problems+=" no-connected-message"
nst=$(grep -c '^auditalert-relay: dropped_records=0 ' "$T/r3.out")
[ "$nst" -ge 3 ] || problems+=" only-$nst-status-lines"
[ -z "$problems" ] && pass "relay buffers while the service is absent, reconnects, delivers all 600 lines ($nst status lines)" || fail "relay reconnect" "$problems"

# 4. buffer full: whole lines dropped and counted exactly; exit 0
S=$T/s4.sock
conf "$T/r4.conf" mode=relay "socket=$S" buffer_size=64K flush_timeout=10000
records 40000 >"$T/r4.in"
rm -f "$T/r4.out"
start_listener "$S" "$T/r4.out" --delay 1.5; L=$LISTENER
res=$(timeout 30 "$FAKE" "$W" --config "$T/r4.conf" <"$T/r4.in" 2>"$T/r4.err")
sleep 0.2; stop_listener "$L"
st=$(last_status "$T/r4.out")
dr=$(status_field "$st" dropped_records); db=$(status_field "$st" dropped_bytes)
got_lines=$(data_lines "$T/r4.out" | wc -l); got_bytes=$(data_lines "$T/r4.out" | wc -c)
in_bytes=$(wc -c <"$T/r4.in")
problems=""
[ "$res" = "fake-auditd-exec: exit=0" ] || problems+=" status='$res'"
[ -n "$dr" ] && [ "$dr" -gt 0 ] || problems+=" no-drops('$st')"
[ -n "$dr" ] && [ $((got_lines + dr)) -eq 40000 ] || problems+=" lines:$got_lines+$dr!=40000"
[ -n "$db" ] && [ $((got_bytes + db)) -eq "$in_bytes" ] || problems+=" bytes:$got_bytes+$db!=$in_bytes"
# every delivered line is an input line, whole, and in input order
data_lines "$T/r4.out" | awk -F'[:)]' 'BEGIN{ok=1; last=0} !/^type=SYSCALL msg=audit\(.*pad=0123456789abcdef0123456789abcdef$/ {ok=0} { s=$2+0; if (s <= last) ok=0; last=s } END{exit !ok}' || problems+=" corrupt-or-reordered"
grep -q "dropped [0-9]* records so far" "$T/r4.err" || problems+=" no-drop-syslog"
[ -z "$problems" ] && pass "full buffer drops whole lines and counts them exactly (delivered $got_lines + dropped $dr = 40000; bytes $got_bytes + $db = $in_bytes)" || fail "relay drops" "$problems"

# 5. SIGHUP forwards a reload line; SIGTERM flushes and exits 0 within flush_timeout
S=$T/s5.sock
conf "$T/r5.conf" mode=relay "socket=$S" flush_timeout=500
rm -f "$T/r5.out"
start_listener "$S" "$T/r5.out"; L=$LISTENER
mkfifo "$T/r5.fifo"
timeout 30 "$FAKE" "$W" --config "$T/r5.conf" <"$T/r5.fifo" >"$T/r5.res" 2>"$T/r5.err" &
F=$!
exec 3>"$T/r5.fifo"
records 10 >"$T/r5.in"
cat "$T/r5.in" >&3
sleep 0.5
WPID=$(sed -n 's/^fake-auditd-exec: pid=//p' "$T/r5.err")
kill -HUP "$WPID"
sleep 0.3
t0=$(date +%s%N)
kill -TERM "$WPID"
for _ in $(seq 100); do grep -q "exiting" "$T/r5.err" && break; sleep 0.02; done
t1=$(date +%s%N)
exec 3>&-
wait "$F"
sleep 0.2; stop_listener "$L"
ms=$(((t1 - t0) / 1000000))
problems=""
[ "$(cat "$T/r5.res")" = "fake-auditd-exec: exit=0" ] || problems+=" status='$(cat "$T/r5.res")'"
data_lines "$T/r5.out" | grep -v '^auditalert-relay:' | cmp -s - "$T/r5.in" || problems+=" data-differs"
grep -qx 'auditalert-relay: reload' "$T/r5.out" || problems+=" no-reload-line"
[ "$ms" -lt 1000 ] || problems+=" took-${ms}ms"
[ -z "$problems" ] && pass "SIGHUP sends 'auditalert-relay: reload'; SIGTERM (ignored by auditd's start state) flushes and exits 0 in ${ms} ms" || fail "relay signals" "$problems"

# 6. the service goes away mid-stream and comes back: no line is ever split
S=$T/s6.sock
conf "$T/r6.conf" mode=relay "socket=$S"
rm -f "$T/r6.out"
mkfifo "$T/r6.fifo"
start_listener "$S" "$T/r6.out"; L=$LISTENER
timeout 30 "$FAKE" "$W" --config "$T/r6.conf" <"$T/r6.fifo" >"$T/r6.res" 2>"$T/r6.err" &
F=$!
exec 3>"$T/r6.fifo"
records 2000 before >&3
sleep 0.5
stop_listener "$L"
records 2000 between >&3
sleep 0.3
start_listener "$S" "$T/r6.out"; L=$LISTENER
records 2000 after >&3
sleep 1.5
exec 3>&-
wait "$F"
sleep 0.2; stop_listener "$L"
problems=""
[ "$(cat "$T/r6.res")" = "fake-auditd-exec: exit=0" ] || problems+=" status='$(cat "$T/r6.res")'"
bad=$(data_lines "$T/r6.out" | grep -cv 'pad=0123456789abcdef0123456789abcdef$')
[ "$bad" = 0 ] || problems+=" $bad-broken-lines"
na=$(grep -c ' after pad=' "$T/r6.out")
[ "$na" = 2000 ] || problems+=" after=$na"
grep -q "lost the connection\|cannot connect" "$T/r6.err" || problems+=" no-disconnect-message"
[ -z "$problems" ] && pass "service restart mid-stream: no split lines, all 2000 later lines delivered" || fail "relay service restart" "$problems"

# restart_case NAME LISTENER-OPTION…: 20000 records through a relay whose first service leaves
# after 100 KB as the option says and whose next one reads the rest; sets problems, whole, distinct
restart_case() {
    local n=$1
    shift
    S=$T/s$n.sock
    conf "$T/r$n.conf" mode=relay "socket=$S"
    rm -f "$T/r$n.out"
    mkfifo "$T/r$n.fifo"
    start_listener "$S" "$T/r$n.out" --delay 0.5 "$@"; L=$LISTENER
    timeout 30 "$FAKE" "$W" --config "$T/r$n.conf" <"$T/r$n.fifo" >"$T/r$n.res" 2>"$T/r$n.err" &
    F=$!
    exec 3>"$T/r$n.fifo"
    records 20000 >&3
    sleep 2
    exec 3>&-
    wait "$F"
    sleep 0.2; stop_listener "$L"
    problems=""
    [ "$(cat "$T/r$n.res")" = "fake-auditd-exec: exit=0" ] || problems+=" status='$(cat "$T/r$n.res")'"
    [ "$(cat "$T/r$n.out.connections")" -ge 2 ] || problems+=" one-connection"
    # a connection may end inside a record: only what follows its last newline is cut
    whole=$(data_lines "$T/r$n.out" | grep -c 'pad=0123456789abcdef0123456789abcdef$')
    local cut
    cut=$(data_lines "$T/r$n.out" | grep -cv 'pad=0123456789abcdef0123456789abcdef$')
    [ "$cut" -le 1 ] || problems+=" $cut-broken-lines"
    distinct=$(data_lines "$T/r$n.out" | sed -n 's/.*msg=audit([0-9.]*:\([0-9]*\)).*pad=0123456789abcdef0123456789abcdef$/\1/p' | sort -un | wc -l)
    [ "$distinct" = 20000 ] || problems+=" distinct=$distinct"
    local dr
    dr=$(status_field "$(last_status "$T/r$n.out")" dropped_records)
    [ "$dr" = 0 ] || problems+=" dropped=$dr"
}

# 6b. the service closes with records still queued to it (a crash): the kernel throws them away, and
# the relay sends them again on the next connection; none is lost, none split
restart_case 6b --read-limit 100000
grep -q "Connection reset by peer" "$T/r6b.err" || problems+=" no-reset-message"
[ -z "$problems" ] && pass "service closing with records unread: all 20000 delivered ($whole whole lines received, $((whole - distinct)) sent twice), none lost" || fail "relay unread records" "$problems"

# 6c. the service stops as auditalert does: it writes "stop", the relay sends nothing more and shuts
# down its end, the service reads to the end and closes; the next service gets the rest, nothing twice
restart_case 6c --stop-after 100000
[ "$whole" = 20000 ] || problems+=" whole=$whole"
grep -q "is stopping: it reads what was sent" "$T/r6c.err" || problems+=" no-stop-message"
[ -z "$problems" ] && pass "service stopping (it writes stop, reads to the end): all 20000 delivered once each" || fail "relay service stop" "$problems"

# 7. end of input with the service not there yet: it appears during the flush and gets everything
S=$T/s7.sock
conf "$T/r7.conf" mode=relay "socket=$S" flush_timeout=3000
records 50 >"$T/r7.in"
rm -f "$S" "$T/r7.out"
( sleep 1; exec "$PY" "$HERE/listener.py" "$S" "$T/r7.out" >"$T/r7.out.ready" 3>&- ) &
L7=$!
PIDS+=("$L7")
t0=$(date +%s%N)
res=$(timeout 30 "$FAKE" "$W" --config "$T/r7.conf" <"$T/r7.in" 2>"$T/r7.err")
ms=$((($(date +%s%N) - t0) / 1000000))
sleep 0.2
problems=""
[ "$res" = "fake-auditd-exec: exit=0" ] || problems+=" status='$res'"
data_lines "$T/r7.out" 2>/dev/null | cmp -s - "$T/r7.in" || problems+=" data-differs"
[ "$ms" -lt 3000 ] || problems+=" took-${ms}ms"
[ -z "$problems" ] && pass "service appearing during the final flush still gets all 50 lines (exit 0 after ${ms} ms)" || fail "relay flush after EOF" "$problems"

# 8. end of input and no service at all: exit 0 within flush_timeout, the loss logged
S=$T/s8.sock
conf "$T/r8.conf" mode=relay "socket=$S" flush_timeout=700
records 50 >"$T/r8.in"
t0=$(date +%s%N)
res=$(timeout 30 "$FAKE" "$W" --config "$T/r8.conf" <"$T/r8.in" 2>"$T/r8.err")
ms=$((($(date +%s%N) - t0) / 1000000))
problems=""
[ "$res" = "fake-auditd-exec: exit=0" ] || problems+=" status='$res'"
[ "$ms" -lt 1500 ] || problems+=" took-${ms}ms"
grep -q "exiting with [0-9]* bytes (51 lines) not delivered to $S" "$T/r8.err" || problems+=" no-undelivered-message($(grep -c . "$T/r8.err"))"
# the summary line after it counts them too, not "0 dropped" alone
grep -q "end of input: 50 records read, 0 dropped (0 bytes), 51 lines not delivered at exit" "$T/r8.err" || problems+=" summary-without-undelivered"
[ -z "$problems" ] && pass "no service at all: exit 0 after a bounded flush (${ms} ms), 50 records + status line reported undelivered" || fail "relay bounded flush" "$problems"

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

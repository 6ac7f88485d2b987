#!/usr/bin/env bash
# Latency, from /metrics: auditalert_event_latency_seconds (record arrival to rule verdict) and
# auditalert_sink_delivery_latency_seconds (record arrival to the alert written by the file sink).
#
#   bench/latency.sh           live: feeds `auditalert run` a real event stream at a fixed rate
#                              (default 10,000 events/s for 20 s) through stdin
#   bench/latency.sh replay    `auditalert replay` of the whole stream as fast as it goes (arrival:
#                              when the read that brought the record returned), scraped while it lingers
#
# Run from the repository root after `mvn -DskipTests package`; STREAM defaults to the benchmark's
# generated plugin-form stream. Both use the 13 benchmark rules and the launcher's JVM flags.
set -euo pipefail
MODE=${1:-live}
RATE=${RATE:-10000}
SECONDS_TO_RUN=${SECONDS_TO_RUN:-20}
STREAM=${STREAM:-$(ls bench/work/stream-eoe-*.log | head -1)}
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed 's/@KEY@/shadow/' bench/rules-bench.yml > "$work/rules.yml"
cat > "$work/auditalert.yml" <<YML
rules: [rules.yml]
workers: 2
sinks: [{type: file, path: $work/alerts.jsonl}]
YML
# the installed launcher's default JVM options, read from it, and a class-data archive of this jar
# built as the package builds it
JAVA_FLAGS=$(sed -n 's/^defaults="\(.*\)"$/\1/p' packaging/bin/auditalert)
[[ -n $JAVA_FLAGS ]] || { echo "latency.sh: no defaults= line in packaging/bin/auditalert" >&2; exit 1; }
jsa=$(bench/cds-archive.sh)
[[ -n $jsa ]] && JAVA_FLAGS="$JAVA_FLAGS -XX:SharedArchiveFile=$jsa"
# the quantiles of both histograms, from a scrape
quantiles() {
    /usr/bin/python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
for name, what in (("auditalert_event_latency_seconds", "record arrival to rule verdict, events"),
                   ("auditalert_sink_delivery_latency_seconds", "record arrival to alert written, alerts")):
    buckets = []
    for m in re.finditer(name + r'_bucket\{[^}]*le="([^"]+)"[^}]*\} ([0-9.e+]+)', text):
        buckets.append((float("inf") if m.group(1) == "+Inf" else float(m.group(1)), float(m.group(2))))
    buckets.sort()
    if not buckets or buckets[-1][1] == 0:
        print(f"{what}: none timed")
        continue
    total = buckets[-1][1]
    qs = []
    for q in (0.5, 0.9, 0.99, 0.999):
        for le, c in buckets:
            if c >= q * total:
                qs.append(f"p{q*100:g} <= {le*1000:g} ms")
                break
    print(f"{what}: {int(total)}; " + ", ".join(qs))
PY
}
if [[ $MODE == replay ]]; then
    # replay's own default: rules on the reader thread (no workers), the ring blocking when full
    printf 'rules: [rules.yml]\nsinks: [{type: file, path: %s}]\n' "$work/alerts.jsonl" > "$work/replay.yml"
    java $JAVA_FLAGS -jar target/auditalert.jar replay --config "$work/replay.yml" --metrics "127.0.0.1:$port" \
        --linger 30 --progress never "$STREAM" 2> "$work/run.log" &
    pid=$!
    until grep -q "stays up" "$work/run.log"; do
        kill -0 "$pid" 2>/dev/null || { cat "$work/run.log" >&2; exit 1; }
        sleep 0.5
    done
    curl -fsS "http://127.0.0.1:$port/metrics" > "$work/metrics.txt"
    echo "replay of $STREAM:"
    quantiles "$work/metrics.txt"
    kill "$pid"
    wait "$pid" || true
    exit 0
fi
mkfifo "$work/in"
java $JAVA_FLAGS -jar target/auditalert.jar run --config "$work/auditalert.yml" --metrics "127.0.0.1:$port" < "$work/in" 2> "$work/run.log" &
pid=$!
exec 3>"$work/in"   # hold the input open until the metrics are read: end of input stops run
# pace whole events (EOE ends each in the plugin form) at RATE per second
/usr/bin/python3 - "$STREAM" "$RATE" "$SECONDS_TO_RUN" > "$work/in" <<'PY'
import sys, time
path, rate, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
out = sys.stdout.buffer
batch = max(1, rate // 100)            # 100 batches a second
start = time.monotonic(); sent = 0; buf = []
with open(path, "rb") as f:
    for line in f:
        buf.append(line)
        if line.startswith(b"type=EOE"):
            sent += 1
            if sent % batch == 0:
                out.write(b"".join(buf)); out.flush(); buf = []
                due = start + sent / rate
                now = time.monotonic()
                if due > now:
                    time.sleep(due - now)
                if now - start >= secs:
                    break
    out.write(b"".join(buf)); out.flush()
print(f"sent {sent} events in {time.monotonic()-start:.1f} s", file=sys.stderr)
PY
sleep 1
curl -fsS "http://127.0.0.1:$port/metrics" > "$work/metrics.txt"
quantiles "$work/metrics.txt"
exec 3>&-
wait "$pid"
echo "run exited with status $? at end of input"

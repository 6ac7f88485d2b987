#!/usr/bin/env bash
# Live latency: feeds `auditalert run` a real event stream at a fixed rate (default 10,000 events/s
# for 20 s) through stdin, then reads auditalert_event_latency_seconds (record arrival to rule
# verdict) from /metrics and prints its quantiles. Run from the repository root after
# `mvn -DskipTests package`; STREAM defaults to the benchmark's generated plugin-form stream.
set -euo pipefail
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
mkfifo "$work/in"
java -XX:+UseSerialGC -jar target/auditalert.jar run --config "$work/auditalert.yml" --metrics "127.0.0.1:$port" < "$work/in" 2> "$work/run.log" &
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
/usr/bin/python3 - "$work/metrics.txt" <<'PY'
import re, sys
buckets = []
for line in open(sys.argv[1]):
    m = re.match(r'auditalert_event_latency_seconds_bucket\{.*le="([^"]+)".*\} ([0-9.e+]+)', line)
    if m:
        buckets.append((float("inf") if m.group(1) == "+Inf" else float(m.group(1)), float(m.group(2))))
buckets.sort()
total = buckets[-1][1]
print(f"events with a verdict: {int(total)}")
for q in (0.5, 0.9, 0.99, 0.999):
    for le, c in buckets:
        if c >= q * total:
            print(f"p{q*100:g} <= {le*1000:g} ms")
            break
PY
exec 3>&-
wait "$pid"
echo "run exited with status $? at end of input"

#!/usr/bin/env bash
# End-to-end benchmark of auditalert against libauparse (feed mode) and Laurel, on one generated
# stream of real captured audit events. Not a test: run it by hand from the repo root.
#
#   bench/run-bench.sh              full run: medians of 3 runs per side, 1,000,000 events
#   bench/run-bench.sh --jvm-sweep  also measure the JVM flag candidates (one table row each)
#
# Environment (all optional):
#   BENCH_EVENTS=1000000   events in the generated stream
#   BENCH_RUNS=3           runs per side (the median is reported)
#   BENCH_KEY=shadow       key of the rule compared with libauparse (`key = "<k>"`)
#   BENCH_FORM=eoe         eoe: plugin form (EOE records, what auditd sends to plugins); log: audit.log form
#   BENCH_JAVA_FLAGS=…     JVM flags for auditalert (default: the flags chosen below)
#   BENCH_CDS=1            0: no class-data archive (default: one built for the jar, as the package does)
#   BENCH_CORPUS_ONLY=1    build the stream from ../shared/corpus only, without a real capture
#   BENCH_PEERS_ONLY=1     measure libauparse and Laurel only (no jar needed)
#   BENCH_NO_RULES=1       run replay without --rules (pipeline cost only)
#   BENCH_REPORT_ONLY=1    measure nothing: write the table again from bench/work/times
#
# Needs: gcc, libauparse-dev and libaudit-dev, laurel, auditd (for the capture; root), GNU time
# (/usr/bin/time, Debian package `time`), python3, a JDK 17 and Maven (for the jar).
#
# Sides:
#   A  `auditalert replay --rules <a dozen rules>` vs bench/auparse-count (libauparse feed mode,
#      walking every field of every record): CPU-seconds ratio (target auditalert <= 0.5x), and the
#      alert count of the rule `key = "<k>"` must equal auparse-count's match count.
#   B  `auditalert events > /dev/null` vs `laurel` (translation on, enrichment that reads /proc off,
#      JSON to stdout > /dev/null): events per CPU-second and the ratio (target >= 4x, goal 10x).
# CPU-seconds are user+sys of the whole process (all threads), JVM start-up included.
set -euo pipefail

cd "$(dirname "$0")/.."
EVENTS=${BENCH_EVENTS:-1000000}
RUNS=${BENCH_RUNS:-3}
KEY=${BENCH_KEY:-shadow}
FORM=${BENCH_FORM:-eoe}
# Chosen from measured runs on the benchmark machine (bench/RESULTS.md): lowest CPU-seconds
# for both commands, start-up included.
# The defaults of the installed launcher (packaging/bin/auditalert), which the package runs with.
DEFAULT_JAVA_FLAGS="-XX:+UseSerialGC -Xmn16m -XX:FreqInlineSize=50 -XX:InlineSmallCode=500 -Xlog:disable -Xlog:all=warning:stderr"
JAVA_FLAGS=${BENCH_JAVA_FLAGS:-$DEFAULT_JAVA_FLAGS}
SWEEP=no
[[ ${1:-} == --jvm-sweep ]] && SWEEP=yes

work=bench/work
out=bench/out
mkdir -p "$work" "$out"
log() { echo "run-bench: $*" >&2; }
die() { echo "run-bench: $*" >&2; exit 1; }

[[ -x /usr/bin/time ]] || die "GNU time missing: apt-get install -y --no-install-recommends time"
command -v gcc >/dev/null || die "gcc missing"
command -v laurel >/dev/null || [[ -x /usr/sbin/laurel ]] || die "laurel missing: apt-get install -y laurel"
LAUREL=$(command -v laurel || echo /usr/sbin/laurel)
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3

# --- 1. the libauparse side -------------------------------------------------------------------
if [[ ! -x $work/auparse-count || bench/auparse-count.c -nt $work/auparse-count ]]; then
    log "building auparse-count"
    gcc -O2 -Wall -Wextra -o "$work/auparse-count" bench/auparse-count.c -lauparse -laudit
fi

# --- 2. the source events and the stream -------------------------------------------------------
source_args=()
if [[ ${BENCH_CORPUS_ONLY:-} == 1 ]]; then
    source_args=(--corpus-only)
    source_name="corpus only"
else
    if [[ ! -s $work/capture/plugin.stream ]]; then
        log "no capture yet: capturing real events with a private auditd (bench/capture.sh)"
        bench/capture.sh "$work/capture" || log "capture failed; falling back to corpus events"
    fi
    if [[ -s $work/capture/plugin.stream ]]; then
        source_args=(--source "$work/capture/plugin.stream")
        source_name="real auditd capture (bench/capture.sh) + PAM records from ../shared/corpus"
    else
        source_args=(--corpus-only)
        source_name="corpus only"
    fi
fi
gen_flags=()
[[ $FORM == eoe ]] && gen_flags=(--eoe)
[[ $FORM == eoe || $FORM == log ]] || die "BENCH_FORM must be eoe or log"
stream=$work/stream-$FORM-$EVENTS${BENCH_CORPUS_ONLY:+-corpus}.log
stats=${stream%.log}.json
if [[ ! -s $stream || bench/gen-stream.py -nt $stream || $work/capture/plugin.stream -nt $stream ]]; then
    log "generating $EVENTS events ($FORM form) into $stream"
    $PY bench/gen-stream.py --events "$EVENTS" "${gen_flags[@]}" "${source_args[@]}" \
        --stats "$stats" -o "$stream"
fi
expected_key=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["events_with_key"].get(sys.argv[2], 0))' "$stats" "$KEY")
stream_bytes=$(stat -c %s "$stream")
stream_records=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["records"])' "$stats")

# --- 3. the jar, the rules and Laurel's configuration ---------------------------------------------
PEERS_ONLY=${BENCH_PEERS_ONLY:-}   # 1: measure only libauparse and Laurel (no jar needed)
if [[ -z $PEERS_ONLY && ! -s target/auditalert.jar ]]; then
    log "building target/auditalert.jar"
    mvn -q -o -DskipTests package || mvn -q -DskipTests package
fi
sed "s/@KEY@/$KEY/" bench/rules-bench.yml >"$work/rules-bench.yml"
# The key rule alone, taken from that file: the job libauparse's count does, without the other twelve
# rules (a breakdown row)
awk '/^- rule: bench-key-match$/ { p = 1 } p && /^$/ { exit } p' "$work/rules-bench.yml" >"$work/rules-key.yml"
grep -q "condition: key = \"$KEY\"" "$work/rules-key.yml" || die "no bench-key-match rule in bench/rules-bench.yml"
mkdir -p "$work/laurel"
# Laurel as a fair peer: JSON to stdout, uid/gid/arch/syscall/sockaddr translated (the work
# `auditalert events` does), and none of the enrichment that reads /proc for the replayed pids.
cat >"$work/laurel/config.toml" <<EOF
directory = "$PWD/$work/laurel"
statusreport-period = 0
[auditlog]
file = "-"
[transform]
execve-argv = [ "array" ]
[translate]
universal = true
user-db = true
[enrich]
pid = false
container = false
script = false
execve-env = []
EOF
# The cheapest Laurel: the same without translation (reported too, for transparency).
sed -e 's/^universal = true/universal = false/' -e 's/^user-db = true/user-db = false/' \
    "$work/laurel/config.toml" >"$work/laurel/no-translate.toml"

# --- 4. measuring ---------------------------------------------------------------------------------
# measure NAME STDIN STDOUT CMD…: one run; appends "NAME wall user sys maxrss_kb" to $work/times
measure() {
    local name=$1 in=$2 outf=$3
    shift 3
    local tf=$work/time.$$
    if ! /usr/bin/time -f '%e %U %S %M' -o "$tf" "$@" <"$in" >"$outf" 2>"$work/$name.stderr"; then
        cat "$work/$name.stderr" >&2
        die "$name failed: $*"
    fi
    echo "$name $(cat "$tf")" >>"$work/times"
    rm -f "$tf"
}

machine() {
    echo "- machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -1), kernel $(uname -r), load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- JDK: $(java -version 2>&1 | head -2 | tail -1)"
    echo "- libauparse0 $(dpkg-query -W -f '${Version}' libauparse0 2>/dev/null || echo '?'), laurel $(dpkg-query -W -f '${Version}' laurel 2>/dev/null || echo '?'), gcc $(gcc -dumpversion)"
    echo "- date: $(date -u +%Y-%m-%dT%H:%MZ), auditalert $(git describe --always --dirty 2>/dev/null || echo '?')"
}
REPORT_ONLY=${BENCH_REPORT_ONLY:-}
if [[ -z $REPORT_ONLY ]]; then
cat "$stream" >/dev/null   # page cache: every side reads the stream from memory
: >"$work/times"
machine >"$work/machine"
read -r -a jflags <<<"$JAVA_FLAGS"
# BENCH_NO_RULES=1: replay without --rules (for a build that cannot load rules yet; the table says so)
rules_args=(--rules "$work/rules-bench.yml")
[[ -n ${BENCH_NO_RULES:-} ]] && rules_args=()
# The class-data archive the package builds at install time (postinst), built the same way here.
cds_note="none"
if [[ -z $PEERS_ONLY && ${BENCH_CDS:-1} == 1 ]]; then
    jsa=$(bench/cds-archive.sh)
    if [[ -n $jsa ]]; then
        jflags+=(-XX:SharedArchiveFile="$jsa")
        cds_note="$jsa (built like the package's)"
    fi
fi
echo "$cds_note" >"$work/cds_note"
jar=(java "${jflags[@]}" -jar target/auditalert.jar)
for run in $(seq "$RUNS"); do
    log "run $run/$RUNS"
    measure auparse-raw "$stream" "$work/auparse-raw.out" "$work/auparse-count" "$KEY" raw
    [[ -n $PEERS_ONLY ]] || measure auditalert-replay /dev/null "$work/replay-alerts.jsonl" \
        "${jar[@]}" replay "${rules_args[@]}" "$stream"
    [[ -n $PEERS_ONLY || -n ${BENCH_NO_RULES:-} ]] || measure auditalert-replay-key /dev/null \
        "$work/replay-key-alerts.jsonl" "${jar[@]}" replay --rules "$work/rules-key.yml" "$stream"
    measure auparse-interp "$stream" "$work/auparse-interp.out" "$work/auparse-count" "$KEY" interp
    [[ -n $PEERS_ONLY ]] || measure auditalert-events /dev/null /dev/null "${jar[@]}" events "$stream"
    measure laurel "$stream" /dev/null "$LAUREL" -c "$work/laurel/config.toml"
    measure laurel-no-translate "$stream" /dev/null "$LAUREL" -c "$work/laurel/no-translate.toml"
done

if [[ $SWEEP == yes ]]; then
    # "" is the JVM's defaults (G1 on this machine, tiered C1+C2).
    sweep=(""
           "-XX:+UseSerialGC"
           "-XX:+UseSerialGC -XX:TieredStopAtLevel=1"
           "-XX:+UseParallelGC"
           "-XX:+UseSerialGC -Xmx256m -Xmn64m"
           "-XX:+UseSerialGC -XX:-UsePerfData -Xshare:auto"
           "-XX:+UseSerialGC -XX:-TieredCompilation"
           "-XX:+UseSerialGC -XX:FreqInlineSize=100 -XX:InlineSmallCode=1000"
           "-XX:+UseSerialGC -XX:FreqInlineSize=50 -XX:InlineSmallCode=500"
           "-XX:+UseSerialGC -Xmn16m -XX:FreqInlineSize=50 -XX:InlineSmallCode=500")
    : >"$work/sweep"
    for flags in "${sweep[@]}"; do
        read -r -a f <<<"$flags"
        for cmd in replay events; do
            for run in $(seq "$RUNS"); do
                if [[ $cmd == replay ]]; then
                    /usr/bin/time -f '%e %U %S %M' -o "$work/time.sweep" java "${f[@]}" -jar target/auditalert.jar \
                        replay "${rules_args[@]}" "$stream" >/dev/null 2>"$work/sweep.stderr" </dev/null
                else
                    /usr/bin/time -f '%e %U %S %M' -o "$work/time.sweep" java "${f[@]}" -jar target/auditalert.jar \
                        events "$stream" >/dev/null 2>"$work/sweep.stderr" </dev/null
                fi
                echo "$cmd|$flags|$(cat "$work/time.sweep")" >>"$work/sweep"
            done
        done
    done
    rm -f "$work/time.sweep"
fi

fi # REPORT_ONLY

# --- 5. the counts and the table -----------------------------------------------------------------
auparse_line=$(cat "$work/auparse-raw.out")
auparse_matches=$(sed -n 's/.*matches=\([0-9]*\).*/\1/p' <<<"$auparse_line")
auparse_events=$(sed -n 's/^events=\([0-9]*\).*/\1/p' <<<"$auparse_line")
replay_matches=$(grep -c -E '"rule" ?: ?"bench-key-match"' "$work/replay-alerts.jsonl" 2>/dev/null || true)
replay_alerts=$(grep -c . "$work/replay-alerts.jsonl" 2>/dev/null || true)
key_only_matches=$(grep -c . "$work/replay-key-alerts.jsonl" 2>/dev/null || true)
[[ -n $PEERS_ONLY ]] && replay_matches=n/a replay_alerts=n/a

rules_note="rules-bench.yml (13 rules)"
[[ -n ${BENCH_NO_RULES:-} ]] && rules_note="NO --rules (BENCH_NO_RULES=1)"
export rules_note
export EVENTS RUNS KEY FORM JAVA_FLAGS source_name stream stream_bytes stream_records expected_key \
       auparse_matches auparse_events replay_matches replay_alerts key_only_matches SWEEP LAUREL
# what was measured when (written before the runs; a report-only run reuses it)
machine_info=$(cat "$work/machine" 2>/dev/null || machine)
cds_note=$(cat "$work/cds_note" 2>/dev/null || echo none)
export machine_info cds_note
$PY - "$work/times" "$work/sweep" >"$out/results.md" <<'PYEOF'
import os, statistics, sys
env = os.environ
rows = {}
for line in open(sys.argv[1]):
    name, wall, user, sys_, rss = line.split()
    rows.setdefault(name, []).append((float(wall), float(user) + float(sys_), int(rss)))
events = int(env["EVENTS"])
def med(name, i):
    return statistics.median(r[i] for r in rows[name])
def cpu(name): return med(name, 1)
order = [("auparse-raw", "libauparse feed, walk every field (name + raw value)", "A"),
         ("auparse-interp", "libauparse feed, walk every field + auparse_interpret_field", "A"),
         ("auditalert-replay", "`auditalert replay`, rules: %s (alerts to a file)" % env["rules_note"], "A"),
         ("auditalert-replay-key", "`auditalert replay`, the key rule alone (`key = \"%s\"`, alerts to a file; a breakdown)" % env["KEY"], "A"),
         ("auditalert-events", "`auditalert events > /dev/null`", "B"),
         ("laurel", "`laurel` (translate on, /proc enrichment off) > /dev/null", "B"),
         ("laurel-no-translate", "`laurel` (no translation, /proc enrichment off) > /dev/null", "B")]
print("## auditalert benchmark\n")
print("Stream: %d events, %d records, %.0f MB, %s form; source: %s." % (
    events, int(env["stream_records"]), int(env["stream_bytes"]) / 1e6,
    "plugin (with EOE)" if env["FORM"] == "eoe" else "audit.log (no EOE)", env["source_name"]))
print("Medians of %d runs per side; CPU = user + sys of the whole process, start-up included. "
      "auditalert JVM flags: `%s`; class-data archive: %s.\n" % (
          len(next(iter(rows.values()))), env["JAVA_FLAGS"], env["cds_note"]))
print(env["machine_info"] + "\n")
print("| side | what runs | wall s | CPU s | CPU s per 1M events | events per CPU-second | peak RSS MB |")
print("|---|---|---:|---:|---:|---:|---:|")
for name, what, side in order:
    if name not in rows:
        continue
    c = cpu(name)
    print("| %s | %s | %.2f | %.2f | %.2f | %s | %.0f |" % (
        side, what, med(name, 0), c, c * 1e6 / events, format(int(events / c), ","), med(name, 2) / 1024))
print()
if "auditalert-replay" not in rows:
    print("- auditalert was not measured (BENCH_PEERS_ONLY).")
    print("- libauparse matches for `key = \"%s\"`: %s (generator: %s)." % (env["KEY"], env["auparse_matches"], env["expected_key"]))
    print("- laurel: %s events per CPU-second." % format(int(events / cpu("laurel")), ","))
    sys.exit(0)
a = cpu("auditalert-replay") / cpu("auparse-raw")
ai = cpu("auditalert-replay") / cpu("auparse-interp")
print("- **A**: auditalert replay / libauparse CPU-seconds = **%.2fx** (walk raw fields; target <= 0.50x: %s); "
      "%.2fx against libauparse with interpretation." % (a, "met" if a <= 0.5 else "MISSED", ai))
def paired(num, den):
    """The ratio within each run (the two sides ran back to back), and their median."""
    rs = [n[1] / d[1] for n, d in zip(rows[num], rows[den])]
    return " ".join("%.2f" % r for r in rs), statistics.median(rs)
pa, pam = paired("auditalert-replay", "auparse-raw")
print("- **A** run by run (the sides ran back to back, so a load change hits both): %s; median **%.2fx**." % (pa, pam))
if env["rules_note"].startswith("NO"):
    print("- **A** matches: not compared (replay ran without rules); libauparse %s events for `key = \"%s\"`, generator %s." % (
        env["auparse_matches"], env["KEY"], env["expected_key"]))
same = env["replay_matches"] == env["auparse_matches"]
if not env["rules_note"].startswith("NO"): print("- **A** matches for `key = \"%s\"`: auditalert %s alerts, libauparse %s events, generator %s: %s. "
      "auditalert wrote %s alerts in all (every rule); libauparse assembled %s events." % (
    env["KEY"], env["replay_matches"], env["auparse_matches"], env["expected_key"],
    "**agree**" if same and env["expected_key"] == env["auparse_matches"] else "**DISAGREE**",
    env["replay_alerts"], env["auparse_events"]))
if "auditalert-replay-key" in rows:
    pk, pkm = paired("auditalert-replay-key", "auparse-raw")
    print("- **A** breakdown: `replay` with the key rule alone (libauparse's own job here) takes **%.2fx** libauparse's CPU "
          "(run by run %s; median %.2fx) and reports %s matches (%s); the other twelve rules and their alerts cost the rest." % (
              cpu("auditalert-replay-key") / cpu("auparse-raw"), pk, pkm, env["key_only_matches"],
              "agrees" if env["key_only_matches"] == env["auparse_matches"] else "**DISAGREES**"))
b = cpu("laurel") / cpu("auditalert-events")
print("- **B**: events per CPU-second, auditalert events / laurel = **%.2fx** (target >= 4x: %s; goal 10x: %s)." % (
    b, "met" if b >= 4 else "MISSED", "met" if b >= 10 else "not yet"))
pb, pbm = paired("laurel", "auditalert-events")
print("- **B** run by run: %s; median **%.2fx**." % (pb, pbm))
bn = cpu("laurel-no-translate") / cpu("auditalert-events")
print("- **B** against Laurel without translation (its cheapest JSON path): **%.1fx**." % bn)
if env["SWEEP"] == "yes" and os.path.exists(sys.argv[2]):
    print("\n### JVM flags (medians of %s runs, CPU s)\n" % env["RUNS"])
    print("| flags | replay CPU s | replay wall s | replay RSS MB | events CPU s | events wall s | events RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    sw = {}
    for line in open(sys.argv[2]):
        cmd, flags, t = line.rstrip("\n").split("|")
        wall, user, sys_, rss = t.split()
        sw.setdefault(flags, {}).setdefault(cmd, []).append((float(wall), float(user) + float(sys_), int(rss)))
    for flags, by in sw.items():
        cells = []
        for cmd in ("replay", "events"):
            r = by.get(cmd, [])
            cells += ["%.2f" % statistics.median(x[1] for x in r), "%.2f" % statistics.median(x[0] for x in r),
                      "%.0f" % (statistics.median(x[2] for x in r) / 1024)]
        print("| `%s` | %s |" % (flags or "(JVM defaults)", " | ".join(cells)))
PYEOF
cat "$out/results.md"

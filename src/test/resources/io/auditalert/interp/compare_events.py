"""Development tool: compares `auditalert events FILE` with libauparse (auparse_dump.py) on files.

Usage: /usr/bin/python3 compare_events.py JAR FILE...
Prints, per file, events/records matched and interpretation agreement; then differing fields
grouped by field name with one example each. Events are paired by (time, serial, node) in order.
"""
import collections
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def load(cmd):
    out = subprocess.run(cmd, capture_output=True).stdout.decode("utf-8", "replace")
    return [json.loads(l) for l in out.splitlines() if l.strip()]


def main():
    jar, files = sys.argv[1], sys.argv[2:]
    total = same = 0
    diffs = collections.defaultdict(list)
    for f in files:
        ours = load(["java", "-jar", jar, "events", f])
        ref = load(["/usr/bin/python3", os.path.join(HERE, "auparse_dump.py"), f])
        keyed = collections.defaultdict(list)
        for e in ours:
            keyed[(e["time"], e["serial"], e["node"])].append(e)
        for e in ref:
            k = (e["time"], e["serial"], e["node"])
            if not keyed[k]:
                continue
            o = keyed[k].pop(0)
            for ro, rr in zip(o["records"], e["records"]):
                if ro["type"] != rr["type"]:
                    continue
                for name, want in rr["interp"].items():
                    if name not in ro["interp"]:
                        continue
                    total += 1
                    got = ro["interp"][name]
                    if got == want:
                        same += 1
                    else:
                        diffs[(rr["type"], name.split("#")[0])].append((f, rr["fields"].get(name), want, got))
    print("interpretations compared: %d, equal: %d (%.3f%%)" % (total, same, 100.0 * same / max(total, 1)))
    for k, v in sorted(diffs.items(), key=lambda kv: -len(kv[1])):
        f, raw, want, got = v[0]
        print("%5d %-16s %-12s raw=%r auparse=%r ours=%r  (%s)" % (len(v), k[0], k[1], raw, want, got, os.path.basename(f)))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Generate the benchmark's audit record stream by replaying real captured events.

Source events come from a real auditd capture (bench/capture.sh writes bench/work/capture/) and,
for the PAM records a capture on a build machine cannot produce (sudo's USER_CMD, failed sshd
logins), from real logs in ../shared/corpus. Every source event is kept byte for byte except its
`msg=audit(SECONDS.MILLIS:SERIAL)` stamp: the generated stream gives each event a fresh serial
and a timestamp that never decreases, so events never collide and never go back in time.

The mix resembles a busy server: programs run (SYSCALL + EXECVE + CWD + PATH + PROCTITLE, some
failed execs from PATH searches), files opened, PAM sessions (USER_ACCT, CRED_ACQ, USER_START,
USER_END, CRED_DISP, USER_AUTH, USER_CMD, USER_LOGIN), connects with SOCKADDR (unix and inet),
permission changes and deletes, and a few configuration events. Events carry the keys of the
capture's rules (exec, app_data, access, shadow, network, perm_mod, delete, identity), so rules on
keys match some of them.

Output forms:
  default  log form, as auditd writes audit.log: no EOE records
  --eoe    plugin form, as auditd sends records to a plugin: an EOE record after every event that
           has a SYSCALL record (exactly where the kernel emits one)

Deterministic: the same sources, --events and --seed give the same bytes.
No dependencies beyond the Python 3 standard library.

usage: gen-stream.py [--events N] [--seed S] [--eoe] [--source FILE]... [--corpus DIR]
                     [--no-corpus | --corpus-only] [--stats FILE] [-o OUT]
"""
import argparse
import collections
import json
import os
import random
import re
import sys

STAMP = re.compile(rb"msg=audit\((\d+)\.(\d+):(\d+)\)")
TYPE = re.compile(rb"(?:^|\s)type=(\S+)")
KEY = re.compile(rb"\skey=(\"[^\"]*\"|[^\s\x1d]+)")
SYSCALL_NR = re.compile(rb"\ssyscall=(\d+)")
SUCCESS = re.compile(rb"\ssuccess=(\w+)")
SADDR = re.compile(rb"\ssaddr=([0-9A-Fa-f]{4})")

# Share of each category in the generated stream (a busy server). Categories absent from the
# sources are left out and the rest scaled up.
MIX = collections.OrderedDict([
    ("exec", 0.30),          # a program ran
    ("exec_failed", 0.05),   # execve that failed (PATH search)
    ("file_open", 0.22),     # openat of watched files, refused reads
    ("net_local", 0.10),     # connect to a unix socket (nscd, /dev/log, dbus)
    ("net_inet", 0.05),      # connect over inet/inet6
    ("file_change", 0.04),   # chmod, rename, unlink
    ("pam", 0.17),           # PAM records of su/runuser sessions
    ("pam_corpus", 0.05),    # USER_CMD (sudo), USER_LOGIN, failed USER_AUTH from real logs
    ("other", 0.005),        # CONFIG_CHANGE, LOGIN
])

# Real logs in ../shared/corpus with single-record PAM events the capture lacks.
CORPUS_PAM_FILES = [
    "elastic_beats/auditbeat__module__auditd__testdata__sudo.log",
    "elastic_beats/auditbeat__module__auditd__testdata__sudo-asuser.log",
    "elastic_beats/auditbeat__module__auditd__testdata__userlogin.log",
    "elastic_go-libaudit/auparse__testdata__audit-ubuntu16.log",
    "elastic_go-libaudit/auparse__testdata__audit-rhel7.log",
    "hillu_linux-audit-parser-rs/src__testdata__line-user-login.txt",
]
# Corpus files with modern kernel SYSCALL events, used only when there is no capture.
CORPUS_SYSCALL_FILES = [
    "threathunters-io_laurel/src__testdata__record-execve.txt",
    "threathunters-io_laurel/src__testdata__record-execve-long.txt",
    "threathunters-io_laurel/src__testdata__record-connect.txt",
    "threathunters-io_laurel/src__testdata__record-syscall-key.txt",
    "threathunters-io_laurel/src__testdata__record-nscd.txt",
    "threathunters-io_laurel/src__testdata__shell-proc-trace.txt",
    "threathunters-io_laurel/src__testdata__proc-trace-dpkg-l.txt",
    "elastic_go-libaudit/aucoalesce__testdata__ubuntu-24.04-linux-6.8.0.yaml.extracted.log",
    "elastic_go-libaudit/aucoalesce__testdata__ubuntu-20.04.6-linux-5.15.0-1034-gcp.yaml.extracted.log",
    "linux-audit_audit-userspace/auparse__test__test.log",
]
PAM_TYPES = {b"USER_ACCT", b"CRED_ACQ", b"USER_START", b"USER_END", b"CRED_DISP", b"USER_AUTH",
             b"USER_CMD", b"USER_LOGIN", b"USER_LOGOUT", b"USER_ERR", b"CRED_REFR",
             b"USER_CHAUTHTOK", b"USER_MGMT"}
SKIP_TYPES = {b"DAEMON_START", b"DAEMON_END", b"DAEMON_ROTATE", b"DAEMON_RESUME",
              b"DAEMON_ABORT", b"EOE"}
EXEC_SYSCALLS = {b"59", b"322", b"11", b"221"}       # execve/execveat x86_64, execve i386/aarch64
CONNECT_SYSCALLS = {b"42", b"203"}                    # connect x86_64, aarch64


class Event:
    """One source event: its record lines split around the stamp, so a new stamp drops in."""
    __slots__ = ("parts", "types", "keys", "has_syscall", "origin", "node")

    def __init__(self, lines, origin):
        self.parts = []
        self.types = []
        self.keys = set()
        self.origin = origin
        for line in lines:
            m = STAMP.search(line)
            self.parts.append((line[:m.start(1)], line[m.end(3):]))
            t = TYPE.search(line[:m.start()])
            self.types.append(t.group(1) if t else b"?")
            for k in KEY.finditer(line):
                v = k.group(1).strip(b'"')
                if v != b"(null)":
                    self.keys.add(v.decode("utf-8", "replace"))
        self.has_syscall = b"SYSCALL" in self.types
        first = self.parts[0][0]
        self.node = first.split(b" ", 1)[0] + b" " if first.startswith(b"node=") else b""


def read_events(path, origin):
    """Group a file's audit records into events by (node, stamp) in order of first appearance."""
    groups = collections.OrderedDict()
    with open(path, "rb") as f:
        for raw in f:
            line = raw.rstrip(b"\r\n")
            m = STAMP.search(line)
            if not m:
                continue
            t = TYPE.search(line[:m.start()])
            if t is None or t.group(1) in SKIP_TYPES:
                continue
            # Accept plain records only: `type=` or `node=… type=` at the start of the line.
            head = line[:t.start(1)].lstrip()
            if not (head.startswith(b"type=") or head.startswith(b"node=")):
                continue
            line = line.lstrip()
            node = line.split(b" ", 1)[0] if line.startswith(b"node=") else b""
            groups.setdefault((node, m.group(0)), []).append(line)
    return [Event(lines, origin) for lines in groups.values()]


def field(ev, regex, record_type):
    for i, t in enumerate(ev.types):
        if t == record_type:
            before, after = ev.parts[i]
            m = regex.search(after)
            if m:
                return m.group(1)
    return None


def classify(ev):
    if ev.has_syscall:
        nr = field(ev, SYSCALL_NR, b"SYSCALL")
        if b"CONFIG_CHANGE" in ev.types or b"LOGIN" in ev.types:
            return "other"
        if b"EXECVE" in ev.types or nr in EXEC_SYSCALLS:
            ok = field(ev, SUCCESS, b"SYSCALL") == b"yes"
            return "exec" if ok else "exec_failed"
        if nr in CONNECT_SYSCALLS or b"SOCKADDR" in ev.types:
            fam = field(ev, SADDR, b"SOCKADDR")
            fam = fam.upper() if fam else b""
            return "net_inet" if fam in (b"0200", b"0A00") else "net_local"
        if ev.keys & {"perm_mod", "delete", "identity"}:
            return "file_change"
        return "file_open"
    if ev.types and ev.types[0] in PAM_TYPES:
        return "pam_corpus" if ev.origin == "corpus" else "pam"
    return "other"


def default_sources(bench_dir):
    capture = os.path.join(bench_dir, "work", "capture")
    for name in ("plugin.stream", "audit.log"):
        p = os.path.join(capture, name)
        if os.path.isfile(p) and os.path.getsize(p) > 0:
            return [p]
    return []


def main():
    bench_dir = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=20261126)
    ap.add_argument("--eoe", action="store_true", help="plugin form: EOE after syscall events")
    ap.add_argument("--source", action="append", default=[],
                    help="captured audit records (default: bench/work/capture/plugin.stream)")
    ap.add_argument("--corpus", default=os.path.join(bench_dir, "..", "..", "shared", "corpus"),
                    help="the shared corpus (default: ../shared/corpus from the repo root)")
    ap.add_argument("--no-corpus", action="store_true", help="use no corpus events")
    ap.add_argument("--corpus-only", action="store_true",
                    help="no capture: take syscall events from corpus files too")
    ap.add_argument("--start", type=int, default=1767225600, help="first timestamp (epoch s)")
    ap.add_argument("--rate", type=int, default=5000, help="events per second of stream time")
    ap.add_argument("--stats", help="write a JSON summary here (per-category and per-key counts)")
    ap.add_argument("-o", "--output", default="-")
    args = ap.parse_args()

    sources = [] if args.corpus_only else (args.source or default_sources(bench_dir))
    pools = collections.defaultdict(list)
    used = []
    for path in sources:
        for ev in read_events(path, "capture"):
            pools[classify(ev)].append(ev)
        used.append(path)
    corpus = os.path.normpath(args.corpus)
    if not args.no_corpus and os.path.isdir(corpus):
        for rel in CORPUS_PAM_FILES:
            p = os.path.join(corpus, rel)
            if not os.path.isfile(p):
                continue
            for ev in read_events(p, "corpus"):
                # Only the modern userspace form (`): pid=… uid=… msg='…'`), not RHEL 6's `user pid=`.
                if not ev.has_syscall and len(ev.types) == 1 and ev.types[0] in PAM_TYPES \
                        and ev.parts[0][1].startswith(b"): pid=") \
                        and ev.types[0] not in (b"USER_START", b"USER_END", b"CRED_ACQ",
                                                b"CRED_DISP", b"USER_ACCT"):
                    pools["pam_corpus"].append(ev)
            used.append(p)
        if not sources:
            for rel in CORPUS_SYSCALL_FILES:
                p = os.path.join(corpus, rel)
                if os.path.isfile(p):
                    for ev in read_events(p, "corpus-syscall"):
                        if ev.has_syscall or ev.parts[0][1].startswith(b"): pid="):
                            pools[classify(ev)].append(ev)
                    used.append(p)
    if not any(pools.values()):
        sys.exit("gen-stream.py: no source events (run bench/capture.sh, or give --source/--corpus)")

    cats = [c for c in MIX if pools.get(c)]
    weights = [MIX[c] for c in cats]
    rng = random.Random(args.seed)
    out = sys.stdout.buffer if args.output == "-" else open(args.output, "wb")
    per_cat = collections.Counter()
    per_key = collections.Counter()
    records = 0
    serial = 1000
    start_ms = args.start * 1000
    buf = []
    buffered = 0
    picks = rng.choices(cats, weights=weights, k=args.events)
    for i, cat in enumerate(picks):
        pool = pools[cat]
        ev = pool[rng.randrange(len(pool))]
        ms = start_ms + (i * 1000) // args.rate
        stamp = b"%d.%03d:%d" % (ms // 1000, ms % 1000, serial)
        for before, after in ev.parts:
            buf.append(before)
            buf.append(stamp)
            buf.append(after)
            buf.append(b"\n")
        records += len(ev.parts)
        if args.eoe and ev.has_syscall:
            buf.append(ev.node + b"type=EOE msg=audit(" + stamp + b"):\n")
            records += 1
        serial += 1
        per_cat[cat] += 1
        for k in ev.keys:
            per_key[k] += 1
        buffered += 1
        if buffered >= 4096:
            out.write(b"".join(buf))
            buf.clear()
            buffered = 0
    out.write(b"".join(buf))
    if out is not sys.stdout.buffer:
        out.close()

    stats = {
        "events": args.events, "records": records, "seed": args.seed, "eoe": args.eoe,
        "sources": [os.path.relpath(p) for p in used],
        "source_events": {c: len(pools[c]) for c in MIX if pools.get(c)},
        "categories": dict(per_cat), "events_with_key": dict(sorted(per_key.items())),
    }
    if args.stats:
        with open(args.stats, "w") as f:
            json.dump(stats, f, indent=1)
    print("gen-stream.py: %d events, %d records; mix %s" % (
        args.events, records, ", ".join("%s=%d" % kv for kv in per_cat.most_common())),
        file=sys.stderr)


if __name__ == "__main__":
    main()

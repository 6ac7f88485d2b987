"""Reference dump: one JSON object per event, as libauparse sees it (see DESIGN.md section 3.4).

Usage: /usr/bin/python3 auparse_dump.py [--tsv] FILE...   (reads stdin when no FILE)
Output shape mirrors `auditalert events`: time/serial/node/records[type, fields, interp].
With --tsv: one line per field, "sec.milli:serial:node<TAB>record<TAB>type<TAB>name[#k]<TAB>hex<TAB>rawhex",
hex being the interpretation's bytes ("-" when auparse returns NULL), rawhex the raw value's; used by
InterpreterParityTest, which needs no JSON parser.
Field values have one pair of surrounding double quotes removed; a repeated name gets "#k".
Bytes are decoded as Latin-1 so any byte sequence survives the round trip.
"""
import datetime
import json
import sys

import auparse


def unquote(v):
    if v is not None and len(v) >= 2 and v[0] == '"' and v[-1] == '"':
        return v[1:-1]
    return v


def tsv(ev, ts, out):
    key = "%d.%03d:%d:%s" % (ts.sec, ts.milli, ts.serial, ts.host or "")
    for i, r in enumerate(ev["records"]):
        for name, v in r["interp"].items():
            hx = "-" if v is None else v.encode("utf-8", "surrogateescape").hex()
            raw = (r["fields"][name] or "").encode("latin-1", "replace").hex()
            out.write("%s\t%d\t%s\t%s\t%s\t%s\n" % (key, i, r["type"], name, hx, raw))


def dump(data, out, as_tsv=False):
    au = auparse.AuParser(auparse.AUSOURCE_BUFFER, data)
    while au.parse_next_event():
        ts = au.get_timestamp()
        t = datetime.datetime.fromtimestamp(ts.sec, datetime.timezone.utc)
        ev = {"time": t.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % ts.milli,
              "serial": ts.serial, "node": ts.host, "records": []}
        au.first_record()
        while True:
            try:
                tname = au.get_type_name()
            except Exception:
                tname = "UNKNOWN[%d]" % au.get_type()
            fields, interp, seen = {}, {}, {}
            if au.first_field():
                while True:
                    name = au.get_field_name()
                    if name in ("node", "type") and not seen.get(name):
                        seen[name] = 1
                    else:
                        k = seen.get(name, 0) + 1
                        seen[name] = k
                        key = name if k == 1 else "%s#%d" % (name, k)
                        fields[key] = unquote(au.get_field_str())
                        try:
                            interp[key] = au.interpret_field()
                        except Exception as e:  # auparse returns NULL
                            interp[key] = None
                    if not au.next_field():
                        break
            ev["records"].append({"type": tname, "fields": fields, "interp": interp})
            if not au.next_record():
                break
        if as_tsv:
            tsv(ev, ts, out)
        else:
            out.write(json.dumps(ev, ensure_ascii=False) + "\n")


def main():
    out = sys.stdout
    files = sys.argv[1:]
    as_tsv = bool(files) and files[0] == "--tsv"
    if as_tsv:
        files = files[1:]
    if not files:
        dump(sys.stdin.buffer.read().decode("latin-1"), out, as_tsv)
    for f in files:
        with open(f, "rb") as fh:
            dump(fh.read().decode("latin-1"), out, as_tsv)


if __name__ == "__main__":
    main()

"""Reference dump: one JSON object per event, as libauparse sees it (see DESIGN.md section 3.4).

Usage: /usr/bin/python3 auparse_dump.py FILE...   (reads stdin when no FILE)
Output shape mirrors `auditalert events`: time/serial/node/records[type, fields, interp].
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


def dump(data, out):
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
        out.write(json.dumps(ev, ensure_ascii=False) + "\n")


def main():
    out = sys.stdout
    files = sys.argv[1:]
    if not files:
        dump(sys.stdin.buffer.read().decode("latin-1"), out)
    for f in files:
        with open(f, "rb") as fh:
            dump(fh.read().decode("latin-1"), out)


if __name__ == "__main__":
    main()

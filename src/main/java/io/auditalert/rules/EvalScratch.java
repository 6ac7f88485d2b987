package io.auditalert.rules;

import io.auditalert.assemble.AuditEvent;
import io.auditalert.parse.ByteBuf;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Per-thread working memory for rule evaluation: decode buffers, the per-event caches of derived
 * fields (argv, proctitle, the event's record-type and key masks) and one reusable regex
 * {@link Matcher} per pattern. Create one per worker thread and pass it to every
 * {@link RuleSet#evaluate} call; it is not thread-safe and works with any rule set (it adapts when a
 * reload brings new patterns).
 */
public final class EvalScratch {
    AuditEvent ev;
    /** Bumped per event; caches compare against it. */
    long generation;

    /** The value register: decoded bytes of the value being tested. */
    byte[] vb;
    int voff;
    int vlen;

    final ByteBuf decode = new ByteBuf(256);
    final ByteBuf text = new ByteBuf(256);
    final ByteChars chars = new ByteChars();

    final ByteBuf argv = new ByteBuf(1024);
    long argvGeneration = -1;
    boolean argvPresent;
    final ByteBuf proctitle = new ByteBuf(512);
    long proctitleGeneration = -1;
    boolean proctitlePresent;

    long typeMask;
    long keyMask;
    long keyMaskGeneration = -1;

    private Matcher[] matchers = new Matcher[16];

    public EvalScratch() {}

    void begin(AuditEvent event) {
        ev = event;
        generation++;
    }

    /** Sets the value register. */
    void value(byte[] b, int off, int len) {
        vb = b;
        voff = off;
        vlen = len;
    }

    /** A matcher for pattern number {@code id}, reset to the value register. */
    Matcher matcher(int id, Pattern p) {
        if (id >= matchers.length) {
            matchers = Arrays.copyOf(matchers, Math.max(id + 1, matchers.length * 2));
        }
        Matcher m = matchers[id];
        CharSequence cs = chars.wrap(vb, voff, vlen);
        if (m == null || m.pattern() != p) {
            m = p.matcher(cs);
            matchers[id] = m;
            return m;
        }
        return m.reset(cs);
    }
}

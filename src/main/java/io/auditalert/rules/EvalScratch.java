package io.auditalert.rules;

import io.auditalert.assemble.AuditEvent;
import io.auditalert.parse.ByteBuf;
import io.auditalert.parse.Values;
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
    private final ByteChars.Decoded decodedChars = new ByteChars.Decoded();

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

    /** {@link #cachedValue}: not looked up yet in this event. */
    static final long UNKNOWN = -2;
    private long[] slotValue = new long[32];
    private long[] slotGeneration = new long[32];

    /** Per slot of a {@code TYPE.field}: the event's values (value refs), collected once per event. */
    private long[][] lists = new long[16][];
    private int[] listSize = new int[16];
    private long[] listGeneration = new long[16];

    /** The cached field list of this slot for the current event, or null when not collected yet. */
    long[] list(int slot) {
        return slot < lists.length && listGeneration[slot] == generation ? lists[slot] : null;
    }

    int listSize(int slot) {
        return listSize[slot];
    }

    /** An array of at least {@code capacity} value refs to collect this slot's list into. */
    long[] listBuffer(int slot, int capacity) {
        if (slot >= lists.length) {
            int n = Math.max(slot + 1, lists.length * 2);
            lists = Arrays.copyOf(lists, n);
            listSize = Arrays.copyOf(listSize, n);
            listGeneration = Arrays.copyOf(listGeneration, n);
        }
        long[] a = lists[slot];
        if (a == null || a.length < capacity) {
            a = new long[Math.max(capacity, 8)];
            lists[slot] = a;
        }
        return a;
    }

    void listDone(int slot, int size) {
        listSize[slot] = size;
        listGeneration[slot] = generation;
    }

    /** The event's first record with a {@code syscall} field: its value, number and arch (-1: none). */
    private long syscallGeneration = -1;
    private boolean syscallPresent;
    long syscallValue;
    long syscallNr;
    long syscallArch;

    private static final byte[] SYSCALL = {'s', 'y', 's', 'c', 'a', 'l', 'l'};
    private static final byte[] ARCH = {'a', 'r', 'c', 'h'};

    public EvalScratch() {}

    void begin(AuditEvent event) {
        ev = event;
        generation++;
    }

    /**
     * For rendering and throttle keys of a match, called while the rules still evaluate this event:
     * keeps the event's caches (argv, proctitle, fields, keys) when the scratch is already on it.
     * Outside an evaluation (a slot may hold a new event by now) use {@link #begin}.
     */
    void resume(AuditEvent event) {
        if (ev != event || !evaluating) {
            begin(event);
        }
    }

    /** True between {@link RuleSet#evaluate}'s start and end on this scratch. */
    boolean evaluating;

    /** The value ref cached for this slot in the current event, -1 for none, or {@link #UNKNOWN}. */
    long cachedValue(int slot) {
        if (slot >= slotValue.length || slotGeneration[slot] != generation) {
            return UNKNOWN;
        }
        return slotValue[slot];
    }

    void cacheValue(int slot, long value) {
        if (slot >= slotValue.length) {
            int n = Math.max(slot + 1, slotValue.length * 2);
            slotValue = Arrays.copyOf(slotValue, n);
            slotGeneration = Arrays.copyOf(slotGeneration, n);
        }
        slotValue[slot] = value;
        slotGeneration[slot] = generation;
    }

    /**
     * Finds the event's first record with a {@code syscall} field once per event and parses its
     * number and arch; false when there is none.
     */
    boolean syscall() {
        if (syscallGeneration == generation) {
            return syscallPresent;
        }
        syscallGeneration = generation;
        syscallPresent = false;
        for (int r = 0, n = ev.recordCount(); r < n; r++) {
            long v = ev.rawValue(r, SYSCALL);
            if (v < 0) {
                continue;
            }
            byte[] b = ev.buffer();
            syscallValue = v;
            syscallNr = Values.parseDecimal(b, AuditEvent.refOff(v), AuditEvent.refLen(v));
            long a = ev.rawValue(r, ARCH);
            syscallArch = a < 0 ? -1 : Values.parseHex(b, AuditEvent.refOff(a), AuditEvent.refLen(a));
            syscallPresent = true;
            break;
        }
        return syscallPresent;
    }

    /** Sets the value register. */
    void value(byte[] b, int off, int len) {
        vb = b;
        voff = off;
        vlen = len;
    }

    /**
     * A matcher for pattern number {@code id}, reset to the value register: over its bytes as chars
     * when {@code decoded} is false, else over the register decoded as UTF-8.
     */
    Matcher matcher(int id, Pattern p, boolean decoded) {
        if (id >= matchers.length) {
            matchers = Arrays.copyOf(matchers, Math.max(id + 1, matchers.length * 2));
        }
        Matcher m = matchers[id];
        CharSequence cs = decoded ? decodedChars.wrap(vb, voff, vlen) : chars.wrap(vb, voff, vlen);
        if (m == null || m.pattern() != p) {
            m = p.matcher(cs);
            matchers[id] = m;
            return m;
        }
        return m.reset(cs);
    }
}

package io.auditalert.assemble;

import static io.auditalert.parse.RecordTokenizer.EQUALS;
import static io.auditalert.parse.RecordTokenizer.SEPARATORS;
import static io.auditalert.parse.RecordTokenizer.SPACES;

import io.auditalert.parse.RecordTokenizer;
import io.auditalert.parse.RecordTypes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One assembled event: a recycled slot that holds copies of its record lines in one byte array, and
 * offsets into it. Nothing here is decoded: values are ranges of bytes until a consumer asks.
 *
 * <pre>
 *   buf: [ line of record 0 | line of record 1 | synthesized bytes (virtual keys, seperms) | ... ]
 *         ^recOff[0]          ^recOff[1]
 *   field f: name = buf[nameOff[f], nameOff[f]+nameLen[f]),  value = buf[valOff[f], valOff[f]+valLen[f])
 *   record r: raw fields [fieldFirst[r], fieldEnd[r]), of which the first headerFields[r] are the
 *             node= and type= tokens; enriched fields (after 0x1D) [enrFirst[r], enrEnd[r])
 * </pre>
 *
 * Values keep the bytes as written, quotes included ({@code "ls"}, hex, {@code (null)}); the
 * decoding helpers live in {@link io.auditalert.parse.Values}.
 *
 * <p>Records are tokenized lazily: appending a record copies its line and notes its type; its
 * fields are split on the first access to them ({@link #firstField}, {@link #find}, ...), by the
 * thread that holds the event. A rule that only needs the SYSCALL record's {@code key} never pays
 * for splitting the PATH, EXECVE or PROCTITLE records. Tokenizing never moves {@link #buffer()}:
 * the bytes libauparse synthesizes are written in place or into the slot's constant preamble.
 */
public final class AuditEvent {
    static final int INITIAL_BYTES = 4096;
    static final int INITIAL_RECORDS = 8;
    static final int INITIAL_FIELDS = 64;
    /** A slot whose buffer grew beyond this gives it back on recycle, so rare giants don't pin memory. */
    static final int KEEP_BYTES = 64 * 1024;

    /** Constant field names that libauparse makes up for AVC records, at the start of every buffer. */
    static final byte[] PREAMBLE = "seresultseperms\0".getBytes(StandardCharsets.US_ASCII);
    public static final int SERESULT_OFF = 0;
    public static final int SERESULT_LEN = 8;
    public static final int SEPERMS_OFF = 8;
    public static final int SEPERMS_LEN = 7;
    /**
     * Where a field whose value libauparse reports as NULL points (length 0): a preamble byte that no
     * record can cover, so {@link #isNullValue} is one comparison.
     */
    public static final int NULL_VALUE_OFF = 15;

    byte[] buf = newBuffer(INITIAL_BYTES);
    int used = PREAMBLE.length;
    io.auditalert.parse.RecordTokenizer tokenizer;

    int nodeOff = -1;
    int nodeLen;
    long sec;
    int milli;
    long serial;

    int recordCount;
    int[] recOff = new int[INITIAL_RECORDS];
    int[] recLen = new int[INITIAL_RECORDS];
    int[] recType = new int[INITIAL_RECORDS];
    int[] recTypeOff = new int[INITIAL_RECORDS];
    int[] recTypeLen = new int[INITIAL_RECORDS];
    int[] fieldFirst = new int[INITIAL_RECORDS];
    int[] headerFields = new int[INITIAL_RECORDS];
    int[] fieldEnd = new int[INITIAL_RECORDS];
    int[] enrFirst = new int[INITIAL_RECORDS];
    int[] enrEnd = new int[INITIAL_RECORDS];
    boolean[] tokenized = new boolean[INITIAL_RECORDS];
    /** Per record: see {@link #keyAt}; KEY_UNKNOWN until looked up. */
    int[] keyState = new int[INITIAL_RECORDS];
    int[] keyEnd = new int[INITIAL_RECORDS];

    int fieldCount;
    int[] nameOff = new int[INITIAL_FIELDS];
    int[] nameLen = new int[INITIAL_FIELDS];
    int[] valOff = new int[INITIAL_FIELDS];
    int[] valLen = new int[INITIAL_FIELDS];

    boolean truncated;
    /** Wall-clock nanos ({@link System#nanoTime()}) when the first and the last record arrived. */
    long firstArrivalNanos;
    long lastArrivalNanos;

    // assembler bookkeeping
    long key;
    AuditEvent older;
    AuditEvent newer;
    boolean open;

    public long sec() {
        return sec;
    }

    public int milli() {
        return milli;
    }

    /** Epoch milliseconds of the event's timestamp. */
    public long epochMillis() {
        return sec * 1000L + milli;
    }

    /** The serial as the unsigned 32-bit number the kernel wrote. */
    public long serial() {
        return serial;
    }

    public boolean hasNode() {
        return nodeOff >= 0;
    }

    public int nodeOff() {
        return nodeOff;
    }

    public int nodeLen() {
        return nodeLen;
    }

    /** The node name, or null; allocates, for cold paths. */
    public String nodeString() {
        return nodeOff < 0 ? null : new String(buf, nodeOff, nodeLen, StandardCharsets.ISO_8859_1);
    }

    public byte[] buffer() {
        return buf;
    }

    public boolean truncated() {
        return truncated;
    }

    public long firstArrivalNanos() {
        return firstArrivalNanos;
    }

    public int recordCount() {
        return recordCount;
    }

    /** The record's type number, or {@link RecordTypes#UNKNOWN}. */
    /**
     * Whether the event has records only a syscall's event has (CWD, PATH, EXECVE, SOCKADDR, BPRM_FCAPS,
     * PROCTITLE) but not the SYSCALL (or io_uring's URINGOP) record itself: auditd's dispatcher dropped it
     * on the way ("queue to plugins is full"), and rules on the syscall's fields cannot see the event.
     */
    public boolean lacksItsSyscall() {
        boolean aux = false;
        for (int r = 0; r < recordCount; r++) {
            int t = recType[r];
            if (t == RecordTypes.SYSCALL || t == RecordTypes.URINGOP) {
                return false;
            }
            aux |= t == RecordTypes.CWD || t == RecordTypes.PATH || t == RecordTypes.EXECVE || t == RecordTypes.SOCKADDR
                    || t == RecordTypes.BPRM_FCAPS || t == RecordTypes.PROCTITLE;
        }
        return aux;
    }

    public int recordType(int r) {
        return recType[r];
    }

    /** The record's type name: libaudit's name for its number, else the {@code type=} value as written. */
    public String recordTypeName(int r) {
        String name = RecordTypes.name(recType[r]);
        if (name != null) {
            return name;
        }
        if (recType[r] >= 0) {
            return "UNKNOWN[" + recType[r] + "]";
        }
        return new String(buf, recTypeOff[r], recTypeLen[r], StandardCharsets.ISO_8859_1);
    }

    public int recordOff(int r) {
        return recOff[r];
    }

    public int recordLen(int r) {
        return recLen[r];
    }

    /** Splits record r into fields if that has not happened yet. */
    private void ensure(int r) {
        if (!tokenized[r]) {
            tokenizer.tokenize(this, r);
        }
    }

    /** {@link #rawValue}: record r has no raw field of that name. */
    public static final long NO_VALUE = -1;

    private static final long UNSURE = -2;

    /** A value's place in {@link #buffer()}: offset in the high half, length in the low one. */
    public static long valueRef(int off, int len) {
        return ((long) off << 32) | len;
    }

    public static int refOff(long ref) {
        return (int) (ref >>> 32);
    }

    public static int refLen(long ref) {
        return (int) ref;
    }

    /**
     * The value of record r's first raw field named {@code name} as a {@link #valueRef}, or
     * {@link #NO_VALUE}: the field {@link #firstField}..{@link #endField} would give, without
     * splitting the record when its line allows. Fields are separated by spaces, so a field of that
     * name is exactly a space, the name and {@code '='} before the 0x1D; the few forms the tokenizer
     * rewrites (a nested {@code msg='name=}, a leading {@code (}, AVC permission lists, keys, header
     * names) are left to it. Rules read a handful of fields of a SYSCALL or PATH record; splitting
     * all of its twenty-odd fields for them cost more than the rest of the evaluation.
     */
    public long rawValue(int r, byte[] name) {
        if (!tokenized[r] && recType[r] != RecordTypes.AVC && recType[r] != RecordTypes.USER_AVC
                && !isTokenizerName(name)) {
            long v = scanValue(buf, recOff[r], recOff[r] + recLen[r], name);
            if (v != UNSURE) {
                return v;
            }
        }
        ensure(r);
        for (int f = fieldFirst[r] + headerFields[r], to = fieldEnd[r]; f < to; f++) {
            if (nameIs(f, name)) {
                return valueRef(valOff[f], valLen[f]);
            }
        }
        return NO_VALUE;
    }

    private static boolean isTokenizerName(byte[] n) {
        return n.length == 0 || n[0] == '('
                || (n.length == 3 && ((n[0] == 'k' && n[1] == 'e' && n[2] == 'y') || (n[0] == 'm' && n[1] == 's' && n[2] == 'g')))
                || (n.length == 4 && ((n[0] == 't' && n[1] == 'y' && n[2] == 'p' && n[3] == 'e')
                        || (n[0] == 'n' && n[1] == 'o' && n[2] == 'd' && n[3] == 'e')));
    }

    /**
     * The value of the first " name=" token before the 0x1D, NO_VALUE, or UNSURE: visits the line's
     * '=' bytes that follow the name's last byte (and stops at a 0x1D), eight bytes a step, and
     * compares the bytes before each with the name.
     */
    static long scanValue(byte[] b, int from, int end, byte[] name) {
        int n = name.length;
        if (from >= end || b[from] == ENRICHED_SEPARATOR) {
            return NO_VALUE;
        }
        long last = (name[n - 1] & 0xFFL) * 0x0101010101010101L;
        for (int at = RecordTokenizer.indexOfPairOrStop(b, from + 1, end, last, EQUALS, SEPARATORS); at < end;
                at = RecordTokenizer.indexOfPairOrStop(b, at + 1, end, last, EQUALS, SEPARATORS)) {
            if (b[at] == ENRICHED_SEPARATOR) {
                return NO_VALUE;
            }
            int p = at - n;
            if (p <= from || !nameAt(b, p, name)) {
                continue;
            }
            byte before = b[p - 1];
            if (before != ' ') {
                if (before == '\'' || before == '(') {
                    return UNSURE;
                }
                continue;
            }
            int vs = at + 1;
            int te = RecordTokenizer.indexOfAny(b, vs, end, SPACES, SEPARATORS, SEPARATORS);
            if (te > vs) {
                return valueRef(vs, RecordTokenizer.trimValue(b, vs, te) - vs);
            }
            // "name=" with nothing after it is no field: look further
        }
        return NO_VALUE;
    }

    private static boolean nameAt(byte[] b, int p, byte[] name) {
        for (int i = 0; i < name.length; i++) {
            if (b[p + i] != name[i]) {
                return false;
            }
        }
        return true;
    }

    /** First raw field of record r (node= and type= tokens excluded). */
    public int firstField(int r) {
        ensure(r);
        return fieldFirst[r] + headerFields[r];
    }

    /** One past the last raw field of record r. */
    public int endField(int r) {
        ensure(r);
        return fieldEnd[r];
    }

    public int firstEnriched(int r) {
        ensure(r);
        return enrFirst[r];
    }

    public int endEnriched(int r) {
        ensure(r);
        return enrEnd[r];
    }

    public int nameOff(int f) {
        return nameOff[f];
    }

    public int nameLen(int f) {
        return nameLen[f];
    }

    public int valOff(int f) {
        return valOff[f];
    }

    public int valLen(int f) {
        return valLen[f];
    }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /**
     * Whether record r may hold a {@code key} field: false when its line has no {@code " key="}.
     * Looked up once per record (eight bytes a step for the {@code k}), so rules that look for keys
     * skip PATH, EXECVE, CWD and PROCTITLE records without splitting them.
     */
    public boolean mayHaveKey(int r) {
        return keyAt(r) >= 0;
    }

    /**
     * Offset in {@link #buffer()} just past the first {@code " key="} of record r's line, or -1 when
     * the line has none. Everything any {@code key} field of the record holds lies between there and
     * the end of the line, so a key can be ruled out without splitting the record.
     */
    public int keyAt(int r) {
        int at = keyState[r];
        if (at == KEY_UNKNOWN) {
            int end = recOff[r] + recLen[r];
            at = findKey(buf, recOff[r], end);
            keyState[r] = at;
            if (at >= 0) {
                keyEnd[r] = RecordTokenizer.indexOfAny(buf, at, end, SEPARATORS, SEPARATORS, SEPARATORS);
            }
        }
        return at;
    }

    /**
     * Where the key region of record r that starts at {@link #keyAt} ends: at the ENRICHED separator
     * (0x1D), after which only upper-case names follow, or at the end of the line.
     */
    public int keyEnd(int r) {
        return keyEnd[r];
    }

    private static final byte ENRICHED_SEPARATOR = 0x1D;

    private static final int KEY_UNKNOWN = -2;

    /**
     * Just past the first {@code " key="} in b[from, end), or -1. Its own one-byte search: the
     * tokenizer's {@code indexOfPairOrStop(' ', 'k')} visits fewer candidates but costs more per word,
     * and took more of the samples of a key-only replay (235 against 191 of about 1,600).
     */
    private static int findKey(byte[] b, int from, int end) {
        int i = from + 1;
        for (; i + 8 <= end; i += 8) {
            long x = (long) LONGS.get(b, i) ^ 0x6B6B6B6B6B6B6B6BL; // 'k'
            long found = (x - 0x0101010101010101L) & ~x & 0x8080808080808080L;
            while (found != 0) {
                int at = i + (Long.numberOfTrailingZeros(found) >>> 3);
                if (isKeyAt(b, at, end)) {
                    return at + 4;
                }
                found &= found - 1;
            }
        }
        for (; i < end; i++) {
            if (b[i] == 'k' && isKeyAt(b, i, end)) {
                return i + 4;
            }
        }
        return -1;
    }

    private static boolean isKeyAt(byte[] b, int at, int end) {
        return at + 3 < end && b[at - 1] == ' ' && b[at + 1] == 'e' && b[at + 2] == 'y' && b[at + 3] == '=';
    }

    /** Whether libauparse has no value for field f (an undecodable unquoted key); its value is empty. */
    public boolean isNullValue(int f) {
        return valOff[f] == NULL_VALUE_OFF;
    }

    public boolean nameIs(int f, byte[] name) {
        int len = nameLen[f];
        return len == name.length && Arrays.equals(buf, nameOff[f], nameOff[f] + len, name, 0, len);
    }

    public boolean valueIs(int f, byte[] value) {
        return refIs(valueRef(valOff[f], valLen[f]), value);
    }

    /** Whether the value at {@code ref} (a {@link #valueRef}) is these bytes. */
    public boolean refIs(long ref, byte[] value) {
        int off = refOff(ref);
        return refLen(ref) == value.length && Arrays.equals(buf, off, off + value.length, value, 0, value.length);
    }

    /** The first raw field of record r with this name, or -1. */
    public int find(int r, byte[] name) {
        for (int f = firstField(r), end = fieldEnd[r]; f < end; f++) {
            if (nameIs(f, name)) {
                return f;
            }
        }
        return -1;
    }

    /** The first raw field with this name in record order, as auparse_find_field does, or -1. */
    public int find(byte[] name) {
        for (int r = 0; r < recordCount; r++) {
            int f = find(r, name);
            if (f >= 0) {
                return f;
            }
        }
        return -1;
    }

    /** The first enriched (after 0x1D) field of record r with this upper-case name, or -1. */
    public int findEnriched(int r, byte[] upperName) {
        for (int f = firstEnriched(r), end = enrEnd[r]; f < end; f++) {
            if (nameIs(f, upperName)) {
                return f;
            }
        }
        return -1;
    }

    /** The first record of this type, or -1. */
    public int findRecord(int type) {
        for (int r = 0; r < recordCount; r++) {
            if (recType[r] == type) {
                return r;
            }
        }
        return -1;
    }

    public String nameString(int f) {
        return new String(buf, nameOff[f], nameLen[f], StandardCharsets.ISO_8859_1);
    }

    public String valueString(int f) {
        return new String(buf, valOff[f], valLen[f], StandardCharsets.ISO_8859_1);
    }

    // ---- writer side: used only by the assembler and the parser's tokenizer ----

    /** Resets the slot for a new event; keeps its arrays unless the byte buffer grew very large. */
    void reset() {
        if (buf.length > KEEP_BYTES) {
            buf = newBuffer(INITIAL_BYTES);
        }
        used = PREAMBLE.length;
        nodeOff = -1;
        nodeLen = 0;
        recordCount = 0;
        fieldCount = 0;
        truncated = false;
        open = false;
        older = null;
        newer = null;
    }

    private static byte[] newBuffer(int size) {
        byte[] b = new byte[size];
        System.arraycopy(PREAMBLE, 0, b, 0, PREAMBLE.length);
        return b;
    }

    /** Reserves len bytes at the end of the buffer and returns their offset, or -1 past maxBytes. */
    public int reserve(int len, int maxBytes) {
        int need = used + len;
        if (need > maxBytes) {
            return -1;
        }
        if (need > buf.length) {
            buf = Arrays.copyOf(buf, Math.min(Math.max(need, buf.length * 2), maxBytes));
        }
        int at = used;
        used = need;
        return at;
    }

    /** Appends bytes (for synthesized values) and returns their offset, or -1 past maxBytes. */
    public int appendBytes(byte[] src, int off, int len, int maxBytes) {
        int at = reserve(len, maxBytes);
        if (at >= 0) {
            System.arraycopy(src, off, buf, at, len);
        }
        return at;
    }

    /** Starts record r; returns false past maxRecords (the caller marks and counts the truncation). */
    public boolean beginRecord(int off, int len, int maxRecords) {
        if (recordCount >= maxRecords) {
            return false;
        }
        if (recordCount == recOff.length) {
            int n = recOff.length * 2;
            recOff = Arrays.copyOf(recOff, n);
            recLen = Arrays.copyOf(recLen, n);
            recType = Arrays.copyOf(recType, n);
            recTypeOff = Arrays.copyOf(recTypeOff, n);
            recTypeLen = Arrays.copyOf(recTypeLen, n);
            fieldFirst = Arrays.copyOf(fieldFirst, n);
            headerFields = Arrays.copyOf(headerFields, n);
            fieldEnd = Arrays.copyOf(fieldEnd, n);
            enrFirst = Arrays.copyOf(enrFirst, n);
            enrEnd = Arrays.copyOf(enrEnd, n);
            tokenized = Arrays.copyOf(tokenized, n);
            keyState = Arrays.copyOf(keyState, n);
            keyEnd = Arrays.copyOf(keyEnd, n);
        }
        int r = recordCount;
        recOff[r] = off;
        recLen[r] = len;
        recType[r] = RecordTypes.UNKNOWN;
        recTypeOff[r] = off;
        recTypeLen[r] = 0;
        fieldFirst[r] = fieldCount;
        headerFields[r] = 0;
        fieldEnd[r] = fieldCount;
        enrFirst[r] = fieldCount;
        enrEnd[r] = fieldCount;
        tokenized[r] = false;
        keyState[r] = KEY_UNKNOWN;
        return true;
    }

    /** Closes the record being appended; its fields are split later, on first access. */
    public void endRecord() {
        recordCount++;
    }

    /** The record being appended: its type number and where the {@code type=} value is. */
    public void setType(int type, int valueOff, int valueLen) {
        recType[recordCount] = type;
        recTypeOff[recordCount] = valueOff;
        recTypeLen[recordCount] = valueLen;
    }

    /** Tokenizer side: record r's fields start here. */
    public void beginFields(int r) {
        tokenized[r] = true;
        fieldFirst[r] = fieldCount;
        headerFields[r] = 0;
    }

    /** Tokenizer side: record r starts with this many header fields (node=, type=). */
    public void setHeaderFields(int r, int n) {
        headerFields[r] = n;
    }

    /** Tokenizer side: the raw fields of record r end here; enriched fields follow. */
    public void endRawFields(int r) {
        fieldEnd[r] = fieldCount;
        enrFirst[r] = fieldCount;
    }

    /** Tokenizer side: record r is complete. */
    public void endFields(int r) {
        enrEnd[r] = fieldCount;
    }

    /** Tokenizer side: fields added so far to record r. */
    public int fieldsInRecord(int r) {
        return fieldCount - fieldFirst[r];
    }

    /** Splits every record now (tests and tools that read the arrays directly). */
    public void tokenizeAll() {
        for (int r = 0; r < recordCount; r++) {
            ensure(r);
        }
    }

    /** Tokenizer side: adds a field to the record being split; its index. */
    public int addField(int nOff, int nLen, int vOff, int vLen) {
        if (fieldCount == nameOff.length) {
            int n = nameOff.length * 2;
            nameOff = Arrays.copyOf(nameOff, n);
            nameLen = Arrays.copyOf(nameLen, n);
            valOff = Arrays.copyOf(valOff, n);
            valLen = Arrays.copyOf(valLen, n);
        }
        int f = fieldCount++;
        nameOff[f] = nOff;
        nameLen[f] = nLen;
        valOff[f] = vOff;
        valLen[f] = vLen;
        return f;
    }
}

package io.auditalert.ingest;

import io.auditalert.metrics.PipelineStats;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Frames a byte stream into {@code \n}-terminated lines. Reads 64 KiB at a time into one buffer;
 * a line cut by a read is carried to the front and completed by the next. A line longer than the cap
 * is counted and skipped up to its newline, never buffered whole.
 */
public final class LineFramer {
    public static final int READ_SIZE = 64 * 1024;
    public static final int DEFAULT_MAX_LINE = 64 * 1024;

    /** Where framed lines go; the bytes are valid only during the call. */
    public interface LineHandler {
        void onLine(byte[] buf, int off, int len);
    }

    /** A source of bytes: returns the count read, or -1 at end of input. Closing a file's source closes the file. */
    public interface ByteSource extends java.io.Closeable {
        int read(byte[] buf, int off, int len) throws IOException;

        /**
         * Whether the last -1 meant "stop reading" rather than the end of the input: the line read
         * up to there is then cut where reading stopped, and is dropped, not delivered.
         */
        default boolean stoppedShort() {
            return false;
        }

        /**
         * When the bytes of the last read came in ({@link System#nanoTime()}), for a source that held them
         * (read ahead while the JVM started); 0 when they came with the read itself.
         */
        default long arrivalNanos() {
            return 0;
        }

        @Override
        default void close() throws IOException {}
    }

    /** Called around each batch of lines from one read, so a timer can share the consumer safely. */
    public interface BatchLock {
        void lock();

        void unlock();
    }

    private static final BatchLock NO_LOCK = new BatchLock() {
        @Override
        public void lock() {}

        @Override
        public void unlock() {}
    };

    private final int maxLine;
    private final PipelineStats stats;
    private final byte[] buf;
    private int start;
    private int filled;
    private boolean discarding;
    private long readNanos;
    private long heldSince;

    public LineFramer(int maxLine, PipelineStats stats) {
        this.maxLine = maxLine;
        this.stats = stats;
        this.buf = new byte[maxLine + READ_SIZE];
    }

    /**
     * When the last read returned ({@link System#nanoTime()}): a line handed to the handler arrived then
     * (the read that completed it). For the handler, on the reading thread.
     */
    public long lastReadNanos() {
        return readNanos;
    }

    /**
     * When the bytes of the last read came in, if a source held them before this read (0 otherwise):
     * a live line's arrival is then that moment, not the framing.
     */
    public long heldSinceNanos() {
        return heldSince;
    }

    /** Reads the source to its end, handing every line to the handler; the last line may lack a newline. */
    public void pump(ByteSource source, LineHandler handler) throws IOException {
        pump(source, handler, NO_LOCK);
    }

    public void pump(ByteSource source, LineHandler handler, BatchLock lock) throws IOException {
        pump(source, handler, lock, true);
    }

    /**
     * As above; with {@code deliverUnterminated} false an unterminated last line is dropped and counted
     * instead of delivered (the native relay resends a line cut by a disconnect whole).
     */
    public void pump(ByteSource source, LineHandler handler, BatchLock lock, boolean deliverUnterminated)
            throws IOException {
        if (lock == null) {
            lock = NO_LOCK;
        }
        while (true) {
            if (filled == buf.length) {
                compact();
            }
            int n;
            try {
                n = source.read(buf, filled, Math.min(READ_SIZE, buf.length - filled));
            } catch (IOException | RuntimeException e) {
                // the input failed (a cut .gz, a disk error, a relay connection reset): its unfinished
                // last line is dropped, not left to be glued to the first line of the next input (the
                // relay sends a line cut by a disconnect again, whole, on its next connection)
                endInput(handler, lock, true, false, deliverUnterminated);
                throw e;
            }
            if (n < 0) {
                break;
            }
            if (n == 0) {
                continue;
            }
            readNanos = System.nanoTime();
            heldSince = source.arrivalNanos();
            stats.bytesRead += n;
            int scanFrom = filled;
            filled += n;
            lock.lock();
            try {
                frame(scanFrom, handler);
            } finally {
                lock.unlock();
            }
        }
        endInput(handler, lock, false, source.stoppedShort(), deliverUnterminated);
    }

    /**
     * The end of an input: its unterminated last line is delivered (unless the input failed or stopped
     * short), or, for a relay, counted as cut; the framer starts the next input clean.
     */
    private void endInput(LineHandler handler, BatchLock lock, boolean failed, boolean stoppedShort,
            boolean deliverUnterminated) {
        lock.lock();
        try {
            if (filled > start && !discarding && !stoppedShort) {
                if (!deliverUnterminated) {
                    stats.linesCutAtDisconnect++;
                } else if (!failed) {
                    stats.unterminatedLastLines++;
                    emit(handler, start, filled);
                }
            }
            start = 0;
            filled = 0;
            discarding = false;
        } finally {
            lock.unlock();
        }
    }

    private void frame(int scanFrom, LineHandler handler) {
        byte[] b = buf;
        for (int i = indexOfNewline(b, scanFrom, filled); i >= 0; i = indexOfNewline(b, i + 1, filled)) {
            if (discarding) {
                discarding = false;
            } else if (i - start > maxLine) {
                // a whole line over the limit within what was read: the same fate as one that fills the
                // buffer first, wherever it falls in the input
                stats.linesTooLong++;
                stats.noteMalformed();
            } else {
                emit(handler, start, i);
            }
            start = i + 1;
        }
        if (filled - start > maxLine) {
            if (!discarding) {
                stats.linesTooLong++;
                stats.noteMalformed();
                discarding = true;
            }
            start = filled;
        }
        if (start == filled) {
            start = 0;
            filled = 0;
        } else if (buf.length - filled < READ_SIZE) {
            compact();
        }
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /**
     * The index of the first {@code \n} in {@code b[from, to)}, or -1. Tests eight bytes per step:
     * a byte equal to 0x0A becomes zero after the XOR, and the classic has-zero-byte expression
     * flags it; the lowest flagged byte is always a true match.
     */
    static int indexOfNewline(byte[] b, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long x = (long) LONGS.get(b, i) ^ NEWLINES;
            long found = (x - ONES) & ~x & HIGHS;
            if (found != 0) {
                return i + (Long.numberOfTrailingZeros(found) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void emit(LineHandler handler, int from, int to) {
        stats.lines++;
        if (to > from && buf[to - 1] == '\r') {
            // auditd never writes a CR: this is a log converted to CR LF line ends, whose CR would
            // otherwise end the last field's value ("k"\r for key="k", which then never matches)
            to--;
            stats.crLineEnds++;
        }
        if (to > from) {
            handler.onLine(buf, from, to - from);
        }
    }

    private void compact() {
        int n = filled - start;
        System.arraycopy(buf, start, buf, 0, n);
        start = 0;
        filled = n;
    }
}

package io.auditalert.ingest;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Reads a source on its own thread from the moment {@code run} starts, while the configuration, rules
 * and sinks are still loading, and hands the bytes over in order when the pipeline is ready.
 *
 * <p>auditd writes to its plugins with blocking writes from one dispatcher thread: a plugin that reads
 * nothing for its start-up (a second or more for a JVM loading rules) stalls every plugin, and a
 * restarted one meets a full queue, which auditd empties by dropping records. Reading early moves that
 * wait into this process's memory. The buffer is bounded ({@code limitBytes}): past it the thread stops
 * reading and the writer waits, as it did before.
 *
 * <p>After {@link #handOver()} the returned source gives the buffered bytes, then what the thread read
 * last, then reads the source directly on the caller's thread: bytes are never reordered.
 */
public final class EarlyInput {
    private static final int CHUNK = 64 * 1024;
    /** Queue markers: the thread has stopped (read the source directly now), or reached end of input. */
    private static final byte[] HANDED_OVER = new byte[0];
    private static final byte[] END = new byte[0];

    private final LineFramer.ByteSource source;
    /** Unbounded in count; the thread bounds it in bytes. */
    private final BlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
    /** When each chunk of {@link #chunks} was read (System.nanoTime), in the same order. */
    private final BlockingQueue<Long> readAt = new LinkedBlockingQueue<>();
    private final long limitBytes;
    private final Thread reader;
    private volatile boolean handedOver;
    private volatile IOException failure;
    private long buffered;
    /** Drop what is read until {@link #handOver} (then keep what is read from there on); see {@link #discarding}. */
    private final boolean discard;
    private long dropped;
    private long droppedLines;
    private final Runnable onEnd;

    private EarlyInput(LineFramer.ByteSource source, long limitBytes, boolean discard, Runnable onEnd) {
        this.source = source;
        this.limitBytes = limitBytes;
        this.discard = discard;
        this.onEnd = onEnd;
        this.reader = new Thread(this::readAhead, discard ? "input-drain" : "early-input");
        reader.setDaemon(true);
    }

    /**
     * Starts reading {@code source} and dropping what it reads, so that its writer never waits, until
     * {@link #handOver}: what is read from then on is kept. {@code onEnd} runs when the input ends or fails.
     */
    public static EarlyInput discarding(LineFramer.ByteSource source, Runnable onEnd) {
        EarlyInput e = new EarlyInput(source, Long.MAX_VALUE, true, onEnd);
        e.reader.start();
        return e;
    }

    /** Bytes {@link #discarding} dropped so far. */
    public synchronized long droppedBytes() {
        return dropped;
    }

    /** Lines (records) {@link #discarding} dropped so far: the line ends among the bytes dropped. */
    public synchronized long droppedLines() {
        return droppedLines;
    }

    /** Starts reading {@code source} ahead, keeping at most {@code limitBytes} (and one chunk) in memory. */
    public static EarlyInput start(LineFramer.ByteSource source, long limitBytes) {
        EarlyInput e = new EarlyInput(source, Math.max(1, limitBytes), false, () -> {});
        e.reader.start();
        return e;
    }

    /** Bytes read ahead so far (for the log: how much start-up would otherwise have held up). */
    public synchronized long bufferedBytes() {
        return buffered;
    }

    private void readAhead() {
        try {
            byte[] buf = new byte[CHUNK];
            while (!handedOver && bufferedBytes() < limitBytes) {
                int n = source.read(buf, 0, buf.length);
                if (n < 0) {
                    chunks.put(END);
                    onEnd.run();
                    return;
                }
                if (n > 0 && discard && !handedOver) {
                    int lines = 0;
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == '\n') {
                            lines++;
                        }
                    }
                    synchronized (this) {
                        dropped += n;
                        droppedLines += lines;
                    }
                    continue;
                }
                if (n > 0) {
                    synchronized (this) {
                        buffered += n;
                    }
                    readAt.put(System.nanoTime()); // first: a chunk taken always finds its time
                    chunks.put(Arrays.copyOf(buf, n));
                }
            }
        } catch (IOException e) {
            failure = e;
            onEnd.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            chunks.put(HANDED_OVER);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops reading ahead and returns what was read so far, then an end: for a stop during start-up,
     * which evaluates what the writer already sent but waits for nothing more. A line that reading cut
     * short is dropped unless the input had ended there. Call it once, instead of {@link #handOver}.
     */
    public LineFramer.ByteSource bufferedOnly() {
        handedOver = true;
        return new Buffered(false);
    }

    /**
     * Stops reading ahead and returns the source to read from now: the buffered bytes first. Call it
     * once, from the thread that will read.
     */
    public LineFramer.ByteSource handOver() {
        handedOver = true;
        return new Buffered(true);
    }

    /** The buffered chunks, then (handOver) the source itself, or (bufferedOnly) an end. */
    private final class Buffered implements LineFramer.ByteSource {
        private final boolean thenSource;
        private byte[] chunk;
        private int at;
        private boolean direct;
        private boolean ended;
        private boolean inputEnded;
        /** When the chunk being served was read; 0 once reads go to the source directly. */
        private long chunkReadAt;

        Buffered(boolean thenSource) {
            this.thenSource = thenSource;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            while (chunk == null || at == chunk.length) {
                if (ended) {
                    return -1;
                }
                if (direct) {
                    chunkReadAt = 0;
                    return source.read(buf, off, len);
                }
                byte[] next = thenSource ? take() : chunks.poll();
                if (next == END) {
                    ended = true;
                    inputEnded = true;
                } else if (next == HANDED_OVER && thenSource) {
                    direct = true;
                    IOException f = failure;
                    if (f != null) {
                        throw f;
                    }
                } else if (next == null || next == HANDED_OVER) {
                    ended = true; // bufferedOnly: nothing more is waited for
                } else {
                    chunk = next;
                    at = 0;
                    Long t = readAt.poll();
                    chunkReadAt = t == null ? 0 : t;
                }
            }
            int n = Math.min(len, chunk.length - at);
            System.arraycopy(chunk, at, buf, off, n);
            at += n;
            return n;
        }

        private byte[] take() throws IOException {
            try {
                return chunks.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while reading input");
            }
        }

        @Override
        public boolean stoppedShort() {
            return thenSource ? direct && source.stoppedShort() : !inputEnded;
        }

        @Override
        public long arrivalNanos() {
            return chunkReadAt;
        }

        @Override
        public void close() throws IOException {
            if (thenSource) {
                source.close();
            }
        }
    }
}

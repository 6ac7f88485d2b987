package io.auditalert.testutil;

import io.auditalert.ingest.LineFramer;

/** A source that gives all its bytes in one read, then the end; says what a test sets of that read. */
public final class OneRead implements LineFramer.ByteSource {
    private final byte[] data;
    private final boolean stoppedShort;
    private final long arrivalNanos;
    private boolean done;

    /**
     * @param stoppedShort what {@link #stoppedShort} answers (the end was a stop, not the input's end)
     * @param arrivalNanos what {@link #arrivalNanos} answers (0: the bytes came with the read)
     */
    public OneRead(byte[] data, boolean stoppedShort, long arrivalNanos) {
        this.data = data;
        this.stoppedShort = stoppedShort;
        this.arrivalNanos = arrivalNanos;
    }

    @Override
    public int read(byte[] buf, int off, int len) {
        if (done) {
            return -1;
        }
        done = true;
        System.arraycopy(data, 0, buf, off, data.length);
        return data.length;
    }

    @Override
    public boolean stoppedShort() {
        return stoppedShort;
    }

    @Override
    public long arrivalNanos() {
        return arrivalNanos;
    }
}

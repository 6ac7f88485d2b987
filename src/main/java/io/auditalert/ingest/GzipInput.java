package io.auditalert.ingest;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * Decompresses gzip data (RFC 1952) of any number of members, as {@code zcat} does, and fails where
 * {@link java.util.zip.GZIPInputStream} stops in silence.
 *
 * <p>The JDK's stream looks for a next member only when bytes are already {@link
 * InputStream#available() available}: from a pipe ({@code cat a.gz b.gz | auditalert replay}) the
 * second member may not have arrived yet, and everything after the first member was dropped without a
 * word. It also ends quietly on a corrupt next member or on trailing bytes that are not gzip. Here the
 * next member is waited for like any other bytes, and whatever follows a member is either another
 * member or an error naming its offset, reported after every byte before it was delivered.
 */
final class GzipInput extends InputStream {
    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;
    private static final int RESERVED = 0xe0;

    private final InputStream in;
    private final byte[] buf;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private final byte[] one = new byte[1];
    private int pos;
    private int lim;
    /** Compressed bytes consumed before {@code buf[0]}: with {@code pos}, the offset errors name. */
    private long base;
    private boolean inMember;
    private boolean done;
    private boolean closed;

    /** Reads the first member's header now, so a file that only looks like gzip fails at open. */
    GzipInput(InputStream in, int bufferSize) throws IOException {
        this.in = in;
        this.buf = new byte[bufferSize];
        member(true);
    }

    @Override
    public int read() throws IOException {
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (len == 0) {
            return 0;
        }
        while (!done) {
            if (!inMember) {
                if (!member(false)) {
                    done = true;
                    break;
                }
                continue;
            }
            if (inflater.needsInput()) {
                if (!fill()) {
                    throw new EOFException("gzip data cut short at byte " + offset() + " (a truncated file?)");
                }
                inflater.setInput(buf, pos, lim - pos);
            }
            int n;
            try {
                n = inflater.inflate(b, off, len);
            } catch (DataFormatException e) {
                throw new ZipException("corrupt gzip data near byte " + offset() + ": " + e.getMessage());
            }
            pos = lim - inflater.getRemaining();
            if (n > 0) {
                crc.update(b, off, n);
                return n;
            }
            if (inflater.finished()) {
                trailer();
            } else if (inflater.needsDictionary()) {
                throw new ZipException("corrupt gzip data near byte " + offset() + ": a preset dictionary");
            }
        }
        return -1;
    }

    /** Whether every byte up to the end of input is zero (consumed; false at the first that is not). */
    private boolean restIsZeros() throws IOException {
        for (int b = next(); b >= 0; b = next()) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Reads a member's header: the first one must be there; after a member, end of input ends the data
     * and anything but gzip's magic is an error.
     */
    private boolean member(boolean first) throws IOException {
        long at = offset();
        int id1 = next();
        if (id1 < 0 && !first) {
            return false;
        }
        if (id1 == 0 && !first && restIsZeros()) {
            return false; // padded to a block size (tape, some archivers): gzip ignores trailing zeros too
        }
        int id2 = next();
        if (id1 != 0x1f || id2 != 0x8b) {
            throw new ZipException(first ? "not in gzip format"
                    : "bytes after the gzip data at byte " + at + " are not gzip (trailing garbage or a corrupt member)");
        }
        if (need(at) != 8) {
            throw new ZipException("unsupported gzip compression method at byte " + at);
        }
        int flags = need(at);
        if ((flags & RESERVED) != 0) {
            throw new ZipException("corrupt gzip header at byte " + at + ": reserved flags set");
        }
        for (int i = 0; i < 6; i++) {
            need(at); // modification time, extra flags, operating system
        }
        if ((flags & FEXTRA) != 0) {
            int xlen = need(at) | need(at) << 8;
            for (int i = 0; i < xlen; i++) {
                need(at);
            }
        }
        if ((flags & FNAME) != 0) {
            while (need(at) != 0) {
                // the original file name
            }
        }
        if ((flags & FCOMMENT) != 0) {
            while (need(at) != 0) {
                // a comment
            }
        }
        if ((flags & FHCRC) != 0) {
            need(at);
            need(at);
        }
        inflater.reset();
        crc.reset();
        inMember = true;
        return true;
    }

    private void trailer() throws IOException {
        long at = offset();
        long sum = le32(at);
        long size = le32(at);
        if (sum != crc.getValue()) {
            throw new ZipException("corrupt gzip data: the checksum of the member ending at byte " + at + " does not match");
        }
        if (size != (inflater.getBytesWritten() & 0xffffffffL)) {
            throw new ZipException("corrupt gzip data: the size of the member ending at byte " + at + " does not match");
        }
        inMember = false;
    }

    private long le32(long at) throws IOException {
        return need(at) | need(at) << 8 | need(at) << 16 | (long) need(at) << 24;
    }

    /** The next byte of a header or trailer that started at {@code at}; its end is an error. */
    private int need(long at) throws IOException {
        int c = next();
        if (c < 0) {
            throw new EOFException("gzip data cut short in the header or trailer at byte " + at + " (a truncated file?)");
        }
        return c;
    }

    private int next() throws IOException {
        if (pos == lim && !fill()) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }

    /** Refills the buffer when it is used up; false at end of input. */
    private boolean fill() throws IOException {
        if (pos < lim) {
            return true;
        }
        base += lim;
        pos = 0;
        lim = 0;
        int n;
        do {
            n = in.read(buf, 0, buf.length);
        } while (n == 0);
        if (n < 0) {
            return false;
        }
        lim = n;
        return true;
    }

    private long offset() {
        return base + pos;
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            inflater.end();
            in.close();
        }
    }
}

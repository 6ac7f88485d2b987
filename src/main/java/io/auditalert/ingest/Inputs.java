package io.auditalert.ingest;

import io.auditalert.parse.RecordHeader;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Byte sources for the framer: stdin (socket or pipe/file), a file (gzip-compressed or not), a channel. */
public final class Inputs {
    private Inputs() {}

    /** How far {@link #firstRecordMillis} looks for a record with a timestamp: one line at most. */
    static final int PEEK_BYTES = LineFramer.DEFAULT_MAX_LINE;

    /**
     * Standard input. Under auditd it is one end of a socketpair, which {@link
     * System#inheritedChannel()} returns as a channel; a pipe or a file gives null there and is read
     * as a plain stream.
     */
    public static LineFramer.ByteSource stdin() throws IOException {
        Channel inherited = System.inheritedChannel();
        if (inherited instanceof ReadableByteChannel) {
            return channel((ReadableByteChannel) inherited);
        }
        return stream(new FileInputStream(FileDescriptor.in));
    }

    /**
     * Standard input for {@code replay} and {@code events}: as {@link #stdin()}, and a pipe or file
     * that starts with gzip's magic bytes is decompressed ({@code zcat} is not needed).
     */
    public static LineFramer.ByteSource logsOnStdin() throws IOException {
        Channel inherited = System.inheritedChannel();
        if (inherited instanceof ReadableByteChannel) {
            return channel((ReadableByteChannel) inherited);
        }
        return named(gunzipping(new FileInputStream(FileDescriptor.in), "stdin", false), "stdin", false);
    }

    /**
     * A file, decompressed when it starts with gzip's magic bytes (archived rotations such as
     * audit.log.3.gz); closing the source closes the file.
     */
    public static LineFramer.ByteSource file(Path path) throws IOException {
        return named(open(path), path.toString(), true);
    }

    /** The stream as a source whose read errors (a cut .gz, a disk error) name it; closing it closes an owned stream. */
    private static LineFramer.ByteSource named(InputStream in, String name, boolean owned) {
        return new LineFramer.ByteSource() {
            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                try {
                    return in.read(buf, off, len);
                } catch (IOException e) {
                    throw new IOException(name + ": " + e.getMessage(), e);
                }
            }

            @Override
            public void close() throws IOException {
                if (owned) {
                    in.close();
                }
            }
        };
    }

    /** The file's bytes, gunzipped when its first two are gzip's magic. */
    private static InputStream open(Path path) throws IOException {
        // a FIFO or a device named as a file is read as a pipe is: its head is not waited for
        return gunzipping(Files.newInputStream(path), path.toString(), Files.isRegularFile(path));
    }

    /**
     * The stream, gunzipped when its first two bytes are gzip's magic (peeked, so a pipe works too):
     * every member of a concatenation ({@code cat a.gz b.gz}), and an error for bytes after the data
     * that are not gzip ({@link GzipInput}).
     */
    private static InputStream gunzipping(InputStream raw, String name, boolean file) throws IOException {
        // a file's head is read whole at once; a pipe's only as far as the magic bytes, so a record that
        // arrives alone is not held back waiting for more
        int headSize = file ? TAR_HEAD : 6;
        PushbackInputStream in = new PushbackInputStream(raw, headSize);
        String refusal;
        try {
            byte[] head = in.readNBytes(headSize);
            in.unread(head);
            if (startsWith(head, GZIP_MAGIC)) {
                InputStream gunzipped = new GzipInput(in, LineFramer.READ_SIZE);
                if (!file) {
                    return gunzipped;
                }
                PushbackInputStream inner = new PushbackInputStream(gunzipped, TAR_HEAD);
                byte[] innerHead = inner.readNBytes(TAR_HEAD);
                inner.unread(innerHead);
                String archive = archive(innerHead);
                if (archive == null) {
                    return inner;
                }
                refusal = archive + " inside gzip; extract its files first (tar -xzf FILE) and give them";
            } else {
                String other = otherCompression(head);
                String archive = archive(head);
                if (other != null) {
                    refusal = other + "-compressed; only gzip is read: decompress it first (" + other
                            + " -dc FILE | auditalert … -)";
                } else if (archive != null) {
                    refusal = archive + "; extract its files first and give them";
                } else {
                    return in;
                }
            }
        } catch (IOException e) {
            in.close();
            throw new IOException(name + ": " + e.getMessage(), e);
        }
        in.close();
        // a file's name is said by the caller ("cannot read FILE: …"), stdin's is not
        throw new IOException((name.equals("stdin") ? "stdin: " : "") + refusal);
    }

    /** Bytes needed to see a tar header's "ustar" magic (at offset 257). */
    private static final int TAR_HEAD = 265;

    /**
     * What archive {@code head} starts, or null: tar (its header's "ustar" magic), zip or 7z. Their
     * members' headers would be read as lines and the records next to them lost as malformed.
     */
    static String archive(byte[] head) {
        boolean ustar = head.length >= TAR_HEAD && head[257] == 'u' && head[258] == 's' && head[259] == 't'
                && head[260] == 'a' && head[261] == 'r';
        // POSIX "ustar\0" + version "00"; GNU "ustar  \0"
        if (ustar && (head[262] == 0 && head[263] == '0' && head[264] == '0'
                || head[262] == ' ' && head[263] == ' ' && head[264] == 0)) {
            return "a tar archive";
        }
        if (startsWith(head, 'P', 'K', 0x03, 0x04)) {
            return "a zip archive";
        }
        if (startsWith(head, '7', 'z', 0xbc, 0xaf, 0x27, 0x1c)) {
            return "a 7z archive";
        }
        return null;
    }

    /** The compressor whose magic bytes {@code head} starts with (not gzip), or null. */
    static String otherCompression(byte[] head) {
        if (startsWith(head, 0xfd, '7', 'z', 'X', 'Z', 0x00)) {
            return "xz";
        }
        if (startsWith(head, 0x28, 0xb5, 0x2f, 0xfd)) {
            return "zstd";
        }
        if (startsWith(head, 'B', 'Z', 'h')) {
            return "bzip2";
        }
        if (startsWith(head, 0x04, 0x22, 0x4d, 0x18)) {
            return "lz4";
        }
        return null;
    }

    private static boolean startsWith(byte[] head, int... magic) {
        if (head.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((head[i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private static final int[] GZIP_MAGIC = {0x1f, 0x8b};

    /** Whether the file starts with gzip's magic bytes 1f 8b (reads them: for regular files only). */
    public static boolean isGzip(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return startsWith(in.readNBytes(2), GZIP_MAGIC);
        }
    }

    public static LineFramer.ByteSource stream(InputStream in) {
        return in::read;
    }

    public static LineFramer.ByteSource channel(ReadableByteChannel ch) {
        return new LineFramer.ByteSource() {
            private ByteBuffer view;
            private byte[] array;

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                if (array != buf) {
                    array = buf;
                    view = ByteBuffer.wrap(buf);
                }
                view.limit(off + len).position(off);
                return ch.read(view);
            }
        };
    }

    /**
     * The time (epoch milliseconds) of the first record with a timestamp in the file's first 64 KiB
     * (decompressed), or -1 when there is none (an empty file, or not an audit log).
     */
    public static long firstRecordMillis(Path path) throws IOException {
        byte[] buf = new byte[PEEK_BYTES];
        int n = 0;
        try (InputStream in = open(path)) {
            for (int r; n < buf.length && (r = in.read(buf, n, buf.length - n)) > 0; ) {
                n += r;
            }
        } catch (IOException e) {
            if (n == 0) {
                throw e;
            }
            // a cut .gz shorter than the peek: order it by what it has (its failure is reported when read)
        }
        RecordHeader header = new RecordHeader();
        for (int start = 0; start < n; ) {
            int end = start;
            while (end < n && buf[end] != '\n') {
                end++;
            }
            if (header.parse(buf, start, end - start) == RecordHeader.OK) {
                return header.sec() * 1000 + header.milli();
            }
            start = end + 1;
        }
        return -1;
    }

    /**
     * The time (epoch milliseconds) of the last record with a timestamp in the file's last 64 KiB, or -1
     * when there is none or the file is compressed (its end cannot be read without reading it all).
     */
    public static long lastRecordMillis(Path path) throws IOException {
        if (isGzip(path)) {
            return -1;
        }
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(path)) {
            long size = ch.size();
            long from = Math.max(0, size - PEEK_BYTES);
            ByteBuffer tail = ByteBuffer.allocate((int) (size - from));
            while (tail.hasRemaining() && ch.read(tail, from + tail.position()) > 0) {
                // until the end
            }
            byte[] buf = tail.array();
            int n = tail.position();
            RecordHeader header = new RecordHeader();
            int end = n;
            while (end > 0) {
                int start = end - 1;
                while (start > 0 && buf[start - 1] != '\n') {
                    start--;
                }
                boolean whole = start > 0 || from == 0; // the window's first line may be cut
                if (whole && header.parse(buf, start, lineEnd(buf, start, end) - start) == RecordHeader.OK) {
                    return header.sec() * 1000 + header.milli();
                }
                end = start;
            }
            return -1;
        }
    }

    /** Where the line starting at start ends before its newline, within end. */
    private static int lineEnd(byte[] buf, int start, int end) {
        int e = start;
        while (e < end && buf[e] != '\n') {
            e++;
        }
        return e;
    }

    /**
     * The files ordered by the time of their first record ({@link #firstRecordTimes}), oldest first,
     * as logs are replayed: a shell glob lists rotated logs newest first (audit.log audit.log.1
     * audit.log.2), and an event older than the one before it would fall into that one's throttle
     * window. Files of equal time keep their order; files without a first time (empty, or no audit
     * log) go last. With no times ({@code first} null: stdin, a pipe, a missing file among them) they
     * are read as given; the list itself is returned when it is in that order.
     */
    public static List<Path> oldestFirst(List<Path> files, Map<Path, Long> first) {
        if (first == null) {
            return files;
        }
        List<Path> out = new ArrayList<>(files);
        out.sort(Comparator.comparing(f -> first.get(f) < 0 ? Long.MAX_VALUE : first.get(f)));
        return out.equals(files) ? files : out;
    }

    /**
     * Each file's {@link #firstRecordMillis} (-1 for none, or unreadable, missing or a directory:
     * reported when it is opened), or null when any of them is stdin, a pipe or a device (nothing to
     * peek at without consuming it).
     */
    public static Map<Path, Long> firstRecordTimes(List<Path> files) {
        Map<Path, Long> first = new HashMap<>();
        for (Path f : files) {
            if (f.toString().equals("-")) {
                return null;
            }
            if (!Files.isRegularFile(f)) {
                if (Files.exists(f) && !Files.isDirectory(f)) {
                    return null; // a fifo or a device
                }
                first.put(f, -1L);
                continue;
            }
            long t;
            try {
                t = firstRecordMillis(f);
            } catch (IOException e) {
                t = -1;
            }
            first.put(f, t);
        }
        return first;
    }
}

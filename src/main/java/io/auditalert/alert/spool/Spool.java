package io.auditalert.alert.spool;

import io.auditalert.alert.Alert;
import io.auditalert.metrics.SinkStats;
import io.auditalert.metrics.Telemetry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded on-disk backlog that survives kill -9 and restart.
 *
 * <pre>
 * dir/00000000000000000007.seg   append-only segment files, oldest id first:
 *      +---------+---------+------------------------+---------+---------+-----
 *      | i32 len | i32 crc | len bytes (AlertCodec) | i32 len | i32 crc | ...
 *      +---------+---------+------------------------+---------+---------+-----
 * dir/lock                       held (flock) while a sink has the spool open
 * dir/ack                        i64 segment | i64 offset | i64 crc32 of the first 16 bytes
 *                                = the position just after the last acknowledged item
 * </pre>
 *
 * <ul>
 *   <li>An item is written (one {@code write}) before {@link #append} returns, so once the caller
 *       has it back it survives the process being killed. The page cache is forced to disk by
 *       {@link #sync} (the sink calls it at most a second after a change, and on drain and close),
 *       or on every append with {@code fsyncEveryAppend}: a power loss can cost at most that
 *       window.
 *   <li>The ack file is rewritten in place after each acknowledged batch. If it is lost or torn,
 *       delivery restarts at the oldest segment: duplicates, never loss (at-least-once).
 *   <li>On open, segments are checked frame by frame from the acknowledged position; a damaged or
 *       half-written tail (a crash mid-append) is cut off and logged, and what precedes it is kept.
 *   <li>When an append would pass {@code maxBytes}, whole segments are dropped, oldest first, and
 *       their unacknowledged items counted in {@link SinkStats#dropped}.
 * </ul>
 */
public final class Spool implements Backlog {
    private static final java.nio.file.LinkOption NOFOLLOW = java.nio.file.LinkOption.NOFOLLOW_LINKS;

    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
    private static final int HEADER = 8;
    private static final String SUFFIX = ".seg";

    private static final class Segment {
        final long id;
        final Path path;
        long bytes;
        /** Items in this segment not yet acknowledged. */
        long unacked;
        FileChannel reader;

        Segment(long id, Path path) {
            this.id = id;
            this.path = path;
        }
    }

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final boolean fsyncEveryAppend;
    private final SinkStats stats;
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private final ArrayDeque<Item> inflight = new ArrayDeque<>();
    /**
     * The arrival times of the items this process appended while their delivery latency is measured.
     * The on-disk form keeps none (a nanoTime stamp would mean nothing to the next process), so
     * {@link #peek} gives an item its arrival back from here.
     */
    private final ArrivalTimes arrivals = new ArrivalTimes();
    private final ByteBuffer ackBuf = ByteBuffer.allocate(24);
    private final ByteBuffer header = ByteBuffer.allocate(HEADER);
    private final CRC32 crc = new CRC32();
    private final FileChannel ackChannel;
    /** Held while open: two writers over one spool would corrupt it. Released by the kernel on kill -9. */
    private final FileChannel lockChannel;
    private final FileLock lock;
    private Segment writeSeg;
    private FileChannel writer;
    private long ackSeg;
    private long ackOff;
    private long readSeg;
    private long readOff;
    private long pending;
    private long totalBytes;
    private long droppedSinceLog;
    private long lastDropLog;
    private boolean dirDirty;
    private boolean dataDirty;
    private boolean closed;

    public Spool(Path dir, long maxBytes, boolean fsyncEveryAppend, SinkStats stats) throws IOException {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = Math.max(64 << 10, Math.min(maxBytes / 8, 16 << 20));
        this.fsyncEveryAppend = fsyncEveryAppend;
        this.stats = stats;
        if (Files.isSymbolicLink(dir)) {
            // the plugin runs as root and the spool is often under a directory the service user owns:
            // a link there could aim root's writes, truncations and deletions anywhere (nor are the
            // files in it followed: NOFOLLOW below)
            throw new IOException("spool " + dir + " is a symbolic link; name the directory itself");
        }
        if (!Files.isDirectory(dir)) {
            // alerts name users and commands: the spool is private to the service's user
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        checkPrivate(dir);
        this.lockChannel = FileChannel.open(dir.resolve("lock"), java.util.Set.of(StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, NOFOLLOW), PRIVATE_FILE);
        FileLock l;
        try {
            l = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            lockChannel.close();
            throw new IOException("spool " + dir + " is in use by another sink or process");
        }
        this.lock = l;
        Path ackPath = dir.resolve("ack");
        this.ackChannel = FileChannel.open(ackPath, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, NOFOLLOW), PRIVATE_FILE);
        recover();
    }

    private static final java.nio.file.attribute.FileAttribute<?> PRIVATE_FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    /**
     * The spool is written, truncated and deleted in as root: its directory must be this process's own,
     * written by nobody else, and reached through no symbolic link. Otherwise whoever owns it (the
     * service user owns /var/lib/auditalert) could plant alerts of their own, delete the real ones,
     * hold its lock to stop every sink, or aim root's writes into another directory.
     */
    static void checkPrivate(Path dir) throws IOException {
        Path real = dir.toRealPath();
        if (!real.equals(dir.toAbsolutePath().normalize())) {
            throw new IOException("spool " + dir + " is reached through a symbolic link (it is " + real
                    + "); name the directory itself");
        }
        int owner = (Integer) Files.getAttribute(real, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        int self = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        if (owner != self) {
            throw new IOException("spool " + dir + " belongs to uid " + owner + ", not to this process (uid " + self
                    + "); remove it, and it is created as it must be");
        }
        java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = Files.getPosixFilePermissions(real);
        if (perms.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)
                || perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException("spool " + dir + " can be written by others (" + PosixFilePermissions.toString(perms)
                    + "); chmod 700 it");
        }
    }

    /** Segment size used for this spool (a few per spool, so dropping the oldest frees little). */
    public long segmentBytes() {
        return segmentBytes;
    }

    private void recover() throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                try {
                    long id = Long.parseLong(n.substring(0, n.length() - SUFFIX.length()));
                    segments.put(id, new Segment(id, p));
                } catch (NumberFormatException e) {
                    LOG.warn("spool {}: ignoring stray file {}", dir, n);
                }
            }
        }
        boolean ackValid = readAck();
        if (!ackValid || !segments.containsKey(ackSeg)) {
            if (ackValid && !segments.isEmpty() && segments.lastKey() > ackSeg) {
                // the acknowledged segment was finished and deleted: resume at the next one
                ackSeg = segments.higherKey(ackSeg);
            } else if (!segments.isEmpty()) {
                if (!ackValid && Files.size(dir.resolve("ack")) > 0) {
                    LOG.warn("spool {}: damaged ack file, redelivering from the oldest segment", dir);
                }
                ackSeg = segments.firstKey();
            }
            ackOff = 0;
        }
        for (Iterator<Map.Entry<Long, Segment>> it = segments.entrySet().iterator(); it.hasNext(); ) {
            Segment s = it.next().getValue();
            if (s.id < ackSeg) {
                Files.deleteIfExists(s.path);
                it.remove();
            }
        }
        for (Segment s : segments.values()) {
            scan(s, s.id == ackSeg ? ackOff : 0);
            totalBytes += s.bytes;
            pending += s.unacked;
        }
        if (segments.containsKey(ackSeg) && ackOff > segments.get(ackSeg).bytes) {
            ackOff = segments.get(ackSeg).bytes;
        }
        Segment last = segments.isEmpty() ? null : segments.lastEntry().getValue();
        if (last != null && last.bytes < segmentBytes) {
            writeSeg = last;
            writer = FileChannel.open(last.path, StandardOpenOption.WRITE, NOFOLLOW);
            writer.position(last.bytes);
        } else {
            openNewSegment(last == null ? ackSeg : last.id + 1);
        }
        if (!segments.containsKey(ackSeg)) {
            ackSeg = segments.firstKey();
            ackOff = 0;
        }
        readSeg = ackSeg;
        readOff = ackOff;
        writeAck();
        if (pending > 0) {
            LOG.info("spool {}: {} undelivered item(s) from a previous run", dir, pending);
        }
    }

    /** Checks the frames of a segment from an offset; counts them and cuts off a damaged tail. */
    private void scan(Segment s, long from) throws IOException {
        try (FileChannel ch = FileChannel.open(s.path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                NOFOLLOW)) {
            long size = ch.size();
            long pos = Math.min(from, size);
            long count = 0;
            ByteBuffer payload = ByteBuffer.allocate(4096);
            while (pos + HEADER <= size) {
                header.clear();
                readFully(ch, header, pos);
                header.flip();
                int len = header.getInt();
                int sum = header.getInt();
                if (len <= 0 || pos + HEADER + len > size) {
                    break;
                }
                if (payload.capacity() < len) {
                    payload = ByteBuffer.allocate(len);
                }
                payload.clear().limit(len);
                readFully(ch, payload, pos + HEADER);
                crc.reset();
                crc.update(payload.array(), 0, len);
                if ((int) crc.getValue() != sum) {
                    break;
                }
                count++;
                pos += HEADER + len;
            }
            if (pos < size) {
                LOG.warn("spool {}: segment {} has a damaged or unfinished tail at offset {}; cutting {} byte(s)",
                        dir, s.path.getFileName(), pos, size - pos);
                ch.truncate(pos);
                ch.force(true);
            }
            s.bytes = pos;
            s.unacked = count;
        }
    }

    private boolean readAck() throws IOException {
        ackBuf.clear();
        int n = ackChannel.read(ackBuf, 0);
        if (n < 24) {
            return false;
        }
        ackBuf.flip();
        long seg = ackBuf.getLong();
        long off = ackBuf.getLong();
        long sum = ackBuf.getLong();
        crc.reset();
        crc.update(ackBuf.array(), 0, 16);
        if (crc.getValue() != sum || seg < 0 || off < 0) {
            return false;
        }
        ackSeg = seg;
        ackOff = off;
        return true;
    }

    private void writeAck() throws IOException {
        ackBuf.clear();
        ackBuf.putLong(ackSeg).putLong(ackOff);
        crc.reset();
        crc.update(ackBuf.array(), 0, 16);
        ackBuf.putLong(crc.getValue());
        ackBuf.flip();
        while (ackBuf.hasRemaining()) {
            ackChannel.write(ackBuf, ackBuf.position());
        }
        dataDirty = true;
    }

    private void openNewSegment(long id) throws IOException {
        if (writer != null) {
            writer.force(false);
            writer.close();
        }
        Segment s = new Segment(id, dir.resolve(String.format("%020d%s", id, SUFFIX)));
        writer = FileChannel.open(s.path, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING, NOFOLLOW), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        segments.put(id, s);
        writeSeg = s;
        dirDirty = true;
    }

    @Override
    public synchronized boolean append(Alert alert) {
        if (closed) {
            stats.dropped.increment();
            return false;
        }
        byte[] payload = AlertCodec.encode(alert);
        long frame = HEADER + (long) payload.length;
        if (frame > maxBytes) {
            stats.dropped.increment();
            LOG.warn("spool {}: item {} of {} bytes is larger than the spool ({} bytes); dropped",
                    dir, alert.id(), frame, maxBytes);
            return false;
        }
        try {
            if (writeSeg.bytes > 0 && writeSeg.bytes + frame > segmentBytes) {
                openNewSegment(writeSeg.id + 1);
            }
            while (totalBytes + frame > maxBytes) {
                if (segments.size() == 1) {
                    openNewSegment(writeSeg.id + 1);
                }
                dropOldest();
            }
            crc.reset();
            crc.update(payload);
            ByteBuffer h = ByteBuffer.allocate(HEADER).putInt(payload.length).putInt((int) crc.getValue()).flip();
            ByteBuffer[] bufs = {h, ByteBuffer.wrap(payload)};
            try {
                while (bufs[1].hasRemaining()) {
                    writer.write(bufs);
                }
            } catch (IOException e) {
                writer.truncate(writeSeg.bytes);
                writer.position(writeSeg.bytes);
                throw e;
            }
            if (fsyncEveryAppend) {
                writer.force(false);
            } else {
                dataDirty = true;
            }
            writeSeg.bytes += frame;
            writeSeg.unacked++;
            totalBytes += frame;
            pending++;
            if (alert.arrivalNanos() != 0 && stats.deliveryLatency != Telemetry.NO_LATENCY) {
                arrivals.add(seq(writeSeg.id, writeSeg.bytes), alert.arrivalNanos());
            }
            return true;
        } catch (IOException e) {
            stats.dropped.increment();
            LOG.error("spool {}: cannot write item {}: {}; dropped", dir, alert.id(), e.toString());
            return false;
        }
    }

    private void dropOldest() throws IOException {
        Segment first = segments.firstEntry().getValue();
        Long next = segments.higherKey(first.id);
        stats.dropped.add(first.unacked);
        pending -= first.unacked;
        totalBytes -= first.bytes;
        droppedSinceLog += first.unacked;
        long now = System.nanoTime();
        if (lastDropLog == 0 || now - lastDropLog > 10_000_000_000L) {
            LOG.warn("spool {} is full ({} bytes): dropped the oldest {} undelivered item(s)", dir, maxBytes,
                    droppedSinceLog);
            lastDropLog = now;
            droppedSinceLog = 0;
        }
        closeReader(first);
        Files.deleteIfExists(first.path);
        segments.remove(first.id);
        inflight.removeIf(it -> segOf(it.seq()) == first.id);
        arrivals.forgetBefore(seq(first.id + 1, 0));
        if (ackSeg <= first.id) {
            ackSeg = next;
            ackOff = 0;
            writeAck();
        }
        if (readSeg <= first.id) {
            readSeg = next;
            readOff = 0;
        }
    }

    @Override
    public synchronized List<Item> peek(int max) {
        while (inflight.size() < max && !closed) {
            Segment s = segments.get(readSeg);
            if (s == null) {
                // finished and deleted by an acknowledgement that reached its end: go on
                Long next = segments.ceilingKey(readSeg);
                if (next == null) {
                    break;
                }
                readSeg = next;
                readOff = 0;
                continue;
            }
            if (readOff >= s.bytes) {
                if (s == writeSeg) {
                    break;
                }
                readSeg = segments.higherKey(readSeg);
                readOff = 0;
                continue;
            }
            try {
                if (s.reader == null) {
                    s.reader = FileChannel.open(s.path, StandardOpenOption.READ, NOFOLLOW);
                }
                header.clear();
                readFully(s.reader, header, readOff);
                header.flip();
                int len = header.getInt();
                int sum = header.getInt();
                if (len <= 0 || readOff + HEADER + len > s.bytes) {
                    throw new IOException("bad frame length " + len);
                }
                ByteBuffer payload = ByteBuffer.allocate(len);
                readFully(s.reader, payload, readOff + HEADER);
                crc.reset();
                crc.update(payload.array(), 0, len);
                if ((int) crc.getValue() != sum) {
                    throw new IOException("checksum mismatch");
                }
                Alert a = AlertCodec.decode(payload.array(), 0, len);
                readOff += HEADER + len;
                long seq = seq(readSeg, readOff);
                inflight.addLast(new Item(withArrival(a, seq), seq));
            } catch (IOException e) {
                long lost = s.unacked - inflight.stream().filter(it -> segOf(it.seq()) == s.id).count();
                LOG.error("spool {}: cannot read segment {} at {}: {}; skipping its remaining {} item(s)",
                        dir, s.path.getFileName(), readOff, e.toString(), lost);
                stats.dropped.add(lost);
                pending -= lost;
                s.unacked -= lost;
                readOff = s.bytes;
                if (s == writeSeg) {
                    break;
                }
            }
        }
        List<Item> out = new ArrayList<>(Math.min(max, inflight.size()));
        for (Item it : inflight) {
            if (out.size() == max) {
                break;
            }
            out.add(it);
        }
        return out;
    }

    /** The item read at seq with the arrival time it had when this process appended it, if it did. */
    private Alert withArrival(Alert a, long seq) {
        arrivals.forgetBefore(seq); // items skipped with an unreadable segment
        long nanos = arrivals.take(seq);
        return nanos != 0 ? a.withArrivalNanos(nanos) : a;
    }

    /** Arrival times held, for tests. */
    synchronized int arrivalTimesHeld() {
        return arrivals.size;
    }

    /**
     * {seq, arrival nanos} pairs in append order, in two arrays used as a ring: 16 bytes an item, at
     * most {@link #MAX} items (4 MiB), so a large spool does not bring onto the heap what it keeps on
     * disk. Items appended while it is full are delivered without a time (not timed).
     */
    static final class ArrivalTimes {
        static final int MAX = 1 << 18;
        private long[] seqs = new long[64];
        private long[] nanos = new long[64];
        private int head;
        int size;

        void add(long seq, long arrival) {
            if (size == seqs.length) {
                if (size == MAX) {
                    return;
                }
                long[] s = new long[size * 2];
                long[] n = new long[size * 2];
                for (int i = 0; i < size; i++) {
                    s[i] = seqs[(head + i) & (seqs.length - 1)];
                    n[i] = nanos[(head + i) & (seqs.length - 1)];
                }
                seqs = s;
                nanos = n;
                head = 0;
            }
            int at = (head + size) & (seqs.length - 1);
            seqs[at] = seq;
            nanos[at] = arrival;
            size++;
        }

        /** Drops the times of items before seq (read past, or dropped). */
        void forgetBefore(long seq) {
            while (size > 0 && seqs[head] < seq) {
                head = (head + 1) & (seqs.length - 1);
                size--;
            }
        }

        /** The time of the item at seq, removed, or 0 when none is held for it. */
        long take(long seq) {
            if (size == 0 || seqs[head] != seq) {
                return 0;
            }
            long n = nanos[head];
            head = (head + 1) & (seqs.length - 1);
            size--;
            return n;
        }
    }

    @Override
    public synchronized void ackThrough(long seq) {
        while (!inflight.isEmpty() && inflight.peekFirst().seq() <= seq) {
            Item it = inflight.pollFirst();
            Segment s = segments.get(segOf(it.seq()));
            if (s != null) {
                s.unacked--;
            }
            pending--;
        }
        if (seq <= seq(ackSeg, ackOff)) {
            return;
        }
        ackSeg = segOf(seq);
        ackOff = offOf(seq);
        try {
            while (!segments.isEmpty() && segments.firstKey() < ackSeg) {
                Segment s = segments.pollFirstEntry().getValue();
                closeReader(s);
                Files.deleteIfExists(s.path);
                totalBytes -= s.bytes;
                dirDirty = true;
            }
            for (Segment s = segments.get(ackSeg); s != null && s != writeSeg && ackOff >= s.bytes; s = segments.get(ackSeg)) {
                closeReader(s);
                Files.deleteIfExists(s.path);
                segments.remove(s.id);
                totalBytes -= s.bytes;
                ackSeg = segments.higherKey(s.id);
                ackOff = 0;
                dirDirty = true;
            }
            writeAck();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized long size() {
        return pending;
    }

    /** Bytes the segment files occupy. */
    public synchronized long bytes() {
        return totalBytes;
    }

    @Override
    public boolean durable() {
        return true;
    }

    @Override
    public synchronized void sync() {
        if (closed) {
            return;
        }
        try {
            if (dataDirty) {
                writer.force(false);
                ackChannel.force(false);
                dataDirty = false;
            }
            if (dirDirty) {
                try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                    d.force(true);
                }
                dirDirty = false;
            }
        } catch (IOException e) {
            LOG.warn("spool {}: fsync failed: {}", dir, e.toString());
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        sync();
        closed = true;
        try {
            writer.close();
            ackChannel.close();
            lock.release();
            lockChannel.close();
            for (Segment s : segments.values()) {
                closeReader(s);
            }
        } catch (IOException e) {
            LOG.warn("spool {}: close failed: {}", dir, e.toString());
        }
    }

    private static void closeReader(Segment s) throws IOException {
        if (s.reader != null) {
            s.reader.close();
            s.reader = null;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) {
                throw new IOException("unexpected end of segment");
            }
            pos += n;
        }
    }

    private static long seq(long seg, long off) {
        return (seg << 32) | off;
    }

    private static long segOf(long seq) {
        return seq >>> 32;
    }

    private static long offOf(long seq) {
        return seq & 0xFFFF_FFFFL;
    }
}

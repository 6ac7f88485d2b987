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
import java.nio.file.attribute.BasicFileAttributes;
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
 *       their unacknowledged items counted in {@link SinkStats#dropped}; those the sink is delivering
 *       at that moment are counted when its attempt ends without acknowledging them.
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
    /**
     * The directory, held open: segments, the lock and the ack are created, opened and removed relative
     * to it (openat, unlinkat), so a directory put in the spool's path while it runs (by a user who can
     * rename a parent, the service user's /var/lib/auditalert), even between a check and an open, is
     * never used.
     */
    private final java.nio.file.SecureDirectoryStream<Path> dirHandle;
    private final long maxBytes;
    private final long segmentBytes;
    private final boolean fsyncEveryAppend;
    private final SinkStats stats;
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private final ArrayDeque<Item> inflight = new ArrayDeque<>();
    /**
     * Positions of items dropped to make room while the sink was delivering them: counted as dropped
     * only when the attempt ends without their acknowledgement (the next peek, or close), since a
     * delivered one is counted delivered.
     */
    private final ArrayDeque<Long> droppedInFlight = new ArrayDeque<>();
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
    /** The directory's real path, in {@link #HELD} while this spool is open. */
    private final Path held;

    /**
     * Spools this process has open. Its lock is a POSIX record lock, which belongs to the process and
     * is released when the process closes any descriptor of the lock file: a second Spool here must
     * not even open the file (a reload whose new sink names a spool the running one holds did, and
     * released the running sink's lock, so another process could then share the spool).
     */
    private static final java.util.Set<Path> HELD = java.util.concurrent.ConcurrentHashMap.newKeySet();
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
    private long writeFailuresSinceLog;
    private long lastWriteFailureLog;
    private String lastWriteFailure;
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
            // created through no link either: createDirectories would follow one in a parent and make
            // root's directory wherever it points before checkPrivate refused the path
            Path existing = dir.toAbsolutePath().normalize().getParent();
            while (existing != null && !Files.exists(existing, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                existing = existing.getParent();
            }
            if (existing != null && !existing.toRealPath().equals(existing)) {
                throw new IOException("spool " + dir + " is reached through a symbolic link (" + existing + " is "
                        + existing.toRealPath() + "); name the directory itself");
            }
            // alerts name users and commands: the spool is private to the service's user
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        checkPrivate(dir);
        Object checked = Files.readAttributes(dir, BasicFileAttributes.class, NOFOLLOW).fileKey();
        DirectoryStream<Path> handle = Files.newDirectoryStream(dir);
        if (!(handle instanceof java.nio.file.SecureDirectoryStream<Path> secure)) {
            handle.close();
            throw new IOException("spool " + dir + ": this platform cannot hold a directory open (no openat)");
        }
        if (!checked.equals(secure.getFileAttributeView(java.nio.file.attribute.BasicFileAttributeView.class)
                .readAttributes().fileKey())) {
            handle.close();
            throw new IOException("spool " + dir + " was replaced while it was being opened");
        }
        this.dirHandle = secure;
        this.held = dir.toRealPath();
        if (!HELD.add(held)) {
            throw new IOException("spool " + dir + " is in use by another sink or process");
        }
        FileChannel lc = null;
        FileChannel ac = null;
        try {
            lc = openIn("lock", java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, NOFOLLOW));
            FileLock l;
            try {
                l = lc.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null;
            }
            if (l == null) {
                throw new IOException("spool " + dir + " is in use by another sink or process");
            }
            this.lockChannel = lc;
            this.lock = l;
            ac = openIn("ack", java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, NOFOLLOW));
            this.ackChannel = ac;
            recover();
        } catch (IOException | RuntimeException e) {
            closeQuietly(writer);
            closeQuietly(ac);
            closeQuietly(lc); // releases the lock this constructor took, if it took it
            for (Segment seg : segments.values()) {
                closeQuietly(seg.reader);
            }
            closeQuietly(dirHandle);
            HELD.remove(held);
            throw e;
        }
    }

    /**
     * An I/O failure as a line that says what went wrong: the JDK's exceptions for a path that is a
     * file, unreadable or missing carry the path alone ("cannot open spool /x: /x").
     */
    public static String describe(IOException e) {
        if (e instanceof java.nio.file.FileAlreadyExistsException || e instanceof java.nio.file.NotDirectoryException) {
            return ((java.nio.file.FileSystemException) e).getFile() + ": exists and is not a directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException a) {
            return a.getFile() + ": permission denied";
        }
        if (e instanceof java.nio.file.NoSuchFileException n) {
            return n.getFile() + ": no such file or directory";
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return (f.getFile() != null ? f.getFile() + ": " : "") + f.getReason();
        }
        return e.getMessage();
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // closing after a failure: the failure is what is reported
            }
        }
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

    /** Opens a file of the spool (rw------- when created), relative to the held directory. */
    private FileChannel openIn(String name, java.util.Set<java.nio.file.OpenOption> options) throws IOException {
        return (FileChannel) dirHandle.newByteChannel(Path.of(name), options, PRIVATE_FILE);
    }

    private FileChannel openIn(Path file, java.util.Set<java.nio.file.OpenOption> options) throws IOException {
        return openIn(file.getFileName().toString(), options);
    }

    /** Removes a file of the spool if it is there, relative to the held directory. */
    private void deleteIn(Path file) throws IOException {
        try {
            dirHandle.deleteFile(file.getFileName());
        } catch (java.nio.file.NoSuchFileException gone) {
            // as deleteIfExists
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
                // only names this class writes: 20 digits, below 2^31 (an item's position packs the
                // segment into the upper half of a positive long); -1.seg or 1.seg is nobody's
                if (n.matches("[0-9]{20}\\.seg") && n.substring(0, 20).compareTo(String.format("%020d", Integer.MAX_VALUE)) <= 0) {
                    long id = Long.parseLong(n.substring(0, 20));
                    segments.put(id, new Segment(id, p));
                } else {
                    LOG.warn("spool {}: ignoring stray file {} (not a segment name this spool writes)", dir, n);
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
                it.remove();
                delete(s);
            }
        }
        for (Segment s : segments.values()) {
            if (!scan(s, s.id == ackSeg ? ackOff : 0)) {
                // a checksum-valid ack that names no item's end: not written by this class, so it
                // says nothing of what was delivered; the segment is delivered again from its start
                LOG.warn("spool {}: the ack file points at offset {} of segment {}, which is no item's end; "
                        + "redelivering that segment from its start", dir, ackOff, s.path.getFileName());
                ackOff = 0;
                scan(s, 0);
            }
            totalBytes += s.bytes;
            pending += s.unacked;
        }
        Segment last = segments.isEmpty() ? null : segments.lastEntry().getValue();
        if (last != null && last.bytes < segmentBytes) {
            writeSeg = last;
            writer = openIn(last.path, java.util.Set.of(StandardOpenOption.WRITE, NOFOLLOW));
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
        scanPayload = null;
        writeAck();
        if (pending > 0) {
            LOG.info("spool {}: {} undelivered item(s) from a previous run", dir, pending);
        }
    }

    /**
     * Checks the frames of a segment, counts those from {@code from} (the ack's offset, or 0) on as
     * unacknowledged, and cuts off a damaged tail. The frames before {@code from} are walked to see
     * that it is a frame's end; false when it is not (it lies inside a frame, or past the end): nothing
     * is then counted or cut. Damage before {@code from} is in what was delivered: the ack is trusted.
     */
    private boolean scan(Segment s, long from) throws IOException {
        try (FileChannel ch = openIn(s.path, java.util.Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
                NOFOLLOW))) {
            long size = ch.size();
            long pos = 0;
            while (pos < from) {
                long end = frameEnd(ch, pos, size);
                if (end < 0) {
                    if (pos + HEADER > size) {
                        return false; // the ack is past the last whole frame
                    }
                    break; // damaged delivered bytes: start at the ack as it says
                }
                pos = end;
            }
            if (pos > from) {
                return false;
            }
            pos = from;
            long count = 0;
            while (true) {
                for (long end; (end = frameEnd(ch, pos, size)) >= 0; pos = end) {
                    count++;
                }
                long next = pos < size ? nextFrame(ch, pos, size) : -1;
                if (next < 0) {
                    break;
                }
                // damage inside the segment with whole items after it (a crash leaves it only at the
                // end): they are kept, and the read skips the damaged bytes, counting what they held
                LOG.warn("spool {}: segment {} has {} damaged byte(s) at offset {}; the item(s) after them are kept",
                        dir, s.path.getFileName(), next - pos, pos);
                pos = next;
            }
            if (pos < size) {
                LOG.warn("spool {}: segment {} has a damaged or unfinished tail at offset {}; cutting {} byte(s)",
                        dir, s.path.getFileName(), pos, size - pos);
                ch.truncate(pos);
                ch.force(true);
            }
            s.bytes = pos;
            s.unacked = count;
            return true;
        }
    }

    /**
     * The start of the first whole frame after {@code pos} (its length fits, its payload begins with a
     * version byte the codec writes, its checksum holds), or -1: where reading resumes after damaged
     * bytes. The rest of the segment (16 MiB at most) is read at once for the search.
     */
    private long nextFrame(FileChannel ch, long pos, long size) throws IOException {
        // a segment this class wrote holds at most segmentBytes (16 MiB); a larger file is searched no further
        ByteBuffer rest = ByteBuffer.allocate((int) Math.min(size - pos, Math.max(segmentBytes, maxBytes) + HEADER));
        readFully(ch, rest, pos);
        byte[] b = rest.array();
        java.util.zip.CRC32 sum = new java.util.zip.CRC32();
        for (int at = 1; at + HEADER < b.length; at++) {
            if (b[at + HEADER] != AlertCodec.VERSION) {
                continue;
            }
            int len = rest.getInt(at);
            if (len <= 0 || len > b.length - at - HEADER || len > maxBytes) {
                continue;
            }
            sum.reset();
            sum.update(b, at + HEADER, len);
            if ((int) sum.getValue() == rest.getInt(at + 4)) {
                return pos + at;
            }
        }
        return -1;
    }

    /**
     * The buffer of {@link #frameEnd}, holding the payload of the frame it checked last (which peek
     * decodes); as large as the largest frame read, and dropped after recovery.
     */
    private ByteBuffer scanPayload;

    /** The end of the whole frame (length and checksum hold) at {@code pos}, or -1. */
    private long frameEnd(FileChannel ch, long pos, long size) throws IOException {
        if (pos + HEADER > size) {
            return -1;
        }
        header.clear();
        readFully(ch, header, pos);
        header.flip();
        int len = header.getInt();
        int sum = header.getInt();
        if (len <= 0 || pos + HEADER + len > size) {
            return -1;
        }
        if (scanPayload == null || scanPayload.capacity() < len) {
            scanPayload = ByteBuffer.allocate(len);
        }
        scanPayload.clear().limit(len);
        readFully(ch, scanPayload, pos + HEADER);
        crc.reset();
        crc.update(scanPayload.array(), 0, len);
        return (int) crc.getValue() == sum ? pos + HEADER + len : -1;
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

    /** Starts segment {@code id}; when it cannot be created (no inode left) the current one stays the writer. */
    private void openNewSegment(long id) throws IOException {
        Segment s = new Segment(id, dir.resolve(String.format("%020d%s", id, SUFFIX)));
        if (writer != null) {
            writer.force(false); // failing, it leaves the writer as it was
        }
        FileChannel next = openIn(s.path, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING, NOFOLLOW));
        closeQuietly(writer); // forced: a failing close loses nothing
        writer = next;
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
            writeFailuresSinceLog++;
            long now = System.nanoTime();
            if (lastWriteFailureLog == 0 || now - lastWriteFailureLog > 10_000_000_000L
                    || !e.toString().equals(lastWriteFailure)) {
                // a full disk fails every append: one line per 10 s (and per new reason), not one per alert
                LOG.error("spool {}: cannot write item {}: {}; dropped ({} item(s) since the last such line)", dir,
                        alert.id(), e.toString(), writeFailuresSinceLog);
                lastWriteFailureLog = now;
                lastWriteFailure = e.toString();
                writeFailuresSinceLog = 0;
            }
            return false;
        }
    }

    private void dropOldest() throws IOException {
        Segment first = segments.firstEntry().getValue();
        Long next = segments.higherKey(first.id);
        long beingDelivered = 0;
        for (Item it : inflight) {
            if (segOf(it.seq()) == first.id) {
                droppedInFlight.addLast(it.seq());
                beingDelivered++;
            }
        }
        stats.dropped.add(first.unacked - beingDelivered);
        pending -= first.unacked;
        totalBytes -= first.bytes;
        droppedSinceLog += first.unacked - beingDelivered;
        long now = System.nanoTime();
        if (lastDropLog == 0 || now - lastDropLog > 10_000_000_000L) {
            LOG.warn("spool {} is full ({} bytes): dropped the oldest {} undelivered item(s)", dir, maxBytes,
                    droppedSinceLog);
            lastDropLog = now;
            droppedSinceLog = 0;
        }
        closeReader(first);
        deleteIn(first.path);
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
        countDroppedInFlight(); // the last attempt is over: what it did not acknowledge is lost
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
                    s.reader = openIn(s.path, java.util.Set.of(StandardOpenOption.READ, NOFOLLOW));
                }
                long end = frameEnd(s.reader, readOff, s.bytes);
                if (end < 0) {
                    throw new IOException("a damaged item (its length or its checksum does not hold)");
                }
                int len = (int) (end - readOff - HEADER);
                Alert a;
                try {
                    a = AlertCodec.decode(scanPayload.array(), 0, len);
                } catch (IOException | RuntimeException e) {
                    // the frame is whole (its checksum holds) but no item this version reads: it alone is lost
                    readOff += HEADER + len;
                    LOG.error("spool {}: item at {} of segment {} cannot be read: {}; skipped", dir,
                            readOff - HEADER - len, s.path.getFileName(), e.toString());
                    stats.dropped.increment();
                    pending--;
                    s.unacked--;
                    ackSkipped();
                    continue;
                }
                readOff += HEADER + len;
                long seq = seq(readSeg, readOff);
                inflight.addLast(new Item(withArrival(a, seq), seq));
            } catch (IOException e) {
                long next = -1;
                long after = 0;
                try {
                    if (s.reader != null) {
                        next = nextFrame(s.reader, readOff, s.bytes);
                        for (long p = next, end; next > 0 && (end = frameEnd(s.reader, p, s.bytes)) >= 0; p = end) {
                            after++; // the whole items from there on
                        }
                    }
                } catch (IOException again) {
                    next = -1; // unreadable: the rest of the segment goes
                }
                if (next > 0) {
                    // the items counted for this segment and neither in flight nor after the damage were in it
                    // (damage met after the segment was opened); none when recovery had already left it out
                    long inFlight = inflight.stream().filter(it -> segOf(it.seq()) == s.id).count();
                    long lost = Math.max(1, s.unacked - inFlight - after);
                    long counted = Math.min(lost, Math.max(0, s.unacked - inFlight - after));
                    LOG.error("spool {}: cannot read segment {} at {}: {}; resuming at {} (the item(s) in the {} "
                            + "byte(s) between are lost)", dir, s.path.getFileName(), readOff, e.toString(), next,
                            next - readOff);
                    stats.dropped.add(lost); // at least one: what the damaged bytes held is not known
                    pending -= counted;
                    s.unacked -= counted;
                    readOff = next;
                    ackSkipped();
                    continue;
                }
                long lost = s.unacked - inflight.stream().filter(it -> segOf(it.seq()) == s.id).count();
                LOG.error("spool {}: cannot read segment {} at {}: {}; skipping its remaining {} item(s)",
                        dir, s.path.getFileName(), readOff, e.toString(), lost);
                stats.dropped.add(lost);
                pending -= lost;
                s.unacked -= lost;
                readOff = s.bytes;
                ackSkipped();
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

    /** Counts the items dropped during a delivery that did not acknowledge them. */
    private void countDroppedInFlight() {
        if (!droppedInFlight.isEmpty()) {
            stats.dropped.add(droppedInFlight.size());
            droppedSinceLog += droppedInFlight.size();
            droppedInFlight.clear();
        }
    }

    /**
     * After items were skipped as unreadable: with nothing in flight, everything before the read position
     * is delivered or lost, so the ack moves there (a restart does not meet and count them again).
     */
    private void ackSkipped() {
        if (inflight.isEmpty()) {
            ackThrough(seq(readSeg, readOff));
        }
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
        while (!droppedInFlight.isEmpty() && droppedInFlight.peekFirst() <= seq) {
            droppedInFlight.pollFirst(); // delivered, and counted so by the sink
        }
        while (!inflight.isEmpty() && inflight.peekFirst().seq() <= seq) {
            Item it = inflight.pollFirst();
            Segment s = segments.get(segOf(it.seq()));
            if (s != null) {
                s.unacked--;
            }
            pending--;
        }
        if (inflight.isEmpty()) {
            // what was read and is not in flight was delivered or skipped as unreadable: the ack may pass it
            seq = Math.max(seq, seq(readSeg, readOff));
        }
        if (seq <= seq(ackSeg, ackOff)) {
            return;
        }
        ackSeg = segOf(seq);
        ackOff = offOf(seq);
        while (!segments.isEmpty() && segments.firstKey() < ackSeg) {
            Segment s = segments.pollFirstEntry().getValue();
            totalBytes -= s.bytes;
            delete(s);
        }
        for (Segment s = segments.get(ackSeg); s != null && s != writeSeg && ackOff >= s.bytes; s = segments.get(ackSeg)) {
            segments.remove(s.id);
            totalBytes -= s.bytes;
            delete(s);
            ackSeg = segments.higherKey(s.id);
            ackOff = 0;
        }
        try {
            writeAck();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Removes a delivered segment's file. One that cannot be removed (an immutable file) is logged and
     * left: the ack is past it, so it is not delivered again, and the next start tries again.
     */
    private void delete(Segment s) {
        dirDirty = true;
        try {
            closeReader(s);
            deleteIn(s.path);
        } catch (IOException e) {
            LOG.warn("spool {}: cannot remove the delivered segment {}: {}", dir, s.path.getFileName(), e.toString());
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
        countDroppedInFlight();
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
        } finally {
            closeQuietly(dirHandle);
            HELD.remove(held);
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

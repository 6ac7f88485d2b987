package io.auditalert.alert.sink;

import io.auditalert.alert.Alert;
import io.auditalert.alert.SpecReader;
import io.auditalert.metrics.Telemetry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Objects;

/**
 * {@code {type: file, path: …, max_size: 100MiB, max_files: 5, fsync: rotate}}: JSON lines appended
 * to a file, rotated by size ({@code path} → {@code path.1} → … → {@code path.MAX_FILES}, the
 * oldest deleted).
 *
 * <ul>
 *   <li>No alert is lost on rotation: rotation happens on the delivery thread between two batches,
 *       after the old file is flushed and fsync'd; a batch goes wholly to one file.
 *   <li>Rotation by someone else (logrotate renaming or removing the file) is noticed within a
 *       second by comparing the file's identity, and the file is reopened; what was written before
 *       is in the renamed file.
 *   <li>fsync policy: {@code rotate} (default) — each batch is written to the OS at once (survives
 *       a crash of auditalert), and the file is fsync'd on rotation and close; {@code batch} — also
 *       fsync'd after every batch (survives power loss, costs a disk flush per batch); {@code
 *       never}.
 *   <li>New files are created {@code rw-r-----}: alerts name users and commands.
 * </ul>
 */
public final class FileSink extends DeliverySink {
    private static final long IDENTITY_CHECK_NANOS = 1_000_000_000L;

    private final Path path;
    private final long maxSize;
    private final int maxFiles;
    private final boolean fsyncBatch;
    private final boolean fsyncRotate;
    private FileChannel channel;
    private Object fileKey;
    private long size;
    private long lastIdentityCheck;
    private ByteBuffer buf = ByteBuffer.allocate(1 << 16);

    FileSink(SinkOptions options, Telemetry telemetry, Path path, long maxSize, int maxFiles, String fsync) {
        super(options, telemetry);
        this.path = path;
        this.maxSize = maxSize;
        this.maxFiles = maxFiles;
        this.fsyncBatch = "batch".equals(fsync);
        this.fsyncRotate = !"never".equals(fsync);
    }

    static FileSink create(SpecReader r, Telemetry t) {
        SinkOptions o = SinkOptions.read(r, "file", 512);
        // What is at the path now is not a configuration error: in a directory another user may write (the
        // service user's /var/log/auditalert), a link, a FIFO or a directory planted there would otherwise
        // reject the whole configuration and blind every sink at the next start. Each delivery attempt
        // checks it instead (pathProblem), and this sink alone fails, logged and retried.
        String p = r.requiredString("path");
        long maxSize = r.size("max_size", 100L << 20, 0);
        int maxFiles = (int) r.integer("max_files", 5, 1, 1000);
        String fsync = r.oneOf("fsync", "rotate", "rotate", "batch", "never");
        r.finish();
        return r.errors().isEmpty() && t != null ? new FileSink(o, t, Path.of(p), maxSize, maxFiles, fsync) : null;
    }

    /**
     * Alerts are not written through a symbolic link: the plugin writes as root, often into a
     * directory the service user owns (/var/log/auditalert), where a link could aim root's writes and
     * rotations at any file.
     */
    private static final String SYMLINK_PROBLEM =
            "%s is a symbolic link; the file sink does not follow links (name the file the link points to)";

    /**
     * Why alerts could never be written at {@code path} (a directory there, a file where a directory
     * must be), or null; a directory that does not exist yet is created on the first write.
     */
    static String pathProblem(Path path) {
        if (Files.isSymbolicLink(path)) {
            return SYMLINK_PROBLEM.formatted(path);
        }
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            return path + " is a directory; name a file in it";
        }
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            return path + " is not a regular file (a FIFO would hold every write); not written to";
        }
        Path up = nearestExisting(path.toAbsolutePath().getParent());
        return up == null || Files.isDirectory(up) ? null : up + " is not a directory";
    }

    /**
     * As {@link #pathProblem}, and also why this process may not write there now: the file, or the first
     * directory on its way that exists, not writable for this user. What check and replay look at before
     * they start; a running sink finds it out by writing.
     */
    public static String writeProblem(Path path) {
        String problem = pathProblem(path);
        if (problem != null) {
            return problem;
        }
        Path file = path.toAbsolutePath();
        if (Files.exists(file)) {
            return Files.isWritable(file) ? null : file + " is not writable for this user";
        }
        Path up = nearestExisting(file.getParent());
        return up == null || Files.isWritable(up) ? null : up + " is not writable for this user (run as root?)";
    }

    /** The directory itself or the nearest of its parents that exists, or null. */
    private static Path nearestExisting(Path dir) {
        for (Path up = dir; up != null; up = up.getParent()) {
            if (Files.exists(up)) {
                return up;
            }
        }
        return null;
    }

    @Override
    protected void deliver(List<Alert> batch, Outcome outcome) throws IOException {
        int need = 0;
        for (Alert a : batch) {
            need += a.json().length + 1;
        }
        if (buf.capacity() < need) {
            buf = ByteBuffer.allocate(Math.max(need, buf.capacity() * 2));
        }
        buf.clear();
        for (Alert a : batch) {
            buf.put(a.json()).put((byte) '\n');
        }
        buf.flip();
        ensureOpen();
        if (maxSize > 0 && size > 0 && size + need > maxSize) {
            size = channel.size(); // another program may have emptied it (logrotate's copytruncate)
            if (size > 0 && size + need > maxSize) {
                rotate();
            }
        }
        // the file's own size, not the one counted: after a copytruncate the count is past the end, and
        // cutting a failed write back to it would leave the broken line in the file
        long before = channel.size();
        size = before;
        try {
            while (buf.hasRemaining()) {
                size += channel.write(buf);
            }
        } catch (IOException e) {
            // a half-written batch is cut off so the retry does not leave a broken line
            channel.truncate(before);
            size = before;
            throw e;
        }
        if (fsyncBatch) {
            channel.force(false);
        }
        outcome.accept(batch.size());
    }

    private void ensureOpen() throws IOException {
        long now = System.nanoTime();
        if (channel != null && now - lastIdentityCheck >= IDENTITY_CHECK_NANOS) {
            lastIdentityCheck = now;
            Object key;
            try {
                key = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
            } catch (IOException e) {
                // removed, or a directory of the path replaced by a file (ENOTDIR): the open file is no
                // longer at the path, and writes to it would be counted delivered into a deleted file
                key = null;
            }
            if (!Objects.equals(key, fileKey)) {
                log.info("sink {}: {} was moved or removed; reopening", name(), path);
                closeChannel();
            }
        }
        if (channel == null) {
            String problem = pathProblem(path);
            if (problem != null) {
                throw new IOException(problem);
            }
            channel = openForAppend(path); // and again there, for what was put at the path after that check
            size = channel.size();
            fileKey = Files.readAttributes(path, BasicFileAttributes.class).fileKey();
            lastIdentityCheck = System.nanoTime();
        }
    }

    /**
     * Opens a file for appending as root may where another user can write the directory (the service
     * user's /var/log/auditalert): never through a symbolic link (O_NOFOLLOW) and never anything but a
     * regular file (a FIFO would hold every write); created rw-r----- and its missing directories
     * rwxr-x---, whatever the umask (auditd's plugins inherit its), so nobody else can plant links or
     * FIFOs there. An existing file keeps the mode its owner gave it. The file sink's and log_file's way.
     *
     * <p>Root never changes a file's owner here: a chown by name in a directory another user writes
     * could be aimed, through a hard link put in the file's place, at any file of root's.
     */
    public static FileChannel openForAppend(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));
        }
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(file + " is not a regular file (a symbolic link, a FIFO, …): not written to");
        }
        return FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")));
    }

    private void rotate() throws IOException {
        closeChannel();
        if (Files.deleteIfExists(rotated(maxFiles))) {
            log.info("sink {}: rotating {}: deleted the oldest, {} (max_files {})", name(), path, rotated(maxFiles), maxFiles);
        } else {
            log.info("sink {}: rotating {} to {}", name(), path, rotated(1));
        }
        for (int i = maxFiles - 1; i >= 1; i--) {
            if (Files.exists(rotated(i))) {
                Files.move(rotated(i), rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(path, rotated(1), StandardCopyOption.REPLACE_EXISTING);
        ensureOpen();
    }

    private Path rotated(int n) {
        return path.resolveSibling(path.getFileName() + "." + n);
    }

    private void closeChannel() throws IOException {
        if (channel != null) {
            try {
                if (fsyncRotate) {
                    channel.force(false);
                }
            } finally {
                channel.close();
                channel = null;
            }
        }
    }

    @Override
    protected void closeTransport() {
        try {
            closeChannel();
        } catch (IOException e) {
            log.warn("sink {}: closing {} failed: {}", name(), path, e.toString());
        }
    }
}

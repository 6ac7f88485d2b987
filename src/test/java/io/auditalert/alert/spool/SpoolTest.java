package io.auditalert.alert.spool;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.alert.Alert;
import io.auditalert.alert.Severity;
import io.auditalert.alert.TestAlerts;
import io.auditalert.metrics.SinkStats;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
    @TempDir
    Path dir;

    private final SinkStats stats = new SinkStats("t", "test");

    private static List<String> ids(List<Backlog.Item> items) {
        return items.stream().map(i -> i.alert().id()).toList();
    }

    /** Takes everything from the spool in order, acknowledging as it goes. */
    private static List<String> drainAll(Spool s) {
        List<String> out = new ArrayList<>();
        for (List<Backlog.Item> b = s.peek(7); !b.isEmpty(); b = s.peek(7)) {
            out.addAll(ids(b));
            s.ackThrough(b.get(b.size() - 1).seq());
        }
        return out;
    }

    @Test
    void shouldRoundTripEveryAlertField() throws IOException {
        Alert a = new Alert("id-1", 1234, "r", Severity.CRITICAL, "out ü", List.of("t1", "t2"), "node", 42,
                List.of("k1"), Map.of("auid", "1000", "exe", "/bin/x"), 7, "{\"a\":1}".getBytes(), 99);
        try (Spool s = new Spool(dir, 1 << 20, false, stats)) {
            s.append(a);
            s.append(TestAlerts.event("ev", 5));
            List<Backlog.Item> items = s.peek(10);
            Alert b = items.get(0).alert();
            assertThat(b).usingRecursiveComparison().ignoringFields("arrivalNanos", "json").isEqualTo(a);
            assertThat(b.json()).isEqualTo(a.json());
            assertThat(items.get(1).alert().isEvent()).isTrue();
        }
    }

    @Test
    void shouldGiveBackTheArrivalTimesOfItemsThisProcessAppendedButNotOfAnEarlierOnes() throws IOException {
        // the delivery latency of a spooled alert is measured from its arrival, which the disk form does not keep
        stats.deliveryLatency = nanos -> {}; // an exporter times this sink's deliveries
        try (Spool s = new Spool(dir, 1 << 20, false, stats)) {
            s.append(TestAlerts.alert("a").withArrivalNanos(111));
            s.append(TestAlerts.alert("b")); // no arrival time: not timed
            s.append(TestAlerts.alert("c").withArrivalNanos(333));
            List<Backlog.Item> first = s.peek(2);
            assertThat(first).extracting(i -> i.alert().arrivalNanos()).containsExactly(111L, 0L);
            assertThat(s.peek(2)).as("peeked again before the acknowledgement: the same")
                    .extracting(i -> i.alert().arrivalNanos()).containsExactly(111L, 0L);
            s.ackThrough(first.get(1).seq());
            s.append(TestAlerts.alert("d").withArrivalNanos(444));
            assertThat(s.peek(10)).extracting(i -> i.alert().id() + "@" + i.alert().arrivalNanos())
                    .containsExactly("c@333", "d@444");
        }
        try (Spool s = new Spool(dir, 1 << 20, false, stats)) {
            // a new process: c and d waited across a restart, their nanoTime stamps mean nothing here
            s.append(TestAlerts.alert("e").withArrivalNanos(555));
            assertThat(s.peek(10)).extracting(i -> i.alert().id() + "@" + i.alert().arrivalNanos())
                    .containsExactly("c@0", "d@0", "e@555");
        }
    }

    @Test
    void shouldForgetTheArrivalTimesOfItemsDroppedToMakeRoom() throws IOException {
        stats.deliveryLatency = nanos -> {};
        try (Spool s = new Spool(dir, 64 << 10, false, stats)) {
            for (int i = 0; i < 200; i++) { // far more than 64 KiB: the oldest segments go
                s.append(TestAlerts.alert(String.format("x-%03d", i)).withArrivalNanos(1000 + i));
            }
            assertThat(s.arrivalTimesHeld()).as("no more than the items still spooled").isEqualTo(s.size())
                    .isBetween(1, 199);
            List<Backlog.Item> left = s.peek(1000);
            for (Backlog.Item it : left) {
                int n = Integer.parseInt(it.alert().id().substring(2));
                assertThat(it.alert().arrivalNanos()).as(it.alert().id()).isEqualTo(1000L + n);
            }
            assertThat(s.arrivalTimesHeld()).as("given back to what was read").isZero();
        }
    }

    @Test
    void shouldKeepNoArrivalTimesWhenNothingTimesTheSinksDeliveries() throws IOException {
        // without a metrics endpoint the latency costs nothing, not even 16 bytes a spooled alert
        try (Spool s = new Spool(dir, 1 << 20, false, stats)) {
            s.append(TestAlerts.alert("a").withArrivalNanos(111));
            assertThat(s.arrivalTimesHeld()).isZero();
            assertThat(s.peek(1).get(0).alert().arrivalNanos()).isZero();
        }
    }

    @Test
    void shouldHoldAtMostTheCapOfArrivalTimesAndMatchThemInOrder() {
        Spool.ArrivalTimes times = new Spool.ArrivalTimes();
        for (long i = 1; i <= Spool.ArrivalTimes.MAX + 10; i++) {
            times.add(i * 10, i);
        }
        assertThat(times.size).isEqualTo(Spool.ArrivalTimes.MAX);
        assertThat(times.take(10)).isEqualTo(1);
        assertThat(times.take(30)).as("not the head: none").isZero();
        times.forgetBefore(30);
        assertThat(times.take(30)).isEqualTo(3);
        times.forgetBefore(Long.MAX_VALUE);
        assertThat(times.size).isZero();
        times.add(5, 55); // the ring wrapped and refills
        assertThat(times.take(5)).isEqualTo(55);
    }

    @Test
    void shouldRefuseASpoolDirectoryOthersCanWriteOwnOrReachThroughALink() throws Exception {
        // as root, under /var/lib/auditalert (the service user's): its owner could plant alerts, delete the
        // real ones or hold the lock, and a linked parent aims root's writes into another directory
        Path open = Files.createDirectories(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Spool(open, 1 << 20, false, stats))
                .isInstanceOf(IOException.class).hasMessageContaining("can be written by others");
        Path target = Files.createDirectories(dir.resolve("private/am"));
        Path parentLink = Files.createSymbolicLink(dir.resolve("state"), dir.resolve("private"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Spool(parentLink.resolve("am"), 1 << 20, false, stats))
                .isInstanceOf(IOException.class).hasMessageContaining("reached through a symbolic link");
        assertThat(target.toFile().list()).isEmpty();
        if ("root".equals(System.getProperty("user.name"))) { // chown needs root: CI runs as root
            Path theirs = Files.createDirectories(dir.resolve("theirs"));
            Files.setPosixFilePermissions(theirs, PosixFilePermissions.fromString("rwx------"));
            Files.setAttribute(theirs, "unix:uid", 65534);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Spool(theirs, 1 << 20, false, stats))
                    .isInstanceOf(IOException.class).hasMessageContaining("belongs to uid 65534");
        }
        try (Spool ok = new Spool(dir.resolve("mine"), 1 << 20, false, stats)) {
            assertThat(ok.segmentBytes()).isPositive();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("mine/lock"))))
                    .isEqualTo("rw-------");
        }
    }

    @Test
    void shouldNotFollowSymbolicLinks() throws IOException {
        // the plugin writes spools as root, often under a directory the service user owns
        Path victim = Files.writeString(dir.resolve("victim"), "keep\n");
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Path linked = Files.createSymbolicLink(dir.resolve("linked"), elsewhere);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Spool(linked, 1 << 20, false, stats))
                .isInstanceOf(IOException.class).hasMessageContaining("is a symbolic link");
        Path spool = Files.createDirectories(dir.resolve("spool"));
        Files.createSymbolicLink(spool.resolve("lock"), victim);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Spool(spool, 1 << 20, false, stats))
                .isInstanceOf(IOException.class);
        assertThat(Files.readString(victim)).isEqualTo("keep\n");
        assertThat(elsewhere.toFile().list()).isEmpty();
    }

    @Test
    void shouldKeepUnacknowledgedItemsAcrossRestartInOrder() throws IOException {
        try (Spool s = new Spool(dir, 1 << 20, false, stats)) {
            for (Alert a : TestAlerts.numbered("a", 100)) {
                assertThat(s.append(a)).isTrue();
            }
            List<Backlog.Item> head = s.peek(30);
            s.ackThrough(head.get(29).seq());
            s.peek(50); // peeked but not acknowledged: must come back
            assertThat(s.size()).isEqualTo(70);
        }
        try (Spool s = new Spool(dir, 1 << 20, false, stats)) {
            assertThat(s.size()).isEqualTo(70);
            s.append(TestAlerts.alert("b-1"));
            List<String> got = drainAll(s);
            assertThat(got).hasSize(71);
            assertThat(got.get(0)).isEqualTo("a-00030");
            assertThat(got.get(69)).isEqualTo("a-00099");
            assertThat(got.get(70)).isEqualTo("b-1");
            assertThat(s.size()).isZero();
        }
        try (Spool s = new Spool(dir, 1 << 20, false, stats)) {
            assertThat(s.size()).as("nothing redelivered after everything was acknowledged").isZero();
        }
    }

    @Test
    void shouldCutADamagedTailAndKeepWhatPrecedesIt() throws IOException {
        try (Spool s = new Spool(dir, 1 << 20, false, stats)) {
            for (Alert a : TestAlerts.numbered("a", 10)) {
                s.append(a);
            }
        }
        Path seg;
        try (Stream<Path> l = Files.list(dir)) {
            seg = l.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
        }
        long size = Files.size(seg);
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.truncate(size - 5); // a crash in the middle of the last append
        }
        try (Spool s = new Spool(dir, 1 << 20, false, stats)) {
            assertThat(s.size()).isEqualTo(9);
            s.append(TestAlerts.alert("after"));
            List<String> got = drainAll(s);
            assertThat(got).hasSize(10).startsWith("a-00000").endsWith("a-00008", "after");
        }
    }

    @Test
    void shouldRedeliverFromTheOldestWhenTheAckFileIsDamaged() throws IOException {
        try (Spool s = new Spool(dir, 1 << 20, false, stats)) {
            for (Alert a : TestAlerts.numbered("a", 5)) {
                s.append(a);
            }
            List<Backlog.Item> b = s.peek(2);
            s.ackThrough(b.get(1).seq());
        }
        Files.write(dir.resolve("ack"), new byte[] {1, 2, 3});
        try (Spool s = new Spool(dir, 1 << 20, false, stats)) {
            assertThat(drainAll(s)).as("at-least-once: duplicates, no loss").hasSize(5);
        }
    }

    @Test
    void shouldCountItemsDroppedWhileBeingDeliveredOnlyWhenTheirDeliveryFails() throws IOException {
        // they were counted dropped at once, and then delivered and counted again (16 of 1,512 in a run)
        int n = 0;
        try (Spool s = new Spool(dir, 64 << 10, false, stats)) {
            s.append(TestAlerts.alert("first-0"));
            s.append(TestAlerts.alert("first-1"));
            n += 2;
            List<Backlog.Item> batch = s.peek(2); // the sink is sending these two (a peek ends the attempt)
            while (stats.dropped.sum() == 0) {
                s.append(TestAlerts.alert("more-" + n++)); // until their segment is dropped to make room
            }
            long droppedBefore = stats.dropped.sum();
            s.ackThrough(batch.get(1).seq()); // the peer took both
            List<String> rest = drainAll(s);
            assertThat(stats.dropped.sum()).as("the two delivered are not dropped").isEqualTo(droppedBefore);
            assertThat(2 + rest.size() + stats.dropped.sum()).as("delivered or dropped, once each").isEqualTo(n);

            s.append(TestAlerts.alert("again-0"));
            s.append(TestAlerts.alert("again-1"));
            n += 2;
            assertThat(ids(s.peek(2))).containsExactly("again-0", "again-1");
            long sizeBefore = s.size();
            while (s.size() >= sizeBefore) { // every append adds one, until a dropped segment takes more
                sizeBefore = s.size();
                s.append(TestAlerts.alert("more-" + n++));
            }
            long droppedNow = stats.dropped.sum();
            s.peek(1); // the attempt failed: nothing acknowledged before the next peek
            assertThat(stats.dropped.sum()).as("the two undelivered counted now").isEqualTo(droppedNow + 2);
            List<String> rest2 = drainAll(s);
            assertThat(2 + rest.size() + rest2.size() + stats.dropped.sum()).isEqualTo(n);
        }
    }

    @Test
    void shouldDropTheOldestWhenFullAndCountThem() throws IOException {
        long max = 1 << 20;
        int n = 0;
        try (Spool s = new Spool(dir, max, false, stats)) {
            Alert big = TestAlerts.alert("x");
            int per = big.json().length + 200;
            int total = (int) (3 * max / per);
            for (int i = 0; i < total; i++) {
                assertThat(s.append(TestAlerts.alert(String.format("a-%06d", i)))).isTrue();
                n++;
            }
            assertThat(s.bytes()).isLessThanOrEqualTo(max);
            assertThat(stats.dropped.sum()).isPositive();
            assertThat(s.size() + stats.dropped.sum()).isEqualTo(n);
            List<String> got = drainAll(s);
            assertThat(got).hasSize((int) (n - stats.dropped.sum()));
            assertThat(got.get(got.size() - 1)).as("the newest are kept").isEqualTo(String.format("a-%06d", n - 1));
            for (int i = 1; i < got.size(); i++) {
                assertThat(got.get(i).compareTo(got.get(i - 1))).isPositive();
            }
        }
    }

    @Test
    void shouldDeleteSegmentsOnceAcknowledged() throws IOException {
        try (Spool s = new Spool(dir, 1 << 20, false, stats)) {
            for (int i = 0; i < 3000; i++) {
                s.append(TestAlerts.alert("a-" + i));
            }
            assertThat(segments()).isGreaterThan(2);
            drainAll(s);
            assertThat(segments()).isEqualTo(1);
        }
    }

    private long segments() throws IOException {
        try (Stream<Path> l = Files.list(dir)) {
            return l.filter(p -> p.toString().endsWith(".seg")).count();
        }
    }

    @Test
    void shouldKeepTheSpoolPrivate() throws IOException {
        Path d = dir.resolve("private");
        try (Spool s = new Spool(d, 1 << 20, true, stats)) {
            s.append(TestAlerts.alert("p"));
        }
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(d))).isEqualTo("rwx------");
        try (Stream<Path> l = Files.list(d)) {
            l.filter(p -> p.toString().endsWith(".seg")).forEach(p -> {
                try {
                    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
                            .isEqualTo("rw-------");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
    }

    @Test
    void shouldRefuseASecondOpenOfTheSameSpoolAndKeepItsLock() throws Exception {
        try (Spool s = new Spool(dir, 1 << 20, false, stats)) {
            assertThat(s.durable()).isTrue();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Spool(dir, 1 << 20, false, stats))
                    .isInstanceOf(IOException.class).hasMessageContaining("in use");
            // the lock is a POSIX record lock: closing any descriptor of the lock file in this process would
            // release it, as the refused second open (a reload naming the same spool) once did
            Process p = new ProcessBuilder("python3", "-c", "import fcntl,sys\n"
                    + "f = open(sys.argv[1], 'a')\n"
                    + "try:\n    fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\nexcept OSError:\n    sys.exit(3)\n",
                    dir.resolve("lock").toString()).redirectErrorStream(true).start();
            assertThat(p.waitFor()).as("another process cannot take the lock (3: held)").isEqualTo(3);
        }
        new Spool(dir, 1 << 20, false, stats).close();
    }

    private Path onlySegment() throws IOException {
        try (Stream<Path> l = Files.list(dir)) {
            return l.filter(p -> p.toString().endsWith(".seg")).findFirst().orElseThrow();
        }
    }

    /** The offset of frame {@code n} of the segment (each frame: length, checksum, payload). */
    private static long frameOffset(FileChannel ch, int n) throws IOException {
        long pos = 0;
        java.nio.ByteBuffer h = java.nio.ByteBuffer.allocate(8);
        for (int i = 0; i < n; i++) {
            h.clear();
            ch.read(h, pos);
            pos += 8 + h.getInt(0);
        }
        return pos;
    }

    /** Rewrites the payload of frame {@code n} of the segment as bytes no codec reads, with a valid checksum. */
    private static void spoilItem(Path seg, int n) throws IOException {
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long pos = frameOffset(ch, n);
            java.nio.ByteBuffer h = java.nio.ByteBuffer.allocate(8);
            ch.read(h, pos);
            int len = h.getInt(0);
            byte[] junk = new byte[len];
            java.util.Arrays.fill(junk, (byte) 0xEE); // "version" 238
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(junk);
            h.clear();
            h.putInt(len).putInt((int) crc.getValue()).flip();
            ch.write(h, pos);
            ch.write(java.nio.ByteBuffer.wrap(junk), pos + 8);
        }
    }

    @Test
    void shouldSkipOnlyAnUnreadableItemAndNotMeetItAgainAfterARestart() throws IOException {
        try (Spool s = new Spool(dir, 1 << 20, false, stats)) {
            TestAlerts.numbered("a", 10).forEach(s::append);
        }
        spoilItem(onlySegment(), 3);
        spoilItem(onlySegment(), 9); // the last: nothing after it moves the ack past it
        try (Spool s = new Spool(dir, 1 << 20, false, stats)) {
            List<String> got = drainAll(s);
            assertThat(got).hasSize(8).doesNotContain("a-00003", "a-00009").contains("a-00004", "a-00008");
            assertThat(stats.dropped.sum()).isEqualTo(2);
            assertThat(s.size()).isZero();
        }
        SinkStats later = new SinkStats("t2", "test");
        try (Spool s = new Spool(dir, 1 << 20, false, later)) {
            assertThat(s.size()).as("the skipped items are behind the ack").isZero();
            assertThat(s.peek(10)).isEmpty();
            assertThat(later.dropped.sum()).isZero();
        }
    }

    private void writeAck(long seg, long off) throws IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(24).putLong(seg).putLong(off);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(b.array(), 0, 16);
        b.putLong(crc.getValue());
        Files.write(dir.resolve("ack"), b.array());
    }

    @Test
    void shouldRedeliverASegmentWhoseAckPointsInsideAnItemOrPastItsEnd() throws IOException {
        try (Spool s = new Spool(dir, 1 << 20, false, stats)) {
            TestAlerts.numbered("a", 10).forEach(s::append);
        }
        long size = Files.size(onlySegment());
        for (long off : new long[] {13, 1_000_000_000L}) {
            writeAck(0, off); // checksum-valid, but no item ends at 13, and the segment has `size` bytes
            try (Spool s = new Spool(dir, 1 << 20, false, stats)) {
                assertThat(s.size()).as("ack at %d", off).isEqualTo(10);
            }
            assertThat(Files.size(onlySegment())).as("nothing cut").isEqualTo(size);
        }
        try (Spool s = new Spool(dir, 1 << 20, false, stats)) {
            assertThat(drainAll(s)).hasSize(10).startsWith("a-00000").endsWith("a-00009");
        }
    }

    @Test
    void shouldAppendAgainOnceANewSegmentCanBeCreated() throws IOException {
        try (Spool s = new Spool(dir, 512 << 10, false, stats)) { // 64 KiB segments
            Files.createDirectory(dir.resolve(String.format("%020d.seg", 1))); // segment 1 cannot be created
            int accepted = 0;
            List<Alert> first = TestAlerts.numbered("a", 1000);
            for (Alert a : first) {
                accepted += s.append(a) ? 1 : 0;
            }
            assertThat(accepted).as("segment 0 full, then refusals").isBetween(1, 999);
            assertThat(stats.dropped.sum()).isEqualTo(1000 - accepted);
            Files.delete(dir.resolve(String.format("%020d.seg", 1)));
            for (Alert a : TestAlerts.numbered("b", 10)) {
                assertThat(s.append(a)).as("appending resumes").isTrue();
            }
            s.sync();
            List<String> got = drainAll(s);
            assertThat(got).hasSize(accepted + 10).startsWith("a-00000").endsWith("b-00009");
        }
    }

    @Test
    void shouldWriteNothingIntoADirectoryPutInTheSpoolsPlaceWhileItRuns() throws IOException {
        // a review: the service user owns the spool's parent (/var/lib/auditalert), renamed the spool away and
        // made a new one; root's plugin went on creating segments in it, which that user could then read and edit
        Path spool = dir.resolve("spool");
        try (Spool s = new Spool(spool, 512 << 10, false, stats)) { // 64 KiB segments
            s.append(TestAlerts.alert("before"));
            Files.move(spool, dir.resolve("spool.real"));
            Files.createDirectory(spool);
            for (Alert a : TestAlerts.numbered("after", 1000)) {
                assertThat(s.append(a)).isTrue();
            }
            try (Stream<Path> l = Files.list(spool)) {
                assertThat(l.toList()).as("nothing created in the new directory").isEmpty();
            }
            try (Stream<Path> l = Files.list(dir.resolve("spool.real"))) {
                assertThat(l.filter(p -> p.toString().endsWith(".seg")).count())
                        .as("the segments go on in the directory it holds open, wherever it is").isGreaterThan(1);
            }
            List<String> got = drainAll(s);
            assertThat(got).hasSize(1001).startsWith("before").endsWith("after-00999");
        }
    }

    @Test
    void shouldLeaveFilesItDidNotNameAlone() throws IOException {
        try (Spool s = new Spool(dir, 1 << 20, false, stats)) {
            TestAlerts.numbered("a", 3).forEach(s::append);
        }
        // names Long.parseLong read as segments -1, 1 and 2^32 (whose position overflowed into the offset)
        for (String stray : List.of("-1.seg", "1.seg", "4294967296.seg", "+0000000000000000002.seg",
                "99999999999999999999.seg")) {
            Files.write(dir.resolve(stray), new byte[] {0, 0, 0, 5});
        }
        try (Spool s = new Spool(dir, 1 << 20, false, stats)) {
            assertThat(drainAll(s)).containsExactly("a-00000", "a-00001", "a-00002");
        }
        assertThat(dir.resolve("-1.seg")).as("not taken for a delivered segment and deleted").exists();
        assertThat(dir.resolve("4294967296.seg")).exists();
    }

    @Test
    void shouldKeepTheItemsAfterDamageInsideASegment() throws IOException {
        // a length field claiming 2 GB at item 40 of 100: the 59 whole items after it were cut off, uncounted
        try (Spool s = new Spool(dir, 1 << 20, false, stats)) {
            TestAlerts.numbered("a", 100).forEach(s::append);
        }
        Path seg = onlySegment();
        spoilLength(seg, 40);
        long size = Files.size(seg);
        try (Spool s = new Spool(dir, 1 << 20, false, stats)) {
            assertThat(s.size()).as("the whole items").isEqualTo(99);
            assertThat(Files.size(seg)).as("nothing cut").isEqualTo(size);
            List<String> got = drainAll(s);
            assertThat(got).hasSize(99).doesNotContain("a-00040").contains("a-00039", "a-00041", "a-00099");
            assertThat(stats.dropped.sum()).as("the damaged bytes held at least one item").isEqualTo(1);
        }
        try (Spool s = new Spool(dir, 1 << 20, false, new SinkStats("t3", "test"))) {
            assertThat(s.size()).isZero();
        }
    }

    @Test
    void shouldCreateNothingThroughALinkedParentAndSayWhatIsWrongWithAPath() throws IOException {
        Path real = Files.createDirectory(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Spool(link.resolve("sp"), 1 << 20, false, stats))
                .hasMessageContaining("reached through a symbolic link");
        assertThat(real.resolve("sp")).as("not created where the link points").doesNotExist();
        Path file = Files.writeString(dir.resolve("file"), "x");
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> new Spool(file, 1 << 20, false, stats));
        assertThat(Spool.describe(e)).isEqualTo(file + ": exists and is not a directory");
    }

    /** Overwrites the length field of item {@code n} of the segment with about 2 GB. */
    private static void spoilLength(Path seg, int n) throws IOException {
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xf0}),
                    frameOffset(ch, n));
        }
    }

    @Test
    void shouldCountAnItemDamagedWhileOpenAndEmptyOut() throws IOException {
        // damage met by the read, not by recovery: the item was counted pending, and stayed so (the sink spun)
        try (Spool s = new Spool(dir, 1 << 20, false, stats)) {
            TestAlerts.numbered("a", 100).forEach(s::append);
            List<Backlog.Item> first = s.peek(10);
            spoilLength(onlySegment(), 41);
            s.ackThrough(first.get(9).seq());
            List<String> got = drainAll(s);
            assertThat(got).hasSize(89).doesNotContain("a-00041").contains("a-00040", "a-00042", "a-00099");
            assertThat(stats.dropped.sum()).isEqualTo(1);
            assertThat(s.size()).as("nothing left counted").isZero();
        }
    }

    @Test
    void shouldSkipASegmentThatCannotBeOpenedForReading() throws IOException {
        try (Spool s = new Spool(dir, 512 << 10, false, stats)) { // 64 KiB segments
            TestAlerts.numbered("a", 600).forEach(s::append);
            List<Path> segs;
            try (Stream<Path> l = Files.list(dir)) {
                segs = l.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
            }
            assertThat(segs.size()).isGreaterThanOrEqualTo(3);
            Files.delete(segs.get(1)); // gone before the read reaches it
            List<String> got = drainAll(s);
            assertThat(got).isNotEmpty().contains("a-00000", "a-00599");
            assertThat(got.size() + stats.dropped.sum()).as("delivered or counted").isEqualTo(600);
            assertThat(s.size()).isZero();
        }
    }
}

package io.auditalert.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class EarlyInputTest {
    /** A source fed by the test, one queued piece per read; an empty piece is end of input. */
    static final class Fed implements LineFramer.ByteSource {
        final BlockingQueue<byte[]> pieces = new LinkedBlockingQueue<>();
        volatile int reads;
        volatile IOException fail;

        void feed(String s) {
            pieces.add(s.getBytes());
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
            byte[] p;
            try {
                p = pieces.take();
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
            }
            reads++;
            if (fail != null && p.length == 1 && p[0] == '!') {
                throw fail;
            }
            if (p.length == 0) {
                return -1;
            }
            assertThat(p.length).isLessThanOrEqualTo(len);
            System.arraycopy(p, 0, buf, off, p.length);
            return p.length;
        }
    }

    private static String drain(LineFramer.ByteSource s, int readSize) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[readSize];
        for (int n; (n = s.read(buf, 0, buf.length)) >= 0; ) {
            out.write(buf, 0, n);
        }
        return out.toString();
    }

    private static void awaitReads(Fed f, int reads) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (f.reads < reads && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(f.reads).as("reads done ahead").isGreaterThanOrEqualTo(reads);
    }

    @Test
    void shouldReadAheadBeforeTheHandOverAndKeepEveryByteInOrder() throws Exception {
        Fed f = new Fed();
        EarlyInput early = EarlyInput.start(f, 1 << 20);
        f.feed("type=A msg=1\n");
        f.feed("type=B msg=2\ntype=C ");
        awaitReads(f, 2); // taken from the source before anyone asked
        assertThat(early.bufferedBytes()).isEqualTo(33);
        LineFramer.ByteSource s = early.handOver();
        f.feed("msg=3\n"); // the read the thread was blocked in when handed over
        f.feed("type=D msg=4\n"); // read directly
        f.feed("");
        assertThat(drain(s, 16)).isEqualTo("type=A msg=1\ntype=B msg=2\ntype=C msg=3\ntype=D msg=4\n");
    }

    @Test
    void shouldSayWhenTheBytesItHeldCameInAndNothingForThoseReadDirectly() throws Exception {
        // both latency histograms started the clock when held bytes were framed, after start-up: a record
        // that waited 2.7 s for the JVM was recorded at 74 ms
        Fed f = new Fed();
        EarlyInput early = EarlyInput.start(f, 1 << 20);
        long before = System.nanoTime();
        f.feed("type=A msg=1\n");
        awaitReads(f, 1);
        long after = System.nanoTime();
        Thread.sleep(50);
        LineFramer.ByteSource s = early.handOver();
        byte[] buf = new byte[64];
        assertThat(s.read(buf, 0, buf.length)).isEqualTo(13);
        assertThat(s.arrivalNanos()).as("when the read-ahead took it").isBetween(before, after);
        f.feed("type=B msg=2\n"); // the read the thread was blocked in when handed over: timed as it came
        f.feed("type=C msg=3\n"); // read directly: arrives with its read
        f.feed("");
        assertThat(s.read(buf, 0, buf.length)).isEqualTo(13);
        assertThat(s.arrivalNanos()).isGreaterThan(after);
        assertThat(s.read(buf, 0, buf.length)).isEqualTo(13);
        assertThat(s.arrivalNanos()).isZero();
    }

    @Test
    void shouldStopReadingAtItsLimitAndLetTheReaderContinue() throws Exception {
        Fed f = new Fed();
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            String piece = "line " + i + "\n";
            all.append(piece);
            f.feed(piece);
        }
        f.feed("");
        EarlyInput early = EarlyInput.start(f, 20);
        awaitReads(f, 3);
        Thread.sleep(200);
        // stopped once 20 bytes were held: what it read is 3 pieces of 7, not the 50 offered
        assertThat(f.reads).isEqualTo(3);
        assertThat(early.bufferedBytes()).isEqualTo(21);
        assertThat(drain(early.handOver(), 64)).isEqualTo(all.toString());
    }

    @Test
    void shouldGiveEndOfInputAfterTheBufferedBytes() throws Exception {
        Fed f = new Fed();
        f.feed("type=A msg=1\n");
        f.feed("");
        EarlyInput early = EarlyInput.start(f, 1 << 20);
        awaitReads(f, 2);
        assertThat(drain(early.handOver(), 4)).isEqualTo("type=A msg=1\n");
    }

    @Test
    void shouldReportAReadErrorAfterTheBytesBeforeIt() throws Exception {
        Fed f = new Fed();
        f.fail = new IOException("connection reset");
        f.feed("type=A msg=1\n");
        f.pieces.add(new byte[] {'!'});
        EarlyInput early = EarlyInput.start(f, 1 << 20);
        awaitReads(f, 2);
        LineFramer.ByteSource s = early.handOver();
        byte[] buf = new byte[64];
        assertThat(s.read(buf, 0, 64)).isEqualTo(13);
        assertThatThrownBy(() -> s.read(buf, 0, 64)).isInstanceOf(IOException.class).hasMessage("connection reset");
    }
    @Test
    void shouldDropWhatItReadsUntilHandedOverAndKeepWhatFollows() throws Exception {
        Fed f = new Fed();
        java.util.concurrent.atomic.AtomicBoolean ended = new java.util.concurrent.atomic.AtomicBoolean();
        EarlyInput e = EarlyInput.discarding(f, () -> ended.set(true));
        f.feed("dropped-1\n");
        f.feed("dropped-2\n");
        awaitReads(f, 2);
        Thread.sleep(50); // the reader now waits for more
        assertThat(e.droppedBytes()).isEqualTo(20);
        LineFramer.ByteSource kept = e.handOver();
        f.feed("kept-1\n"); // read by the thread, after the hand-over: kept
        f.feed("kept-2\n"); // read directly
        f.feed("");
        assertThat(drain(kept, 4096)).isEqualTo("kept-1\nkept-2\n");
        assertThat(e.droppedBytes()).isEqualTo(20);
        assertThat(ended.get()).as("only the thread's end of input calls onEnd").isFalse();
    }

    @Test
    void shouldTellWhenTheInputEndsWhileDropping() throws Exception {
        Fed f = new Fed();
        java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
        EarlyInput.discarding(f, ended::countDown);
        f.feed("x\n");
        f.feed("");
        assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
    }
}

import java.io.FileInputStream;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The least a JVM can spend on the benchmark's stream: read it in 64 KiB reads, as auditalert's
 * framer does, and count its newlines eight bytes at a time. No framing, no records, no rules: the
 * floor under side A of bench/run-bench.sh, JVM start-up included. Not part of the product.
 *
 * <pre>
 *   /usr/bin/time -f '%e %U %S' java -XX:+UseSerialGC bench/ReadFloor.java bench/work/stream-eoe-1000000.log
 * </pre>
 * (java runs a single source file directly; that compiles it first, so for the figure compile it
 * once with javac and run the class.)
 */
public final class ReadFloor {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    public static void main(String[] args) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long lines = 0;
        try (FileInputStream in = new FileInputStream(args[0])) {
            for (int n; (n = in.read(buf, 0, buf.length)) > 0; ) {
                int i = 0;
                for (; i + 8 <= n; i += 8) {
                    long x = (long) LONGS.get(buf, i) ^ 0x0A0A0A0A0A0A0A0AL; // a newline is now a zero byte
                    long high = ~(((x & 0x7F7F7F7F7F7F7F7FL) + 0x7F7F7F7F7F7F7F7FL) | x | 0x7F7F7F7F7F7F7F7FL);
                    lines += Long.bitCount(high); // exactly one bit per zero byte
                }
                for (; i < n; i++) {
                    if (buf[i] == '\n') {
                        lines++;
                    }
                }
            }
        }
        System.out.println(lines + " lines");
    }
}

package io.auditalert.alert.sink;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * How syslog messages travel. Every transport connects lazily and reconnects after an error, so a
 * receiver that restarts is picked up on the next retry.
 */
interface SyslogTransport extends AutoCloseable {
    /** Sends one message; IOException means it was not sent (the caller retries). */
    void send(byte[] msg) throws IOException;

    @Override
    void close();

    /** Ends a send in progress from another thread (the sink is closing); does nothing by default. */
    default void abort() {}

    /** A message no transport attempt can send (too large for a datagram): refuse it for good. */
    final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(String msg) {
            super(msg);
        }
    }

    /**
     * UDP, one datagram per message (RFC 5426). Fire and forget: a receiver that is down loses
     * what is sent meanwhile unless the kernel reports "port unreachable" in time; use TCP where
     * every alert must arrive.
     */
    final class Udp implements SyslogTransport {
        private static final int MAX = 65_507;
        private final InetSocketAddress address;
        private DatagramChannel channel;

        Udp(InetSocketAddress address) {
            this.address = address;
        }

        @Override
        public void send(byte[] msg) throws IOException {
            if (msg.length > MAX) {
                throw new TooLarge("message of " + msg.length + " bytes is too large for UDP");
            }
            if (channel == null) {
                channel = DatagramChannel.open();
                channel.connect(address.isUnresolved() ? new InetSocketAddress(address.getHostString(), address.getPort()) : address);
            }
            try {
                channel.write(ByteBuffer.wrap(msg));
            } catch (IOException e) {
                close();
                throw e;
            }
        }

        @Override
        public void close() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    // closing a datagram channel cannot lose data
                }
                channel = null;
            }
        }
    }

    /**
     * TCP with RFC 6587 octet-counting framing ({@code LEN SP MSG}) or, for old receivers, LF
     * termination. Non-blocking with a write timeout so a stuck receiver cannot wedge the sink;
     * before each send the connection is checked for a close by the receiver (a restart), so that
     * the next message goes to a new connection. Plain TCP syslog has no acknowledgement: what was
     * written before the receiver closed or reset the connection, and the kernel still held, is lost
     * without an error (a helper's receiver resetting every 3,000 bytes lost 321 of 500); a receiver
     * that never reads takes what the socket buffers hold before a write times out.
     */
    final class Tcp implements SyslogTransport {
        private final InetSocketAddress address;
        private final boolean octetCounting;
        private final long timeoutMillis;
        private final ByteBuffer probe = ByteBuffer.allocate(4096);
        private SocketChannel channel;
        private volatile Selector selector;
        private volatile boolean aborted;

        Tcp(InetSocketAddress address, boolean octetCounting, long timeoutMillis) {
            this.address = address;
            this.octetCounting = octetCounting;
            this.timeoutMillis = timeoutMillis;
        }

        /**
         * The message with each LF written as {@code #012} (rsyslog's escape for it): under LF framing
         * a line feed ends the message, so an argument holding one would cut the alert and start a
         * message of the attacker's choosing.
         */
        static byte[] withoutLineFeeds(byte[] msg) {
            int n = 0;
            for (byte b : msg) {
                n += b == '\n' ? 1 : 0;
            }
            if (n == 0) {
                return msg;
            }
            byte[] out = new byte[msg.length + 3 * n];
            int j = 0;
            for (byte b : msg) {
                if (b == '\n') {
                    out[j++] = '#';
                    out[j++] = '0';
                    out[j++] = '1';
                    out[j++] = '2';
                } else {
                    out[j++] = b;
                }
            }
            return out;
        }

        @Override
        public void send(byte[] msg) throws IOException {
            if (channel != null && peerClosed()) {
                close();
            }
            if (channel == null) {
                connect();
            }
            ByteBuffer[] frame;
            if (octetCounting) {
                frame = new ByteBuffer[] {
                    ByteBuffer.wrap((msg.length + " ").getBytes(StandardCharsets.US_ASCII)), ByteBuffer.wrap(msg)
                };
            } else {
                frame = new ByteBuffer[] {ByteBuffer.wrap(withoutLineFeeds(msg)), ByteBuffer.wrap(new byte[] {'\n'})};
            }
            try {
                long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
                while (frame[1].hasRemaining()) {
                    if (channel.write(frame) == 0) {
                        long left = (deadline - System.nanoTime()) / 1_000_000;
                        if (left <= 0) {
                            throw new IOException("write to " + address + " timed out");
                        }
                        SelectionKey key = channel.register(selector, SelectionKey.OP_WRITE);
                        selector.select(left);
                        key.interestOps(0);
                        selector.selectNow();
                        if (aborted) {
                            throw new IOException("sink closing: write to " + address + " aborted");
                        }
                    }
                }
            } catch (IOException e) {
                close();
                throw e;
            }
        }

        /** A peer that takes no more (its window full) holds a write for up to the timeout: not the close. */
        @Override
        public void abort() {
            aborted = true;
            Selector sel = selector;
            if (sel != null) {
                sel.wakeup();
            }
        }

        private void connect() throws IOException {
            SocketChannel ch = SocketChannel.open();
            try {
                ch.socket().connect(address, (int) Math.min(timeoutMillis, Integer.MAX_VALUE));
                ch.configureBlocking(false);
                ch.socket().setKeepAlive(true);
                selector = Selector.open();
                channel = ch;
            } catch (IOException e) {
                ch.close();
                throw e;
            }
        }

        /**
         * Whether the receiver has closed its end (EOF or reset); data it sent is ignored, at most
         * 64 KiB of it per message (a receiver that sends without end, read to its end before each
         * message, held the sink: 500 messages took 35 s).
         */
        private boolean peerClosed() {
            try {
                for (int i = 0; i < 16; i++) {
                    probe.clear();
                    int n = channel.read(probe);
                    if (n <= 0) {
                        return n < 0;
                    }
                }
                return false;
            } catch (IOException e) {
                return true;
            }
        }

        @Override
        public void close() {
            try {
                if (channel != null) {
                    channel.close();
                }
                if (selector != null) {
                    selector.close();
                }
            } catch (IOException e) {
                // nothing to flush
            }
            channel = null;
            selector = null;
        }
    }

    /**
     * The local syslog socket ({@code unix:/dev/log}), an AF_UNIX datagram socket, which the JDK
     * cannot open (its Unix domain channels are stream only): socket, connect and send from libc
     * through JNA. The socket is close-on-exec, so an exec sink's command does not inherit it.
     */
    final class UnixDatagram implements SyslogTransport {
        private static final int AF_UNIX = 1;
        private static final int SOCK_DGRAM = 2;
        private static final int SOCK_CLOEXEC = 0x80000;
        private static final int EMSGSIZE = 90;

        interface LibC extends Library {
            int socket(int domain, int type, int protocol) throws LastErrorException;

            int connect(int fd, Pointer addr, int len) throws LastErrorException;

            long send(int fd, byte[] buf, long len, int flags) throws LastErrorException;

            int close(int fd) throws LastErrorException;
        }

        private static volatile LibC libc;

        private final String path;
        private int fd = -1;

        UnixDatagram(String path) {
            this.path = path;
        }

        private static LibC libc() {
            LibC l = libc;
            if (l == null) {
                l = Native.load("c", LibC.class);
                libc = l;
            }
            return l;
        }

        @Override
        public void send(byte[] msg) throws IOException {
            try {
                if (fd < 0) {
                    byte[] p = path.getBytes(StandardCharsets.UTF_8);
                    if (p.length > 107) {
                        throw new IOException("socket path too long: " + path);
                    }
                    Memory addr = new Memory(110);
                    addr.clear();
                    addr.setShort(0, (short) AF_UNIX);
                    addr.write(2, p, 0, p.length);
                    int s = libc().socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                    try {
                        libc().connect(s, addr, 2 + p.length + 1);
                    } catch (LastErrorException e) {
                        libc().close(s);
                        throw e;
                    }
                    fd = s;
                }
                libc().send(fd, msg, msg.length, 0);
            } catch (LastErrorException e) {
                close();
                if (e.getErrorCode() == EMSGSIZE) {
                    throw new TooLarge("message of " + msg.length + " bytes is too large for " + path);
                }
                throw new IOException(path + ": " + e.getMessage(), e);
            } catch (UnsatisfiedLinkError e) {
                throw new IOException("libc not available through JNA: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            if (fd >= 0) {
                try {
                    libc().close(fd);
                } catch (LastErrorException e) {
                    // the descriptor is gone either way
                }
                fd = -1;
            }
        }
    }
}

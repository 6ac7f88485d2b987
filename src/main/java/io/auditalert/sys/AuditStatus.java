package io.auditalert.sys;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.io.IOException;

/**
 * The kernel's audit status ({@code struct audit_status}), read over a NETLINK_AUDIT socket with an
 * AUDIT_GET request, which is what {@code auditctl -s} prints. Needs CAP_AUDIT_CONTROL (root); without
 * it {@link #read()} fails with "Operation not permitted", and relay mode forwards the values in-band.
 *
 * <pre>
 * request  nlmsghdr (16 bytes, no payload)
 *   0 u32 nlmsg_len = 16   4 u16 nlmsg_type = AUDIT_GET (1000)   6 u16 flags = REQUEST|ACK
 *   8 u32 nlmsg_seq        12 u32 nlmsg_pid = 0
 * replies  one AUDIT_GET message whose payload is struct audit_status, and an NLMSG_ERROR ack (error 0)
 *   payload: 0 mask  4 enabled  8 failure  12 pid  16 rate_limit  20 backlog_limit  24 lost  28 backlog
 *            32 feature_bitmap  36 backlog_wait_time  40 backlog_wait_time_actual   (all u32)
 * </pre>
 *
 * @param enabled 0 off, 1 on, 2 locked
 * @param failure 0 silent, 1 printk, 2 panic
 * @param pid the registered audit daemon, 0 if none
 * @param rateLimit messages per second, 0 unlimited
 * @param backlogLimit the most records the kernel queues for the daemon
 * @param lost records the kernel dropped since boot (or the last reset)
 * @param backlog records queued now
 * @param backlogWaitTime jiffies a process waits for room in the backlog; -1 if the kernel does not say
 */
public record AuditStatus(
        long enabled,
        long failure,
        long pid,
        long rateLimit,
        long backlogLimit,
        long lost,
        long backlog,
        long backlogWaitTime) {

    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int NETLINK_AUDIT = 9;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int NLMSG_ERROR = 2;
    private static final int AUDIT_GET = 1000;
    private static final int NLM_F_REQUEST = 1;
    private static final int NLM_F_ACK = 4;
    private static final int NLMSG_HDRLEN = 16;
    private static final int STATUS_MIN_LEN = 32;
    private static final int RECV_BUF = 8192;

    private static int seq;

    /** The libc calls used here; errors come back as {@link LastErrorException} with errno. */
    interface LibC extends Library {
        int socket(int domain, int type, int protocol) throws LastErrorException;

        int setsockopt(int fd, int level, int name, Pointer value, int len) throws LastErrorException;

        NativeLong sendto(int fd, Pointer buf, NativeLong len, int flags, Pointer addr, int addrLen)
                throws LastErrorException;

        NativeLong recv(int fd, Pointer buf, NativeLong len, int flags) throws LastErrorException;

        int close(int fd);
    }

    private static final class Holder {
        static final LibC LIBC = Native.load("c", LibC.class);
    }

    /**
     * Asks the kernel for its audit status. Blocks at most about a second.
     *
     * @throws IOException when the socket cannot be opened, the request is refused (EPERM without
     *     CAP_AUDIT_CONTROL, ECONNREFUSED in a container without audit) or no reply comes
     */
    public static synchronized AuditStatus read() throws IOException {
        LibC c;
        try {
            c = Holder.LIBC;
        } catch (LinkageError e) {
            throw new IOException("libc not available through JNA: " + e.getMessage(), e);
        }
        int fd;
        try {
            fd = c.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
        } catch (LastErrorException e) {
            throw new IOException("netlink audit socket: " + strerror(e), e);
        }
        try (Memory buf = new Memory(RECV_BUF); Memory addr = new Memory(12); Memory tv = new Memory(16)) {
            tv.setLong(0, 1); // tv_sec
            tv.setLong(8, 0); // tv_usec
            c.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, tv, 16);
            addr.clear();
            addr.setShort(0, (short) AF_NETLINK); // nl_pid 0 and nl_groups 0: the kernel
            int mySeq = ++seq;
            buf.clear(NLMSG_HDRLEN);
            buf.setInt(0, NLMSG_HDRLEN);
            buf.setShort(4, (short) AUDIT_GET);
            buf.setShort(6, (short) (NLM_F_REQUEST | NLM_F_ACK));
            buf.setInt(8, mySeq);
            c.sendto(fd, buf, new NativeLong(NLMSG_HDRLEN), 0, addr, 12);
            for (int reads = 0; reads < 8; reads++) {
                long n = c.recv(fd, buf, new NativeLong(RECV_BUF), 0).longValue();
                AuditStatus status = parse(buf, (int) n, mySeq);
                if (status != null) {
                    return status;
                }
            }
            throw new IOException("no AUDIT_GET reply from the kernel");
        } catch (LastErrorException e) {
            throw new IOException("netlink audit AUDIT_GET: " + strerror(e), e);
        } finally {
            c.close(fd);
        }
    }

    /** Walks the netlink messages in {@code buf[0, n)}; returns the status, or null if only an ack. */
    private static AuditStatus parse(Pointer buf, int n, int mySeq) throws IOException {
        int off = 0;
        while (off + NLMSG_HDRLEN <= n) {
            int len = buf.getInt(off);
            int type = buf.getShort(off + 4) & 0xffff;
            int msgSeq = buf.getInt(off + 8);
            if (len < NLMSG_HDRLEN || off + len > n) {
                throw new IOException("malformed netlink reply (length " + len + ")");
            }
            if (msgSeq == mySeq) {
                if (type == NLMSG_ERROR) {
                    int err = -buf.getInt(off + NLMSG_HDRLEN);
                    if (err != 0) {
                        throw new IOException("netlink audit AUDIT_GET: " + strerror(err));
                    }
                } else if (type == AUDIT_GET) {
                    int p = off + NLMSG_HDRLEN;
                    int payload = len - NLMSG_HDRLEN;
                    if (payload < STATUS_MIN_LEN) {
                        throw new IOException("short audit_status (" + payload + " bytes)");
                    }
                    return new AuditStatus(
                            u32(buf, p + 4),
                            u32(buf, p + 8),
                            u32(buf, p + 12),
                            u32(buf, p + 16),
                            u32(buf, p + 20),
                            u32(buf, p + 24),
                            u32(buf, p + 28),
                            payload >= 40 ? u32(buf, p + 36) : -1);
                }
            }
            off += (len + 3) & ~3;
        }
        return null;
    }

    private static long u32(Pointer p, int off) {
        return p.getInt(off) & 0xffff_ffffL;
    }

    private static String strerror(LastErrorException e) {
        return strerror(e.getErrorCode());
    }

    private static String strerror(int errno) {
        switch (errno) {
            case 1:
                return "Operation not permitted (EPERM; needs CAP_AUDIT_CONTROL)";
            case 13:
                return "Permission denied (EACCES)";
            case 93:
                return "Protocol not supported (EPROTONOSUPPORT; kernel without audit)";
            case 111:
                return "Connection refused (ECONNREFUSED; audit not available in this namespace)";
            case 11:
                return "Resource temporarily unavailable (EAGAIN; no reply in time)";
            default:
                return "errno " + errno;
        }
    }
}

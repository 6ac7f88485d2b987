package io.auditalert.metrics;

import java.util.Arrays;

/**
 * Counts audit serial numbers that never arrived, per node: the records lost anywhere upstream of the
 * plugin (kernel backlog or rate limit, auditd's dispatcher queue) show as holes in the kernel's event
 * serials. Serials are observed as each event's first record arrives (events complete far out of
 * order: one without an EOE waits for the assembly timeout), and records of concurrent events
 * interleave a little, so a missing serial is only counted once it falls
 * {@link #WINDOW} serials behind the highest seen; a serial that arrives late within the window fills
 * its hole. A jump backwards by more than the window, or forwards by more than {@link #MAX_JUMP}, is
 * taken as a restart of the serial sequence (reboot, another kernel behind the same node name) and
 * counts nothing. auditd's own events (DAEMON_*, types 1200–1299) carry auditd's serials, not the
 * kernel's, and must not be passed here.
 *
 * <p>Single writer (the reader thread); {@link #total} may be read from any thread. At most {@link
 * #MAX_NODES} nodes are tracked; events of further nodes are not checked.
 */
public final class SerialGaps {
    static final int WINDOW = 1024;
    static final long MAX_JUMP = 1_000_000;
    static final int MAX_NODES = 64;

    private final Node[] nodes = new Node[MAX_NODES];
    private int nodeCount;
    private volatile long total;

    private static final class Node {
        final long key;
        final long[] seen = new long[WINDOW / 64];
        long highest = -1;
        /** The first serial of the current sequence; nothing below it is counted. */
        long base;

        Node(long key) {
            this.key = key;
        }
    }

    /** Records one event's serial; {@code nodeKey} identifies the node (e.g. a hash of its name, 0 for none). */
    public void observe(long nodeKey, long serial) {
        if (serial <= 0) {
            return;
        }
        Node n = node(nodeKey);
        if (n == null) {
            return;
        }
        if (n.highest < 0 || serial - n.highest > MAX_JUMP || n.highest - serial >= WINDOW) {
            Arrays.fill(n.seen, 0);
            n.base = serial;
            n.highest = serial;
            mark(n, serial);
            return;
        }
        if (serial <= n.highest) {
            if (serial >= n.base) {
                mark(n, serial); // a late arrival inside the window fills its hole
            }
            return;
        }
        long lost = 0;
        if (serial - n.highest >= WINDOW) {
            for (long s = Math.max(n.base, n.highest - WINDOW + 1); s <= n.highest; s++) {
                if (!isMarked(n, s)) {
                    lost++;
                }
            }
            lost += serial - WINDOW - n.highest; // above the old highest and already out of the new window
            Arrays.fill(n.seen, 0);
        } else {
            for (long s = n.highest + 1; s <= serial; s++) {
                long leaving = s - WINDOW; // slot of s is the slot of the serial leaving the window now
                if (leaving >= n.base && !isMarked(n, leaving)) {
                    lost++;
                }
                clear(n, s);
            }
        }
        mark(n, serial);
        n.highest = serial;
        if (lost > 0) {
            total += lost;
        }
    }

    /** Serials confirmed missing so far, all nodes together. */
    public long total() {
        return total;
    }

    private Node node(long key) {
        for (int i = 0; i < nodeCount; i++) {
            if (nodes[i].key == key) {
                return nodes[i];
            }
        }
        if (nodeCount == MAX_NODES) {
            return null;
        }
        Node n = new Node(key);
        nodes[nodeCount++] = n;
        return n;
    }

    private static void mark(Node n, long serial) {
        int slot = (int) (serial % WINDOW);
        n.seen[slot >>> 6] |= 1L << slot;
    }

    private static void clear(Node n, long serial) {
        int slot = (int) (serial % WINDOW);
        n.seen[slot >>> 6] &= ~(1L << slot);
    }

    private static boolean isMarked(Node n, long serial) {
        int slot = (int) (serial % WINDOW);
        return (n.seen[slot >>> 6] & (1L << slot)) != 0;
    }
}

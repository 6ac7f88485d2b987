package io.auditalert.sys;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The processes whose audit events are auditalert's own (DESIGN §2): this JVM, the commands its exec
 * sinks start, and what those start in turn. Without the last, a sink's script that runs a program a
 * rule watches ({@code logger}, {@code curl}, a marker binary) alerted, the alert ran the script
 * again, and so on.
 *
 * <p>A process is known as ours when an exec sink says it started it, or when an event shows it as
 * the child ({@code ppid}) of one known already. Each is remembered with its start time, so a pid the
 * kernel hands to an unrelated process later is told apart: an event of a known pid is taken as ours
 * only while the process under that pid has the start time remembered, or none runs there (it is
 * gone, and its last events may still be on their way); every second the table is checked against
 * /proc, and a process gone for {@link #KEEP_AFTER_EXIT_NANOS} is forgotten. A gone process's events,
 * and the children they show, are ours only when they are no newer than the last moment its pid was
 * known to be its: for an exec sink's command, when the sink saw it reaped (a few milliseconds late at
 * most); for anything else, when a check (every second) or an event last saw it running. Without
 * that, an unprivileged user who got the pid of a process of ours that had exited (by forking until
 * the kernel handed it out) hid the process tree it started from every rule, for as long as the pid
 * was remembered. The price: what a descendant did in its last second, read after it exited, is
 * evaluated as anyone's would be. A
 * process that a command left behind and whose parent exited before the first event of it came is
 * re-parented (ppid 1), and cannot be told apart: it is evaluated.
 *
 * <p>Thread-safe; the check per event costs two comparisons and a look at an empty table while no
 * exec sink has run anything (and no child of this JVM was seen in the last half minute).
 */
public final class SelfProcesses {
    /** This JVM's table. */
    public static final SelfProcesses INSTANCE = new SelfProcesses(ProcessHandle.current().pid());

    static final long KEEP_AFTER_EXIT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final long CHECK_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** A bound on the table: a command that starts processes without end does not grow it without end. */
    static final int MAX = 4096;

    private final long self;
    private final ConcurrentHashMap<Long, Known> known = new ConcurrentHashMap<>();
    private volatile long nextCheckNanos;

    private static final class Known {
        /** Its start time, or null when it was gone before it could be read. */
        final Instant start;
        /** When it was first seen gone (System.nanoTime), 0 while it runs. */
        volatile long goneSince;
        /**
         * When it was last seen running (epoch milliseconds): once it is gone, the newest moment its pid is
         * known to have been its. An event newer than that may be another process's that got the pid since.
         */
        volatile long seenAliveMillis;

        /** Running ({@code goneSince} 0, seen now), or gone already, known to have acted at {@code actedMillis}. */
        Known(Instant start, long goneSince, long actedMillis) {
            this.start = start;
            this.goneSince = goneSince;
            this.seenAliveMillis = goneSince == 0 ? System.currentTimeMillis() : actedMillis;
        }

        /**
         * Found gone: only what it did up to when it was last seen running counts as its. Found late, its
         * pid may have gone to another process in between, whose events must not pass as its.
         */
        void gone(long nanos) {
            if (goneSince == 0) {
                goneSince = nanos == 0 ? 1 : nanos;
            }
        }

        /** Reaped as a child of this JVM just now (an exec sink's command): its pid was its until now. */
        void reaped(long nanos) {
            seenAliveMillis = System.currentTimeMillis();
            gone(nanos);
        }

        /** Whether an event of this time (epoch ms; {@link Long#MAX_VALUE}: not known) can be its. */
        boolean couldAct(long eventMillis) {
            return eventMillis == Long.MAX_VALUE || goneSince == 0 || eventMillis <= seenAliveMillis;
        }

        /** Whether the process now running under its pid (started at {@code now}) is another one. */
        boolean reusedBy(Optional<Instant> now) {
            return now.isPresent() && (start == null || !now.get().equals(start));
        }
    }

    SelfProcesses(long self) {
        this.self = self;
    }

    /** This process's pid. */
    public long self() {
        return self;
    }

    /** An exec sink started this process. */
    public void started(long pid) {
        remember(pid, Long.MAX_VALUE);
    }

    /**
     * A process an exec sink started has exited (it was reaped, so its pid may be handed out from now
     * on): events newer than now are not its.
     */
    public void exited(long pid) {
        Known k = known.get(pid);
        if (k != null) {
            k.reaped(System.nanoTime());
        }
    }

    /**
     * Whether an event of process {@code pid}, whose parent is {@code ppid} (-1 when the event does not
     * say), is auditalert's own; a child of a process of ours becomes ours.
     */
    public boolean isOwn(long pid, long ppid) {
        return isOwn(pid, ppid, Long.MAX_VALUE);
    }

    /**
     * As {@link #isOwn(long, long)}, for an event of this time (epoch milliseconds): a child learned from
     * it that started well after it is another process that got the pid since, not the event's.
     */
    public boolean isOwn(long pid, long ppid, long eventMillis) {
        if (pid == self) {
            return true;
        }
        if (ppid == self) {
            remember(pid, eventMillis);
            return true;
        }
        if (known.isEmpty()) {
            return false;
        }
        checkNowAndThen();
        if (ppid > 0 && stillOurs(ppid, eventMillis)) {
            remember(pid, eventMillis);
            return true;
        }
        return pid > 0 && stillOurs(pid, eventMillis);
    }

    /** As {@link #stillOurs(long)}, and an event of this time can be the process's (see {@link Known#couldAct}). */
    private boolean stillOurs(long pid, long eventMillis) {
        Known k = ours(pid);
        return k != null && k.couldAct(eventMillis);
    }

    /**
     * Whether the pid, known as ours, still is: the process behind it now has the start time it was
     * remembered with, or none runs under it (gone: its last events may still come). A pid the kernel
     * gave to another process meanwhile is forgotten at once, before it can pass ownership on to its
     * children; this costs a read of /proc, for events of known pids only.
     */
    private boolean stillOurs(long pid) {
        return ours(pid) != null;
    }

    /** {@link #stillOurs(long)}'s entry for the pid, or null. */
    private Known ours(long pid) {
        Known k = known.get(pid);
        if (k == null) {
            return null;
        }
        Optional<Instant> running = runningStart(pid);
        if (k.reusedBy(running)) {
            known.remove(pid, k);
            return null;
        }
        if (running.isEmpty()) {
            k.gone(System.nanoTime());
        } else {
            k.seenAliveMillis = System.currentTimeMillis();
        }
        return k;
    }

    /** The start time of the process running under the pid now, or empty when none runs there. */
    private static Optional<Instant> runningStart(long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).flatMap(h -> h.info().startInstant());
    }

    /** How many processes besides this one are known (for tests). */
    int size() {
        return known.size();
    }

    /** How much later than its event a process may seem to start (clocks read apart) and still be its actor. */
    private static final long START_SLACK_MILLIS = 2000;

    private void remember(long pid, long eventMillis) {
        if (pid <= 0 || pid == self || known.containsKey(pid) && stillOurs(pid)) {
            return; // known, and still the process remembered (stillOurs forgets one whose pid was reused)
        }
        if (known.size() >= MAX) {
            check(System.nanoTime());
            if (known.size() >= MAX) {
                return;
            }
        }
        Optional<Instant> start = runningStart(pid)
                .filter(t -> eventMillis == Long.MAX_VALUE || t.toEpochMilli() <= eventMillis + START_SLACK_MILLIS);
        // gone, or the pid is another process's by now: remembered without a start, as gone (known to have
        // acted at the event's time), so that a process running under the pid is not taken for it
        known.putIfAbsent(pid, new Known(start.orElse(null), start.isPresent() ? 0 : System.nanoTime(),
                eventMillis == Long.MAX_VALUE ? System.currentTimeMillis() : eventMillis));
    }

    /** For tests: remembers a pid as started at {@code start}. */
    void remember(long pid, Instant start) {
        known.put(pid, new Known(start, 0, 0));
    }

    private void checkNowAndThen() {
        long now = System.nanoTime();
        if (now - nextCheckNanos >= 0) {
            nextCheckNanos = now + CHECK_EVERY_NANOS;
            check(now);
        }
    }

    /**
     * Notes which running processes still run (when last seen, for the bound once they are gone), forgets
     * the processes gone long enough and the pids that another process has now. /proc is read for the
     * running ones only (a read costs tens of microseconds, on a worker): a gone one's pid is looked at
     * when an event names it.
     */
    void check(long now) {
        for (var e : known.entrySet()) {
            Known k = e.getValue();
            if (k.goneSince != 0) {
                if (now - k.goneSince >= KEEP_AFTER_EXIT_NANOS) {
                    known.remove(e.getKey(), k);
                }
                continue;
            }
            Optional<Instant> start = runningStart(e.getKey());
            if (k.reusedBy(start)) {
                known.remove(e.getKey(), k); // the pid was given to another process
            } else if (start.isPresent()) {
                k.seenAliveMillis = System.currentTimeMillis();
            } else {
                k.gone(now);
            }
        }
    }
}

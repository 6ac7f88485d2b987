package io.auditalert.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * The pipeline's counters. Reader-thread counters are plain fields with a single writer (the reader
 * thread); exporters read them without locking and may see a value a moment old, never a torn one
 * on 64-bit JVMs. Counters written by several threads are {@link LongAdder}s.
 */
public final class PipelineStats {
    public static final int MAX_TYPE = 3000;

    // ingest (reader thread)
    public long bytesRead;
    public long lines;
    public long linesTooLong;
    /** Unterminated lines dropped when a relay connection ended (the relay resends them whole). */
    public long linesCutAtDisconnect;

    // parse (reader thread), by reason: see RecordHeader.REASONS
    public final long[] parseErrors = new long[io.auditalert.parse.RecordHeader.REASONS.length];
    /** The {@code ----} and {@code time->…} lines of saved ausearch output: no records, no errors either. */
    public long ausearchSeparators;
    /** Records by type number; index MAX_TYPE counts types outside the table. */
    public final long[] recordsByType = new long[MAX_TYPE + 1];

    // assembly (reader thread)
    public long events;
    public long completedByEoe;
    public long completedByType;
    public long completedByTimeout;
    public long completedAtEnd;
    public long evictedInflight;
    public long evictedBytes;
    public long eoeSwallowed;
    public long truncatedEvents;
    /** Events that arrived without their SYSCALL record (see AuditEvent#lacksItsSyscall). */
    public long eventsWithoutSyscall;
    /** Lines that ended in CR LF; the CR is dropped. */
    public long crLineEnds;
    /** Runs of NUL bytes (a crash's leftovers in a log) skipped before a record on the same line. */
    public long nulRunsSkipped;
    /** Inputs whose last line had no line end (a file cut while being written or copied): read as it was. */
    public long unterminatedLastLines;
    /** Events outside {@code replay --since/--until}: assembled, not evaluated. */
    public long outsideTimeRange;
    public long inflight;
    /** Events caused by auditalert's own process tree: recognised and not evaluated. */
    public final LongAdder selfEvents = new LongAdder();
    /** Events whose evaluation failed (a rule or sink threw): their alerts are lost; workers write it. */
    public final LongAdder evaluationFailures = new LongAdder();

    // ring (reader thread writes drops; workers read)
    public long ringDropped;
    public long ringBlocked;

    // relay (in-band status lines from the native wrapper)
    public volatile long relayDroppedRecords;
    /** Records read and dropped while a configuration that failed at start-up held the plugin (lines). */
    public volatile long heldDroppedRecords;
    public volatile long relayDroppedBytes;
    public volatile long kernelLost = -1;
    /**
     * True once the relay's status lines carry the kernel's values: from then on they alone are used,
     * and a poller of this process (run as root in relay mode) stores nothing, so the series never
     * flips between two sources read at different moments.
     */
    public volatile boolean kernelFromRelay;
    public volatile long kernelBacklog = -1;
    public volatile long kernelBacklogLimit = -1;

    /** The input being read (a file name, or stdin) and the line count before it: for {@link #noteMalformed}. */
    public String input = "stdin";
    public long linesBeforeInput;
    /** Where the first malformed or too long line was ({@code FILE:LINE}), or null. */
    public String firstMalformed;
    /**
     * Records more than {@code EventAssembler.STEP_BACK_SECONDS} older than the record before them:
     * logs given newest first on stdin, or a clock set back. The largest such step in seconds, and
     * where the first was ({@code FILE:LINE}).
     */
    public long stepsBack;
    public long largestStepBackSeconds;
    public String firstStepBack;

    /** Starts counting the lines of another input. */
    public void startInput(String name) {
        input = name;
        linesBeforeInput = lines + linesTooLong;
    }

    /** Remembers the line just read (counted already) as the first malformed one, if it is. */
    public void noteMalformed() {
        if (firstMalformed == null) {
            firstMalformed = input + ":" + (lines + linesTooLong - linesBeforeInput);
        }
    }

    /** Counts the line just read (a record {@code seconds} older than the one before it). */
    public void noteStepBack(long seconds) {
        if (stepsBack++ == 0) {
            firstStepBack = input + ":" + (lines + linesTooLong - linesBeforeInput);
        }
        largestStepBackSeconds = Math.max(largestStepBackSeconds, seconds);
    }

    public void countRecord(int type) {
        recordsByType[type >= 0 && type < MAX_TYPE ? type : MAX_TYPE]++;
    }

    public long parseErrorsTotal() {
        long n = 0;
        for (long v : parseErrors) {
            n += v;
        }
        return n;
    }
}

package io.auditalert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.metrics.PipelineStats;
import io.auditalert.parse.RecordHeader;
import org.junit.jupiter.api.Test;

/** What replay and events say on stderr of the lines that were not audit records. */
class ParseErrorReportTest {
    private static final String N = System.lineSeparator();

    @Test
    void shouldSayNothingWhenEveryLineWasARecord() {
        PipelineStats stats = new PipelineStats();
        stats.events = 5;
        assertThat(EventsCommand.parseErrorReport(stats)).isNull();
    }

    @Test
    void shouldCountTheSkippedLinesByReason() {
        PipelineStats stats = new PipelineStats();
        stats.events = 5;
        stats.parseErrors[RecordHeader.NO_TYPE] = 2;
        stats.parseErrors[RecordHeader.BAD_STAMP] = 1;
        stats.linesTooLong = 1;
        assertThat(EventsCommand.parseErrorReport(stats))
                .isEqualTo("auditalert: skipped 4 malformed line(s): bad_timestamp=1 no_type=2 line_too_long=1" + N);
    }

    @Test
    void shouldNameTheFileAndLineOfTheFirstSkippedLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        String rec = "type=USER_LOGIN msg=audit(1700000000.000:%d): pid=1 uid=0 auid=0 ses=1 msg='op=login res=success'\n";
        java.nio.file.Path a = java.nio.file.Files.writeString(tmp.resolve("a.log"), String.format(rec, 1) + String.format(rec, 2));
        // b.log: a record, a line over the 64 KiB limit, a record, then a line that is none (line 4)
        java.nio.file.Path b = java.nio.file.Files.writeString(tmp.resolve("b.log"), String.format(rec, 3)
                .replace("1700000000", "1700000001") + "type=X " + "x".repeat(70_000) + "\n"
                + String.format(rec, 4).replace("1700000000", "1700000001") + "garbage here\n");
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(buf, true));
        try {
            EventsCommand.run(new String[] {a.toString(), b.toString()});
        } finally {
            System.setErr(err);
        }
        assertThat(buf.toString()).contains("auditalert: skipped 2 malformed line(s): no_type=1 line_too_long=1"
                + " (the first at " + b + ":2)");
    }

    /** What {@code events} with these arguments says on stderr (its JSON on stdout is dropped). */
    private static String stderrOfEvents(String... args) throws Exception {
        java.io.PrintStream err = System.err;
        java.io.PrintStream out = System.out;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(buf, true));
        System.setOut(new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true));
        try {
            EventsCommand.run(args);
        } finally {
            System.setErr(err);
            System.setOut(out);
        }
        return buf.toString();
    }

    @Test
    void shouldSayThatAnInputEndedInACutLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        String rec = "type=USER_LOGIN msg=audit(1700000000.000:%d): pid=1 uid=0 auid=0 ses=1 msg='op=login res=success'\n";
        java.nio.file.Path whole = java.nio.file.Files.writeString(tmp.resolve("whole.log"), String.format(rec, 1));
        java.nio.file.Path cut = java.nio.file.Files.writeString(tmp.resolve("cut.log"),
                String.format(rec, 2) + String.format(rec, 3).substring(0, 70)); // cut inside msg='…
        assertThat(stderrOfEvents(whole.toString())).as("a file that ends in a line end").isEmpty();
        assertThat(stderrOfEvents(cut.toString())).isEqualTo("auditalert: 1 input(s) ended in a line without a line end (cut while it"
                + " was written or copied?); it was read as it is, and its last record may lack fields" + N);
    }

    @Test
    void shouldReadTheRecordAfterARunOfNulBytes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        // a crash leaves NULs where a block was not written: the intact record after them was lost as a
        // malformed line (no_type) with its event's alert
        String rec = "type=USER_LOGIN msg=audit(1700000000.000:%d): pid=1 uid=0 auid=0 ses=1 msg='op=login res=success'\n";
        java.nio.file.Path log = java.nio.file.Files.writeString(tmp.resolve("crash.log"),
                String.format(rec, 1) + "\0".repeat(4096) + String.format(rec, 2) + String.format(rec, 3));
        assertThat(stderrOfEvents("--progress", "never", log.toString())).isEqualTo(
                "auditalert: 1 run(s) of NUL bytes (left by a crash?) were skipped; the record after each was read" + N);
    }

    @Test
    void shouldSayWhereTheRecordsWentBackInTime(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        String rec = "type=USER_LOGIN msg=audit(%d.000:%d): pid=1 uid=0 auid=0 ses=1 msg='op=login res=success'\n";
        // `cat audit.log audit.log.1 > both.log`: the newer log (7200 s later) first; inside each, records up
        // to 30 s out of order, as auditd writes them, are no step back
        java.nio.file.Path both = java.nio.file.Files.writeString(tmp.resolve("both.log"),
                String.format(rec, 1_700_007_230L, 10) + String.format(rec, 1_700_007_200L, 11)
                        + String.format(rec, 1_700_000_030L, 1) + String.format(rec, 1_700_000_000L, 2)
                        + String.format(rec, 1_700_000_040L, 3));
        assertThat(stderrOfEvents("--progress", "never", both.toString())).isEqualTo("auditalert: the records went back in time 1 time(s), by up to 1 h 59 min"
                + " (the first at " + both + ":3): logs given newest first, logs that overlap in time (several"
                + " hosts'), or a clock that was set back? Throttle windows follow event time, so a match older than"
                + " its rule's last alert for the same key is suppressed. Files given by name are read oldest first,"
                + " one after another: replay overlapping logs one host at a time; on stdin give the oldest first"
                + " (cat audit.log.2 audit.log.1 audit.log | ...)" + N);
    }

    @Test
    void shouldWriteSpansAsPeopleDo() {
        assertThat(EventsCommand.span(61)).isEqualTo("1 min");
        assertThat(EventsCommand.span(3599)).isEqualTo("59 min");
        assertThat(EventsCommand.span(3 * 3600 + 5 * 60 + 9)).isEqualTo("3 h 05 min");
        assertThat(EventsCommand.span(50 * 3600)).isEqualTo("2 d 2 h");
    }

    @Test
    void shouldPointAtRawRecordsWhenNoLineWasOne() {
        // what `ausearch -i` output gives: msg=audit(11/10/20 08:19:44.965:93777)
        PipelineStats stats = new PipelineStats();
        stats.parseErrors[RecordHeader.BAD_STAMP] = 6;
        assertThat(EventsCommand.parseErrorReport(stats)).isEqualTo("auditalert: skipped 6 malformed line(s): bad_timestamp=6" + N
                + "auditalert: no line was an audit record; records are read raw, one per line beginning with "
                + "type= or node=, as audit.log holds them and `ausearch --raw` prints them (not syslog, JSON or "
                + "`ausearch -i` output)" + N);
    }

    @Test
    void shouldSayThatAusearchOutputSplitsEvents() {
        PipelineStats stats = new PipelineStats();
        stats.events = 2;
        stats.ausearchSeparators = 2;
        assertThat(EventsCommand.parseErrorReport(stats)).isEqualTo("auditalert: the input is ausearch's formatted output"
                + " (2 ---- and time-> lines), which lists each event's records in reverse and so splits events;"
                + " give the log files or `ausearch --raw` output" + N);
    }

    @Test
    void shouldSayThatAusearchInterpretedOutputHasNoRecordAtAll() {
        // ausearch -i: ---- lines, and msg=audit(11/10/20 08:19:44.965:93777) in every record
        PipelineStats stats = new PipelineStats();
        stats.ausearchSeparators = 3;
        stats.parseErrors[RecordHeader.BAD_STAMP] = 9;
        assertThat(EventsCommand.parseErrorReport(stats)).endsWith("auditalert: the input is ausearch's formatted output"
                + " (3 ---- and time-> lines), which lists each event's records in reverse and so splits events;"
                + " with -i it also rewrites each record's timestamp as a date, so no line was a record;"
                + " give the log files or `ausearch --raw` output" + N);
    }

    @Test
    void shouldSayThatEventsWereCutAndThatCrsWereDropped() {
        PipelineStats stats = new PipelineStats();
        stats.events = 3;
        stats.truncatedEvents = 2;
        stats.crLineEnds = 7;
        stats.evictedInflight = 1;
        assertThat(EventsCommand.parseErrorReport(stats)).isEqualTo(
                "auditalert: 7 line(s) ended in CR LF (converted from a DOS text file?); the CRs were dropped" + N
                + "auditalert: 1 event(s) were completed early, when more events (or bytes) were open at once than"
                + " assembly.max_inflight allows; a record of one that came after that is an event of its own"
                + " (auditalert_dropped_total{stage=\"assembly_evicted\"})" + N
                + "auditalert: 2 event(s) were cut at the limit of 4096 records or 1 MiB per event: marked"
                + " \"truncated\":true, the records past the limit are not in them"
                + " (auditalert_dropped_total{stage=\"assembly_truncated\"})" + N);
    }
}

package io.auditalert.cli;

import io.auditalert.alert.sink.StdoutSink;
import io.auditalert.assemble.EventAssembler;
import io.auditalert.ingest.LineFramer;
import io.auditalert.interp.Interpreter;
import io.auditalert.json.EventJson;
import io.auditalert.metrics.PipelineStats;
import io.auditalert.parse.ByteBuf;
import io.auditalert.parse.RecordHeader;
import io.auditalert.pipeline.TimeRange;
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;

/**
 * {@code auditalert events [--config FILE] [--progress MODE] [--since TIME] [--until TIME] [FILE…]}:
 * every assembled event (in the {@link TimeArg} range) as one JSON line on stdout ({@code -} is stdin),
 * a {@link Progress} line on stderr. Of the configuration only {@code assembly} applies.
 */
final class EventsCommand {
    private EventsCommand() {}

    static int run(String[] args) {
        ReplayCommand.Args a = new ReplayCommand.Args(args);
        a.allow("--config", "--progress", "--since", "--until");
        EventAssembler.Settings assembly = new EventAssembler.Settings();
        Path config = a.path("--config");
        if (config != null) {
            // what the configuration says of assembly (timeout, max_inflight) groups events as run would
            try {
                assembly = Components.pipelineOptions(Components.loadConfig(config, false), false).assembly;
            } catch (ConfigException e) {
                e.errors().forEach(System.err::println);
                return Main.EXIT_USAGE;
            }
        }
        Progress.Mode progressMode = Progress.Mode.parse(a.value("--progress"));
        TimeRange range = TimeArg.range(a.value("--since"), a.value("--until"), Clock.systemDefaultZone());
        List<Path> files = a.positional();
        PipelineStats stats = new PipelineStats();
        OutputStream stdout = new FileOutputStream(FileDescriptor.out);
        EventJson json = new EventJson(new Interpreter());
        // events are written straight into one buffer, handed to stdout whenever it holds 1 MiB
        ByteBuf out = new ByteBuf(OUTPUT_CHUNK + 65536);
        EventAssembler[] holder = new EventAssembler[1];
        EventAssembler assembler = new EventAssembler(assembly, stats, ev -> {
            if (!range.admits(ev, stats)) {
                holder[0].recycle(ev);
                return;
            }
            json.write(ev, out);
            out.put((byte) '\n');
            if (out.length() >= OUTPUT_CHUNK) {
                writeOut(stdout, out);
            }
            holder[0].recycle(ev);
        });
        holder[0] = assembler;
        LineFramer framer = new LineFramer(LineFramer.DEFAULT_MAX_LINE, stats);
        LineFramer.LineHandler handler = (b, off, len) -> assembler.onLine(b, off, len, 0L);
        int status = Main.EXIT_OK;
        List<Path> inputs = Components.inputs(files, range, "events");
        Progress progress = Progress.forFiles(progressMode, "events", inputs, stats, null);
        Components.InterruptNotice notice = new Components.InterruptNotice("events", stats);
        try {
            if (!Components.pumpInputs(files, inputs, "events", stats, in -> framer.pump(in, handler))) {
                status = Main.EXIT_FAILURE;
            }
            assembler.finish();
            writeOut(stdout, out);
        } catch (IOException | UncheckedIOException e) {
            if (e instanceof IOException) {
                try {
                    writeOut(stdout, out); // the events read before the input failed
                } catch (UncheckedIOException ignored) {
                    // stdout itself failed: nothing more to write
                }
            }
            progress.finish();
            if (e instanceof UncheckedIOException u && StdoutSink.isBrokenPipe(u.getCause())) {
                return Main.EXIT_READER_LEFT; // events | head: the reader has what it wanted
            }
            System.err.println("auditalert events: " + e.getMessage());
            return Main.EXIT_FAILURE;
        } finally {
            notice.done();
        }
        progress.finish();
        if (!range.isAll()) {
            Components.reportOutsideRange("events", stats);
        }
        return reportParseErrors(stats, status);
    }

    private static final int OUTPUT_CHUNK = 1 << 20;

    private static void writeOut(OutputStream stdout, ByteBuf out) {
        try {
            stdout.write(out.array(), 0, out.length());
        } catch (IOException e) {
            throw new UncheckedIOException("stdout: " + e.getMessage(), e); // a closed pipe: `events | head`
        }
        out.clear();
    }

    /**
     * Says on stderr what was wrong with the input's lines; returns the status that makes the command's
     * {@code status} (1 when the input had lines and none of them was a record: the wrong file, or
     * ausearch's interpreted output; a replay of it alerting nothing is no result).
     */
    static int reportParseErrors(PipelineStats stats, int status) {
        String report = parseErrorReport(stats);
        if (report != null) {
            System.err.print(report);
        }
        return noLineWasARecord(stats) && status == Main.EXIT_OK ? Main.EXIT_FAILURE : status;
    }

    /** The input had lines, and not one was an audit record. */
    static boolean noLineWasARecord(PipelineStats stats) {
        return stats.events == 0 && stats.parseErrorsTotal() + stats.linesTooLong > 0;
    }

    /** A span of seconds as people write it: 45 s, 12 min, 3 h 05 min, 2 d 4 h. */
    static String span(long seconds) {
        if (seconds < 60) {
            return seconds + " s";
        }
        long minutes = seconds / 60;
        if (minutes < 60) {
            return minutes + " min";
        }
        long hours = minutes / 60;
        if (hours < 48) {
            return String.format(Locale.ROOT, "%d h %02d min", hours, minutes % 60);
        }
        return hours / 24 + " d " + hours % 24 + " h";
    }

    /** What stderr says of the lines that were not records, or null when there were none. */
    static String parseErrorReport(PipelineStats stats) {
        long total = stats.parseErrorsTotal() + stats.linesTooLong;
        if (total == 0 && stats.ausearchSeparators == 0 && stats.truncatedEvents == 0 && stats.crLineEnds == 0
                && stats.nulRunsSkipped == 0
                && stats.unterminatedLastLines == 0 && stats.stepsBack == 0
                && stats.evictedInflight + stats.evictedBytes == 0) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        if (stats.unterminatedLastLines > 0) {
            sb.append("auditalert: ").append(stats.unterminatedLastLines).append(" input(s) ended in a line without a"
                    + " line end (cut while it was written or copied?); it was read as it is, and its last record may"
                    + " lack fields").append(System.lineSeparator());
        }
        if (stats.stepsBack > 0) {
            sb.append("auditalert: the records went back in time ").append(stats.stepsBack).append(" time(s), by up to ")
                    .append(span(stats.largestStepBackSeconds)).append(" (the first at ").append(stats.firstStepBack)
                    .append("): logs given newest first, logs that overlap in time (several hosts'), or a clock"
                            + " that was set back? Throttle windows follow event time, so a match older than its"
                            + " rule's last alert for the same key is suppressed. Files given by name are read"
                            + " oldest first, one after another: replay overlapping logs one host at a time; on stdin"
                            + " give the oldest first (cat audit.log.2 audit.log.1 audit.log | ...)")
                    .append(System.lineSeparator());
        }
        if (stats.nulRunsSkipped > 0) {
            sb.append("auditalert: ").append(stats.nulRunsSkipped).append(" run(s) of NUL bytes (left by a crash?)"
                    + " were skipped; the record after each was read").append(System.lineSeparator());
        }
        if (stats.crLineEnds > 0) {
            sb.append("auditalert: ").append(stats.crLineEnds).append(" line(s) ended in CR LF (converted from a"
                    + " DOS text file?); the CRs were dropped").append(System.lineSeparator());
        }
        if (stats.evictedInflight + stats.evictedBytes > 0) {
            sb.append("auditalert: ").append(stats.evictedInflight + stats.evictedBytes).append(" event(s) were"
                    + " completed early, when more events (or bytes) were open at once than assembly.max_inflight"
                    + " allows; a record of one that came after that is an event of its own"
                    + " (auditalert_dropped_total{stage=\"assembly_evicted\"})")
                    .append(System.lineSeparator());
        }
        if (stats.truncatedEvents > 0) {
            EventAssembler.Settings limits = new EventAssembler.Settings();
            sb.append("auditalert: ").append(stats.truncatedEvents).append(" event(s) were cut at the limit of ")
                    .append(limits.maxRecordsPerEvent).append(" records or ").append(limits.maxBytesPerEvent >> 20)
                    .append(" MiB per event: marked \"truncated\":true, the records past the limit are"
                            + " not in them (auditalert_dropped_total{stage=\"assembly_truncated\"})")
                    .append(System.lineSeparator());
        }
        if (total > 0) {
            sb.append("auditalert: skipped ").append(total).append(" malformed line(s):");
            for (int i = 1; i < stats.parseErrors.length; i++) {
                if (stats.parseErrors[i] > 0) {
                    sb.append(' ').append(RecordHeader.REASONS[i]).append('=').append(stats.parseErrors[i]);
                }
            }
            if (stats.linesTooLong > 0) {
                sb.append(" line_too_long=").append(stats.linesTooLong);
            }
            if (stats.firstMalformed != null) {
                sb.append(" (the first at ").append(stats.firstMalformed).append(')');
            }
            sb.append(System.lineSeparator());
        }
        if (stats.ausearchSeparators > 0) {
            // ausearch prints each event's records last first: PROCTITLE, which ends an event, comes first
            sb.append("auditalert: the input is ausearch's formatted output (").append(stats.ausearchSeparators)
                    .append(" ---- and time-> lines), which lists each event's records in reverse and so splits "
                            + "events");
            if (stats.events == 0 && stats.parseErrors[RecordHeader.BAD_STAMP] > 0) {
                sb.append("; with -i it also rewrites each record's timestamp as a date, so no line was a record");
            }
            sb.append("; give the log files or `ausearch --raw` output").append(System.lineSeparator());
        } else if (stats.events == 0) {
            sb.append("auditalert: no line was an audit record; records are read raw, one per line beginning with "
                    + "type= or node=, as audit.log holds them and `ausearch --raw` prints them (not syslog, JSON or "
                    + "`ausearch -i` output)").append(System.lineSeparator());
        }
        return sb.toString();
    }
}

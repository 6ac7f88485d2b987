package io.auditalert.parity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.auditalert.parity.ParityComparison.KnownDifference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code auditalert events} agrees with libauparse on every file of ../shared/corpus that libauparse
 * reads (issue 2, "Done when"): same events, same record types in the same order, same raw values,
 * same interpretation for every field. The agreement figures and every difference are printed.
 *
 * <p>The suite fails on any difference that is not declared in {@link #KNOWN} with its reason, and
 * on any difference at all in a common field (arch, syscall, success, exit, uid/gid family, pid,
 * ppid, comm, exe, cwd, name, key, proctitle, saddr, EXECVE arguments), declared or not.
 */
class AuparseParityTest {

    /**
     * Differences from libauparse 3.0.9 that auditalert keeps on purpose, each with its reason.
     * Columns: record type, field (for event-level kinds: the corpus file name), kind, reason.
     */
    static final List<KnownDifference> KNOWN = List.of(
            new KnownDifference("LOGIN", "-", "events-merged",
                    "libauparse 3.0.9 ends an event at any type < 1300, so LOGIN is cut from the SYSCALL,"
                            + " PROCTITLE (and EOE) of the same serial; auditalert uses the >= 4.0 end-of-event"
                            + " rule (auditd-plugin-protocol.md 6.3/6.5) and keeps the kernel's one event"),
            new KnownDifference("TEST_GROUP", "-", "events-merged",
                    "hand-edited Wazuh input: TEST_GROUP is no audit type, libauparse 3.0.9 numbers it -1,"
                            + " which its 'type < 1300' rule makes an end-of-event type; under the >= 4.0 rule"
                            + " it is not, so the USER_CHAUTHTOK of the same serial joins it"),
            new KnownDifference("AVC", "libraries__libapparmor__testsuite__test_multi__avc_audit_invalid_audit_id.in",
                    "event-missing",
                    "msg=audit(12799========================8288.415:39) is a malformed stamp; libauparse"
                            + " reads 12799 as the seconds and goes on, auditalert counts the line as a parse"
                            + " error (issue 2: malformed lines are counted and skipped)"),
            new KnownDifference("", "libraries__libapparmor__testsuite__test_multi__status-filesystem-enabled.in",
                    "event-missing",
                    "the line is grep output, 'audit.log:type=AVC msg=audit(...)': libauparse takes the"
                            + " stamp and makes an event with no type and no fields; auditalert counts a line whose"
                            + " type token is not type=... as malformed (no_type), as it does for the JSON-wrapped"
                            + " OTRF lines, for which libauparse itself makes no event"));

    @Test
    void eventsAgreeWithLibauparseOnEveryCorpusFileItReads() {
        Path corpus = ParityCorpus.corpusDir();
        assumeTrue(Files.isDirectory(corpus), "skipped: " + corpus + " (../shared/corpus) is absent");
        StringBuilder whyNot = new StringBuilder();
        AuparseReference reference = AuparseReference.locate(ParityCorpus.repoRoot(), whyNot);
        assumeTrue(reference != null, "skipped: " + whyNot);

        // -Dauditalert.parity.only=TEXT narrows the run to files whose path contains TEXT (while fixing)
        String only = System.getProperty("auditalert.parity.only", "");
        List<Path> files = ParityCorpus.files().stream().filter(f -> f.toString().contains(only)).toList();
        Map<Path, EventDump> expected = reference.dump(files);
        List<Path> readable = files.stream().filter(f -> expected.get(f).readable()).toList();
        EventsCli cli = EventsCli.locate(ParityCorpus.repoRoot());
        Map<Path, EventDump> actual = cli.dump(readable);

        ParityComparison comparison = new ParityComparison();
        for (Path file : files) {
            EventDump ref = expected.get(file);
            comparison.compareFile(ref, ref.readable() ? actual.get(file) : ref);
        }
        System.out.println("auditalert events run as: " + cli.description());
        System.out.println(comparison.report("auditalert events vs libauparse 3.0.9 over ../shared/corpus"));
        List<KnownDifference> unused = comparison.unused(KNOWN);
        unused.forEach(k -> System.out.println("declared difference that did not occur: " + k));

        if (only.isEmpty()) {
            assertThat(comparison.files).as("corpus files libauparse reads").isGreaterThan(300);
            assertThat(comparison.eventsTotal).as("events compared").isGreaterThan(5000);
        }
        assertThat(comparison.violations(KNOWN)).as("differences that fail the suite").isEmpty();
    }
}

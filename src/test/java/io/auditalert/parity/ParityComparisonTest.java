package io.auditalert.parity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.auditalert.parity.ParityComparison.GroupKey;
import io.auditalert.parity.ParityComparison.KnownDifference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The comparison engine itself: libauparse set against itself agrees 100 %, and each kind of planted
 * difference is found, grouped, and fails the suite unless declared (common fields fail even when
 * declared). Without this a parity test that always passes would look the same as a good one.
 */
class ParityComparisonTest {

    /** Lines in the shapes auditd 3.0.9 writes (DESIGN/auditd-plugin-protocol §5.2, §7.4). */
    private static final String LOG = String.join("\n",
            "type=SYSCALL msg=audit(1795701003.933:4): arch=c000003e syscall=59 success=yes exit=0 a0=55f3d7c98d00"
                    + " a1=55f3d7c98f40 a2=55f3d7c98f58 a3=0 items=2 ppid=912 pid=913 auid=4294967295 uid=0 gid=0"
                    + " euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=4294967295 comm=\"ls\""
                    + " exe=\"/usr/bin/ls\" key=\"exec_calls\"\u001dARCH=x86_64 SYSCALL=execve AUID=\"unset\""
                    + " UID=\"root\" GID=\"root\" EUID=\"root\" SUID=\"root\" FSUID=\"root\" EGID=\"root\""
                    + " SGID=\"root\" FSGID=\"root\"",
            "type=EXECVE msg=audit(1795701003.933:4): argc=3 a0=\"ls\" a1=\"-l\" a2=2F746D702F612062",
            "type=CWD msg=audit(1795701003.933:4): cwd=\"/root\"",
            "type=PATH msg=audit(1795701003.933:4): item=0 name=\"/usr/bin/ls\" inode=260601 dev=fe:00"
                    + " mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0"
                    + " cap_frootid=0\u001dOUID=\"root\" OGID=\"root\"",
            "type=PROCTITLE msg=audit(1795701003.933:4): proctitle=6C73002D6C",
            "type=USER_AUTH msg=audit(1795701133.633:497): pid=5864 uid=0 auid=4294967295 ses=4294967295"
                    + " msg='op=PAM:authentication grantors=pam_rootok acct=\"nobody\" exe=\"/usr/bin/su\""
                    + " hostname=? addr=? terminal=? res=success'\u001dUID=\"root\" AUID=\"unset\"",
            "") ;

    private static AuparseReference reference;

    @TempDir
    static Path dir;

    private static EventDump dump;

    @BeforeAll
    static void dumpWithLibauparse() throws IOException {
        StringBuilder whyNot = new StringBuilder();
        reference = AuparseReference.locate(ParityCorpus.repoRoot(), whyNot);
        assumeTrue(reference != null, "skipped: " + whyNot);
        Path log = dir.resolve("planted.log");
        Files.writeString(log, LOG, StandardCharsets.ISO_8859_1);
        dump = reference.dump(List.of(log)).get(log);
    }

    @Test
    void theReferenceDumpHasTheEventShapeOfDesign34() {
        assertThat(dump.error()).isNull();
        assertThat(dump.events()).hasSize(2);
        Map<String, Object> exec = dump.events().get(0);
        assertThat(exec.get("time")).isEqualTo("2026-11-26T13:50:03.933Z");
        assertThat(exec.get("serial").toString()).isEqualTo("4");
        assertThat(exec.get("node")).isNull();
        List<Map<String, Object>> records = records(exec);
        assertThat(records).extracting(r -> r.get("type"))
                .containsExactly("SYSCALL", "EXECVE", "CWD", "PATH", "PROCTITLE");
        Map<String, Object> syscall = Json.object(records.get(0).get("fields"));
        assertThat(syscall).doesNotContainKeys("type", "node").containsEntry("comm", "ls")
                .containsEntry("arch", "c000003e");
        assertThat(List.copyOf(syscall.keySet()).subList(0, 3)).containsExactly("arch", "syscall", "success");
        Map<String, Object> interp = Json.object(records.get(0).get("interp"));
        assertThat(interp).containsEntry("arch", "x86_64").containsEntry("syscall", "execve")
                .containsEntry("auid", "unset").containsEntry("uid", "root");
        assertThat(interp.keySet()).isEqualTo(syscall.keySet());
        assertThat(Json.object(records.get(1).get("interp"))).containsEntry("a2", "/tmp/a b");
        assertThat(Json.object(records.get(4).get("interp"))).containsEntry("proctitle", "ls -l");
        Map<String, Object> user = Json.object(records(dump.events().get(1)).get(0).get("fields"));
        assertThat(user).containsEntry("op", "PAM:authentication").containsEntry("acct", "nobody")
                .containsEntry("res", "success");
    }

    @Test
    void libauparseAgainstItselfAgreesCompletely() {
        ParityComparison c = new ParityComparison();
        c.compareFile(dump, copy(dump));
        assertThat(c.totalDifferences()).isZero();
        assertThat(c.eventsIdentical).isEqualTo(2);
        assertThat(c.rawAgree).isEqualTo(c.rawTotal).isGreaterThan(40);
        assertThat(c.violations(List.of())).isEmpty();
    }

    @Test
    void aPlantedDifferenceInAnOrdinaryFieldFailsUnlessDeclared() {
        EventDump planted = copy(dump);
        interp(planted, 0, 0).put("tty", "pts/0");
        ParityComparison c = new ParityComparison();
        c.compareFile(dump, planted);
        GroupKey key = new GroupKey("SYSCALL", "tty", ParityComparison.INTERP);
        assertThat(c.groups).containsOnlyKeys(key);
        assertThat(c.interpAgree).isEqualTo(c.interpTotal - 1);
        assertThat(c.violations(List.of())).singleElement().asString().startsWith("undeclared difference");
        assertThat(c.violations(List.of(new KnownDifference("SYSCALL", "tty", "interp", "planted")))).isEmpty();
        assertThat(c.report("planted")).contains("SYSCALL / tty / interp").contains("\"pts/0\"");
    }

    @Test
    void aDifferenceInACommonFieldFailsEvenWhenDeclared() {
        EventDump planted = copy(dump);
        interp(planted, 0, 0).put("syscall", "unknown-syscall(59)");
        Json.object(records(planted.events().get(0)).get(1).get("fields")).put("a2", "2F746D702F612063");
        ParityComparison c = new ParityComparison();
        c.compareFile(dump, planted);
        List<KnownDifference> declared = List.of(new KnownDifference("*", "*", "*", "declared"));
        assertThat(c.violations(declared)).hasSize(2).allMatch(v -> v.startsWith("common field differs"));
        assertThat(c.groups).containsKeys(new GroupKey("SYSCALL", "syscall", ParityComparison.INTERP),
                new GroupKey("EXECVE", "aN", ParityComparison.RAW));
    }

    @Test
    void missingExtraAndReorderedEventsRecordsAndFieldsAreFound() {
        EventDump planted = copy(dump);
        List<Object> exec = Json.array(planted.events().get(0).get("records"));
        exec.add(3, exec.remove(2));                        // CWD after PATH
        Map<String, Object> pathFields = Json.object(Json.object(exec.get(2)).get("fields"));
        pathFields.remove("nametype");                      // a field lost
        pathFields.put("extra", "1");                       // a field invented, no interp
        planted.events().remove(1);                         // USER_AUTH lost
        Map<String, Object> ghost = copyEvent(dump.events().get(0));
        ghost.put("serial", 5);
        planted.events().add(ghost);                        // an event invented
        ParityComparison c = new ParityComparison();
        c.compareFile(dump, planted);
        assertThat(c.groups.keySet()).contains(
                new GroupKey("SYSCALL", "-", ParityComparison.RECORD_ORDER),
                new GroupKey("PATH", "nametype", ParityComparison.FIELD_MISSING),
                new GroupKey("PATH", "extra", ParityComparison.FIELD_EXTRA),
                new GroupKey("USER_AUTH", "planted.log", ParityComparison.EVENT_MISSING),
                new GroupKey("SYSCALL", "planted.log", ParityComparison.EVENT_EXTRA));
        assertThat(c.eventsAgree).isZero();
        assertThat(c.eventsTotal).isEqualTo(3);
    }

    @Test
    void oneIdentityCutIntoADifferentNumberOfEventsIsOneDifferenceAndItsFieldsAreStillCompared() {
        // auditalert keeps SYSCALL..PROCTITLE of serial 4 as one event; here the "reference" has
        // them cut in two after EXECVE, as libauparse 3.0.9 cuts LOGIN from its SYSCALL
        EventDump split = copy(dump);
        Map<String, Object> whole = split.events().get(0);
        Map<String, Object> tail = copyEvent(whole);
        List<Object> head = Json.array(whole.get("records"));
        List<Object> rest = Json.array(tail.get("records"));
        head.subList(2, head.size()).clear();
        rest.subList(0, 2).clear();
        split.events().add(1, tail);
        EventDump planted = copy(dump);
        Json.object(Json.object(Json.array(planted.events().get(0).get("records")).get(3)).get("interp"))
                .put("nametype", "normal");
        ParityComparison c = new ParityComparison();
        c.compareFile(split, planted);
        assertThat(c.groups.keySet()).containsExactlyInAnyOrder(
                new GroupKey("SYSCALL", "-", ParityComparison.EVENTS_MERGED),
                new GroupKey("PATH", "nametype", ParityComparison.INTERP));
        assertThat(c.report("merged")).contains("[[SYSCALL, EXECVE], [CWD, PATH, PROCTITLE]]")
                .contains("[[SYSCALL, EXECVE, CWD, PATH, PROCTITLE]]");
    }

    private static List<Map<String, Object>> records(Map<String, Object> event) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object r : Json.array(event.get("records"))) {
            out.add(Json.object(r));
        }
        return out;
    }

    private static Map<String, Object> interp(EventDump d, int event, int record) {
        return Json.object(records(d.events().get(event)).get(record).get("interp"));
    }

    private static EventDump copy(EventDump d) {
        List<Map<String, Object>> events = new ArrayList<>();
        d.events().forEach(e -> events.add(copyEvent(e)));
        return new EventDump(d.file(), events, List.of(), null);
    }

    private static Map<String, Object> copyEvent(Map<String, Object> event) {
        return Json.object(deepCopy(event));
    }

    private static Object deepCopy(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put((String) k, deepCopy(v)));
            return out;
        }
        if (o instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(v -> out.add(deepCopy(v)));
            return out;
        }
        return o;
    }
}

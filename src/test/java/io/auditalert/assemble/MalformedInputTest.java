package io.auditalert.assemble;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.ingest.Inputs;
import io.auditalert.ingest.LineFramer;
import io.auditalert.interp.Interpreter;
import io.auditalert.json.EventJson;
import io.auditalert.metrics.PipelineStats;
import io.auditalert.metrics.Telemetry;
import io.auditalert.parity.Json;
import io.auditalert.parse.ByteBuf;
import io.auditalert.parse.Values;
import io.auditalert.rules.CompiledRule;
import io.auditalert.rules.DefaultRules;
import io.auditalert.rules.EvalScratch;
import io.auditalert.rules.RuleLoader;
import io.auditalert.rules.RuleSet;
import io.auditalert.testutil.FixedNames;
import io.auditalert.testutil.Shared;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Malformed input is data (STYLE §5): real records, mutated from a fixed-seed {@link Random} (truncated,
 * bytes replaced, fields duplicated, dropped or emptied, quotes left open, hex made odd or non-hex,
 * values of kilobytes, thousands of fields, stamps and types garbled, EXECVE argument counts and
 * chunks that disagree, one event's records spread over serials), go through everything a worker does
 * with a line: assembly (line by line and through the {@link LineFramer}), the event's JSON, the rules
 * (the bundled defaults and rules over every kind of field the language has), each match's output and
 * throttle key. Nothing may throw, the JSON must parse, and every line must be an event's record or a
 * counted skip.
 *
 * <p>A failure prints the seed, the iteration and the input as a Java string literal, reduced by a
 * small loop to a shorter input that fails the same way.
 */
class MalformedInputTest {
    static final long SEED = 0x5EED_A0D17L;
    static final int MUTATIONS_PER_INLINE_SEED = 60;
    static final int MUTATIONS_PER_CORPUS_LINE = 5;

    /**
     * KNOWN DEFECTS, EXCLUDED UNTIL FIXED: failures whose signature (stage, exception, first frame in
     * io.auditalert main code) starts with one of these are printed and counted, not failed on. Remove
     * an entry once its defect is fixed; the test then guards against it coming back.
     */
    static final Map<String, String> KNOWN_DEFECTS = new LinkedHashMap<>();


    /** Records written as auditd writes them, so the test does something useful without ../shared. */
    static final List<String> INLINE = List.of(
            // threathunters-io_laurel/src__testdata__record-execve.txt (node=, ENRICHED)
            "node=work type=SYSCALL msg=audit(1615114232.375:15558): arch=c000003e syscall=59 success=yes exit=0 "
                    + "a0=63b29337fd18 a1=63b293387d58 a2=63b293375640 a3=fffffffffffff000 items=2 ppid=10883 "
                    + "pid=10884 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts1 ses=1 "
                    + "comm=\"whoami\" exe=\"/usr/bin/whoami\" key=(null)\u001dARCH=x86_64 SYSCALL=execve "
                    + "AUID=\"user\" UID=\"root\" GID=\"root\" EUID=\"root\" SUID=\"root\" FSUID=\"root\" "
                    + "EGID=\"root\" SGID=\"root\" FSGID=\"root\"",
            "node=work type=EXECVE msg=audit(1615114232.375:15558): argc=1 a0=\"whoami\"",
            "node=work type=CWD msg=audit(1615114232.375:15558): cwd=\"/home/user/tmp\"",
            "node=work type=PATH msg=audit(1615114232.375:15558): item=0 name=\"/usr/bin/whoami\" inode=261214 "
                    + "dev=ca:03 mode=0100755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 "
                    + "cap_fver=0 cap_frootid=0\u001dOUID=\"root\" OGID=\"root\"",
            "node=work type=PROCTITLE msg=audit(1615114232.375:15558): proctitle=77686F616D69",
            // a hex-encoded argument, a chunked argument, a hex path and a key
            "type=SYSCALL msg=audit(1700000000.100:7001): arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 "
                    + "a3=4 items=1 ppid=1 pid=2 auid=1000 uid=1000 gid=1000 euid=0 suid=0 fsuid=0 egid=0 sgid=0 "
                    + "fsgid=0 tty=pts0 ses=3 comm=\"sh\" exe=\"/tmp/a b\" key=\"exec_calls\"",
            "type=EXECVE msg=audit(1700000000.100:7001): argc=3 a0=\"sh\" a1=2D63 a2_len=8 a2[0]=6563686F a2[1]=2068690A",
            "type=PATH msg=audit(1700000000.100:7001): item=0 name=2F746D702F612062 inode=5 dev=08:01 mode=0104755 "
                    + "ouid=0 ogid=0 rdev=00:00 nametype=CREATE",
            "type=PROCTITLE msg=audit(1700000000.100:7001): proctitle=7368002D630065636866206869",
            "type=EOE msg=audit(1700000000.100:7001): ",
            // threathunters-io_laurel/src__testdata__record-connect.txt
            "type=SYSCALL msg=audit(1723819442.459:2482681): arch=c000003e syscall=42 success=yes exit=0 a0=8 "
                    + "a1=5556eca10aa0 a2=10 a3=4 items=0 ppid=1074250 pid=1074252 auid=4294967295 uid=48 gid=48 "
                    + "euid=48 suid=48 fsuid=48 egid=48 sgid=48 fsgid=48 tty=(none) ses=4294967295 comm=\"php\" "
                    + "exe=\"/usr/bin/php\" key=(null)",
            "type=SOCKADDR msg=audit(1723819442.459:2482681): saddr=02002BCB7F0000010000000000000000",
            "type=SOCKADDR msg=audit(1723819442.459:2482682): "
                    + "saddr=0A002BCB000000000000000000000000000000000000000100000000",
            "type=SOCKADDR msg=audit(1723819442.459:2482683): saddr=01002F746D702F736F636B00",
            // elastic_go-libaudit/aucoalesce__testdata__ubuntu-17.04-linux-4.10.0.yaml.extracted.log
            "type=USER_AUTH msg=audit(1493162652.324:18669): pid=9730 uid=0 auid=1001 ses=1 "
                    + "msg='op=PAM:authentication acct=\"root\" exe=\"/bin/su\" hostname=? addr=? "
                    + "terminal=/dev/pts/0 res=failed'",
            "type=USER_CMD msg=audit(1493162652.324:18670): pid=9731 uid=1000 auid=1000 ses=1 "
                    + "msg='cwd=\"/home/u\" cmd=636174202F6574632F736861646F77 terminal=pts/0 res=success'",
            // SELinuxProject_selinux/python__sepolgen__tests__test_data__short.log (shape)
            "type=AVC msg=audit(1162852201.019:1225): avc:  denied  { read } for  pid=6235 comm=\"httpd\" "
                    + "name=\"shadow\" dev=dm-0 ino=1 scontext=user_u:system_r:httpd_t:s0 "
                    + "tcontext=system_u:object_r:shadow_t:s0 tclass=file",
            "type=CONFIG_CHANGE msg=audit(1492743664.836:8068): auid=1001 ses=6 op=\"updated_rules\" "
                    + "path=\"/etc/gshadow\" key=\"auth\" list=4 res=1",
            // hillu_linux-audit-parser-rs/src__testdata__line-unknown.txt (shape)
            "type=UNKNOWN[1420] msg=audit(1626611363.720:348501): pid=1 uid=0 auid=4294967295 ses=4294967295 "
                    + "msg='unit=x res=success'",
            "audit(1700000000.200:7100): apparmor=\"DENIED\" operation=\"open\" profile=\"/usr/sbin/x\" "
                    + "name=\"/etc/shadow\" pid=1 comm=\"x\" requested_mask=\"r\" denied_mask=\"r\" fsuid=0 ouid=0");

    /** Corpus files with SYSCALL/EXECVE/PATH/PROCTITLE/SOCKADDR/AVC/USER_* records, ENRICHED and node=. */
    static final List<String> CORPUS_FILES = List.of(
            "threathunters-io_laurel/src__testdata__record-execve.txt",
            "threathunters-io_laurel/src__testdata__record-execve-long.txt",
            "threathunters-io_laurel/src__testdata__record-connect.txt",
            "threathunters-io_laurel/src__testdata__shell-proc-trace-reordered.txt",
            "elastic_beats/filebeat__module__auditd__log__test__execve-hex-arg.log",
            "elastic_beats/auditbeat__module__auditd__testdata__sudo.log",
            "SELinuxProject_selinux/python__sepolgen__tests__test_data__short.log",
            "linux-audit_audit-userspace/auparse__test__test3.log",
            "hillu_linux-audit-parser-rs/src__testdata__line-sockaddr-unix.txt",
            "hillu_linux-audit-parser-rs/src__testdata__line-user-auth-2.txt",
            "hillu_linux-audit-parser-rs/src__testdata__line-unknown.txt",
            "apparmor_apparmor/libraries__libapparmor__testsuite__test_multi__0x1d-uppercase-FSUID-OUID.in");

    /**
     * Rules over every kind of field the language has: strings, numbers, uids and gids, exit codes,
     * syscall, type and arch names, derived fields (argv, proctitle, key, node, path), TYPE.field,
     * EXECVE arguments and chunks, ENRICHED names, every operator, lists, macros, exceptions and throttles;
     * outputs print each kind, and saddr, argument chunks and optional labels.
     */
    static final String FUZZ_RULES = """
            - list: tmp_dirs
              items: [/tmp/, /var/tmp/, /dev/shm/]
            - list: shells
              items: [/bin/sh, /bin/bash, /usr/bin/bash]
            - macro: is_exec
              condition: syscall in (execve, execveat)
            - rule: strings
              condition: >-
                exe = /bin/x or comm != x or exe startswith tmp_dirs or exe endswith sh or cwd contains tmp
                or acct icontains ROOT or exe glob "/usr/*/[a-z]*" or exe matches "^/(usr/)?bin/.+$" or exe in shells
                or hostname exists or not terminal = pts/0
              severity: low
              output: "{exe} {comm} {cwd} {acct}{?hostname}{?terminal} {{literal}}"
            - rule: numbers
              condition: >-
                pid > 100 or ppid <= 1 or ses >= 1 or items < 3 or argc > 1 or inode >= 0 or auid = unset
                or uid = root or euid != 0 or gid = root or egid > 0 or exit = EACCES or exit < 0 or success = yes
                or arch = x86_64 or type = SYSCALL or type in (EXECVE, PATH) or ses = unset
              severity: medium
              output: "{pid} {ppid} {ses} {auid} {uid} {euid} {gid} {exit} {success} {arch} {type} {syscall}"
              throttle: {key: [auid, exe, exit], window: 1m}
            - rule: derived
              condition: >-
                is_exec and (argv contains "-" or proctitle icontains "sh" or key = exec_calls or key exists
                or node exists or path startswith /etc/ or a0 exists or a1[0] exists or a1_len > 0
                or EXECVE.a1 startswith "-" or EXECVE.a2 matches "^e")
              severity: high
              output: "{argv} | {proctitle} | {key} | {node} | {path} | {a0} {a1} {a1[0]} {a1_len} {EXECVE.a2}"
              exceptions:
                - argv contains "never-there"
              throttle: {key: [auid, argv], window: 1m}
            - rule: typed
              condition: >-
                PATH.name exists or PATH.nametype in (CREATE, DELETE) or SOCKADDR.saddr exists
                or USER_AUTH.res = failed or AVC.tcontext contains shadow or UID = root or SYSCALL = execve
                or AUID exists or USER_CMD.cmd exists or PROCTITLE.proctitle contains "sh" or CWD.cwd exists
              severity: critical
              output: "{PATH.name} {saddr} {SOCKADDR.saddr} {res} {tcontext} {UID} {AUID} {cmd} {PATH.nametype}"
            - rule: summary
              condition: type exists
              severity: info
            """;

    static RuleSet defaults;
    static RuleSet fuzz;

    @BeforeAll
    static void loadRules() {
        defaults = loaded(DefaultRules.texts());
        fuzz = loaded(Map.of("fuzz.yml", FUZZ_RULES));
    }

    private static RuleSet loaded(Map<String, String> texts) {
        RuleLoader.Result r = RuleLoader.loadTexts(texts, new FixedNames(), new Telemetry());
        assertThat(r.errors()).as("rules load").isEmpty();
        return r.ruleSet();
    }

    @Test
    void shouldSurviveMutationsOfInlineRecords() {
        Harness h = new Harness();
        List<byte[]> seeds = INLINE.stream().map(MalformedInputTest::bytes).toList();
        Random random = new Random(SEED);
        fuzzSeeds(h, "inline", seeds, random, MUTATIONS_PER_INLINE_SEED);
        h.report();
    }

    @Test
    void shouldSurviveMutationsOfCorpusRecords() throws IOException {
        Path corpus = Shared.root().resolve("corpus");
        Harness h = new Harness();
        Random random = new Random(SEED + 1);
        int files = 0;
        for (String name : CORPUS_FILES) {
            Path file = corpus.resolve(name);
            if (!Files.isRegularFile(file)) {
                System.out.println("MalformedInputTest: corpus file missing, skipped: " + file);
                continue;
            }
            files++;
            List<byte[]> lines = splitLines(Files.readAllBytes(file));
            // the file as it is, then each of its lines mutated
            h.check("corpus " + name + " unmutated", lines);
            fuzzSeeds(h, "corpus " + name, lines, random, MUTATIONS_PER_CORPUS_LINE);
        }
        Assumptions.assumeTrue(files > 0, "skipped: none of the chosen ../shared/corpus files is present");
        h.report();
    }

    @Test
    void shouldSurviveHandWrittenMalformedForms() {
        Harness h = new Harness();
        String s = "type=SYSCALL msg=audit(1700000000.000:1): ";
        String e = "type=EXECVE msg=audit(1700000000.000:1): ";
        List<String> forms = new ArrayList<>(List.of(
                "", " ", "=", "type=", "type= msg=audit(", "type=SYSCALL", "type=SYSCALL msg=audit(",
                "type=SYSCALL msg=audit()", "type=SYSCALL msg=audit():", "type=SYSCALL msg=audit(.:)",
                "type=SYSCALL msg=audit(1700000000.000:)", "type=SYSCALL msg=audit(:1): a=1",
                "type=SYSCALL msg=audit(1700000000:1): a=1", "type=SYSCALL msg=audit(1700000000.:1): a=1",
                "type=SYSCALL msg=audit(1700000000.000:99999999999999999999): a=1",
                "type=SYSCALL msg=audit(99999999999999999999.000:1): a=1",
                "type=SYSCALL msg=audit(1700000000.99999999999:1): a=1",
                "type=SYSCALL msg=audit(-1.000:-1): a=1", "type=SYSCALL msg=audit(1700000000.000:1",
                "type=SYSCALL msg=audit(1700000000.000:18446744073709551615): a=1",
                "type=SYSCALL msg=audit(1700000000.000:9223372036854775808): a=1",
                "type=UNKNOWN[1234] msg=audit(1700000000.000:2): a=1", "type=UNKNOWN[ msg=audit(1700000000.000:2): a=1",
                "type=UNKNOWN[] msg=audit(1700000000.000:2): a=1",
                "type=UNKNOWN[99999999999999999999] msg=audit(1700000000.000:2): a=1",
                "type=UNKNOWN[-5] msg=audit(1700000000.000:2): a=1", "type=1300 msg=audit(1700000000.000:2): a=1",
                "type=99999999999 msg=audit(1700000000.000:2): a=1", "type=NOT_A_TYPE msg=audit(1700000000.000:2): a=1",
                "type=EOE msg=audit(1700000000.000:3): ", "node= type=EOE msg=audit(1700000000.000:3):",
                "n", "node=", "node=x", "node=x type=SYSCALL", "----", "time->", "time->Tue Nov 10 08:19:44 2020",
                s, s + "=", s + "= = =", s + "a=", s + "a= b=", s + "exe=\"", s + "exe='", s + "msg='a=b",
                s + "msg='", s + "msg=''", s + "a=b\u001d", s + "\u001d", s + "\u001d=", s + "\u001dUID",
                s + "\u001dUID=\u001dUID=", s + "arch= syscall=59", s + "arch=zz syscall=59 exit=-",
                s + "arch=ffffffffffffffffffff syscall=99999999999 exit=-99999999999999999999",
                s + "arch=c000003e syscall=-1 exit=-2147483649 success=maybe",
                s + "arch=c000003e syscall=59 auid=-1 uid=99999999999999999999 ses=-",
                s + "(exit=0 ((((( ))))) exe=(", s + "key=", s + "key=\"", s + "key=616263\u0001",
                s + "key=6B31016B32", s + "key=6", s + "exe=2F", s + "exe=2Fz", s + "comm=00",
                e + "argc=", e + "argc=-1 a0=\"x\"", e + "argc=2147483647 a0=\"x\"", e + "argc=99999999999999 a0=x",
                e + "argc=4096", e + "argc=1 a0", e + "argc=1 a0=", e + "argc=1 a0=\"", e + "argc=1 a0=F",
                e + "argc=1 a0=0", e + "argc=1 a0=zz", e + "argc=1 a0=00", e + "argc=1 a0=0000",
                e + "argc=2 a0=\"x\" a1_len=99999999999 a1[0]=41",
                e + "argc=2 a0=\"x\" a1_len=-1 a1[0]=41", e + "argc=2 a0=\"x\" a1_len=2 a1[5]=41",
                e + "argc=2 a0=\"x\" a1_len=2 a1[99999999999]=41", e + "argc=2 a0=\"x\" a1_len=2 a1[-1]=41",
                e + "argc=2 a0=\"x\" a1_len=2 a1[]=41", e + "argc=2 a0=\"x\" a1_len=2 a1[=41",
                e + "argc=2 a0=\"x\" a1_len=2 a1[0]=414 a1[1]=4", e + "argc=2 a0=\"x\" a1[0]=41 a1[0]=42",
                e + "argc=2 a0=\"x\" a1_len= a1[0]=", e + "argc=2 a0=\"x\" a99999999999=1",
                e + "argc=2 a0=\"x\" a2147483647=1 a-1=2", e + "argc=2 a0=\"x\" a1_len=4 a1[0]=\"ab\" a1[1]=\"c",
                "type=PROCTITLE msg=audit(1700000000.000:1): proctitle=", "type=PROCTITLE msg=audit(1700000000.000:1): proctitle=7",
                "type=PROCTITLE msg=audit(1700000000.000:1): proctitle=7G", "type=PROCTITLE msg=audit(1700000000.000:1): proctitle=00",
                "type=PROCTITLE msg=audit(1700000000.000:1): proctitle=\"", "type=PROCTITLE msg=audit(1700000000.000:1): proctitle=(null)",
                "type=PATH msg=audit(1700000000.000:1): item=0 name=", "type=PATH msg=audit(1700000000.000:1): item=0 name=ABC",
                "type=PATH msg=audit(1700000000.000:1): item=-1 name=(null) nametype=", "type=PATH msg=audit(1700000000.000:1): item=99999999999999999999",
                "type=SOCKADDR msg=audit(1700000000.000:1): saddr=", "type=SOCKADDR msg=audit(1700000000.000:1): saddr=0",
                "type=SOCKADDR msg=audit(1700000000.000:1): saddr=02", "type=SOCKADDR msg=audit(1700000000.000:1): saddr=0200",
                "type=SOCKADDR msg=audit(1700000000.000:1): saddr=0A00", "type=SOCKADDR msg=audit(1700000000.000:1): saddr=0100",
                "type=SOCKADDR msg=audit(1700000000.000:1): saddr=01002F", "type=SOCKADDR msg=audit(1700000000.000:1): saddr=0200ZZZZ",
                "type=SOCKADDR msg=audit(1700000000.000:1): saddr=1000", "type=SOCKADDR msg=audit(1700000000.000:1): saddr=2800",
                "type=SOCKADDR msg=audit(1700000000.000:1): saddr=FFFF" + "00".repeat(200),
                "type=SOCKADDR msg=audit(1700000000.000:1): saddr=\"x\"",
                "type=AVC msg=audit(1700000000.000:1): avc:  denied  {", "type=AVC msg=audit(1700000000.000:1): avc:  denied  { read",
                "type=AVC msg=audit(1700000000.000:1): avc:  denied  } for", "type=AVC msg=audit(1700000000.000:1): avc:",
                "type=USER_AUTH msg=audit(1700000000.000:1): msg='op=PAM:auth acct=\"", "type=USER_AUTH msg=audit(1700000000.000:1): msg='''",
                "type=USER_AUTH msg=audit(1700000000.000:1): msg='op=x' msg='op=y' res=", "type=USER_CMD msg=audit(1700000000.000:1): msg='cmd=6'",
                "type=USER_CMD msg=audit(1700000000.000:1): msg='cmd=GG'"));
        // a value of several kilobytes, thousands of fields, thousands of arguments
        forms.add(s + "exe=\"/" + "a".repeat(20_000) + "\" comm=" + "41".repeat(5_000));
        forms.add("type=PROCTITLE msg=audit(1700000000.000:1): proctitle=" + "6100".repeat(8_000));
        forms.add(s + "f=1 ".repeat(5_000));
        forms.add(e + "argc=5000 " + argList(5_000));
        forms.add(e + "argc=2 a0=\"x\" a1_len=40000 " + chunkList(1_000));
        forms.add("type=SYSCALL msg=audit(1700000000.000:1): " + "\u001dA=1".repeat(3_000));
        forms.add(s + "key=\"" + "k".repeat(5_000) + "\"");
        // lines around the framer's limit (64 KiB): the longer are dropped and counted as too long
        for (int len : new int[] {LineFramer.DEFAULT_MAX_LINE - 1, LineFramer.DEFAULT_MAX_LINE, LineFramer.DEFAULT_MAX_LINE + 1, 70_000}) {
            forms.add(s + "exe=" + "4".repeat(len - s.length() - 4));
        }
        int n = 0;
        for (String form : forms) {
            h.check("form " + n++, List.of(bytes(form)));
        }
        // the forms together, then after a well-formed record of the same serial, then with their bytes as 0xFF
        h.check("all forms", forms.stream().map(MalformedInputTest::bytes).toList());
        for (String form : forms) {
            h.check("form after its event", List.of(bytes(INLINE.get(5)), bytes(form)));
        }
        Random random = new Random(SEED + 2);
        for (String form : forms) {
            byte[] b = bytes(form);
            for (int i = 0; i < b.length; i += 1 + random.nextInt(8)) {
                b[i] = (byte) 0xFF;
            }
            h.check("form with 0xFF", List.of(b));
        }
        h.report();
    }

    @Test
    void shouldAccountForRecordsOfOneEventSpreadAcrossSerialsAndOrders() {
        Harness h = new Harness();
        List<byte[]> event = INLINE.subList(5, 10).stream().map(MalformedInputTest::bytes).toList();
        Random random = new Random(SEED + 3);
        for (int i = 0; i < 200; i++) {
            List<byte[]> lines = new ArrayList<>();
            for (byte[] line : event) {
                lines.add(random.nextInt(3) == 0 ? reserial(line, random) : line);
            }
            java.util.Collections.shuffle(lines, random);
            if (random.nextBoolean()) {
                lines.add(0, bytes("type=EOE msg=audit(1700000000.100:7001): "));
            }
            h.check("spread " + i, lines);
        }
        // one event of more records than an event holds (maxRecordsPerEvent 4096)
        List<byte[]> many = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            many.add(bytes("type=PATH msg=audit(1700000000.100:9): item=" + i + " name=\"/x\" nametype=NORMAL"));
        }
        h.check("5000 records of one event", many);
        h.report();
    }

    // ---- mutation ----

    private static void fuzzSeeds(Harness h, String where, List<byte[]> seeds, Random random, int perSeed) {
        for (int s = 0; s < seeds.size(); s++) {
            for (int i = 0; i < perSeed; i++) {
                byte[] mutated = mutate(seeds.get(s), random);
                if (random.nextInt(4) == 0) {
                    mutated = mutate(mutated, random);
                }
                String context = where + " seed=" + SEED + " line=" + s + " iteration=" + i;
                h.check(context, List.of(mutated));
                if (i % 4 == 0) {
                    // within its neighbours, as a record of a real event
                    List<byte[]> group = new ArrayList<>(seeds.subList(Math.max(0, s - 3), s));
                    group.add(mutated);
                    group.addAll(seeds.subList(s + 1, Math.min(seeds.size(), s + 4)));
                    h.check(context + " (with neighbours)", group);
                }
            }
        }
    }

    private static final byte[] SPECIALS = {0x00, 0x1D, '=', ' ', '"', '\'', '(', ')', ':', (byte) 0xFF, '%', '[', ']',
        '.', '\\', '{', '}', 0x7F, (byte) 0x80, '\t', '\r', '-'};
    private static final String[] HEX_NAMES = {"proctitle", "a0", "a1", "a2", "name", "saddr", "exe", "comm", "key",
        "cwd", "cmd", "acct", "a1[0]", "a1[1]"};

    static byte[] mutate(byte[] line, Random r) {
        String s = new String(line, StandardCharsets.ISO_8859_1);
        switch (r.nextInt(17)) {
            case 0: // truncate
                return Arrays.copyOf(line, line.length == 0 ? 0 : r.nextInt(line.length));
            case 1: { // replace bytes
                byte[] b = line.clone();
                for (int k = 1 + r.nextInt(4); k > 0 && b.length > 0; k--) {
                    b[r.nextInt(b.length)] = r.nextInt(4) == 0 ? (byte) r.nextInt(256) : SPECIALS[r.nextInt(SPECIALS.length)];
                }
                return b;
            }
            case 2: { // insert bytes
                int at = r.nextInt(s.length() + 1);
                return bytes(s.substring(0, at) + (char) (SPECIALS[r.nextInt(SPECIALS.length)] & 0xFF) + s.substring(at));
            }
            case 3: { // duplicate a field
                List<String> t = tokens(s);
                if (t.size() > 2) {
                    int i = 2 + r.nextInt(t.size() - 2);
                    t.add(i, t.get(i));
                }
                return bytes(String.join(" ", t));
            }
            case 4: { // delete a field (the type and stamp included)
                List<String> t = tokens(s);
                if (!t.isEmpty()) {
                    t.remove(r.nextInt(t.size()));
                }
                return bytes(String.join(" ", t));
            }
            case 5: { // empty a value, or leave a lone '='
                List<String> t = tokens(s);
                if (t.isEmpty()) {
                    return line;
                }
                int i = r.nextInt(t.size());
                int eq = t.get(i).indexOf('=');
                if (r.nextBoolean() && eq >= 0) {
                    t.set(i, t.get(i).substring(0, eq + 1));
                } else {
                    t.add(i, r.nextBoolean() ? "=" : "=" + t.get(i));
                }
                return bytes(String.join(" ", t));
            }
            case 6: { // an unterminated or stray quote
                int q = Math.max(s.lastIndexOf('"'), s.lastIndexOf('\''));
                if (q >= 0 && r.nextBoolean()) {
                    return bytes(s.substring(0, q) + s.substring(q + 1));
                }
                int eq = nthIndexOf(s, '=', r);
                return eq < 0 ? line : bytes(s.substring(0, eq + 1) + (r.nextBoolean() ? "\"" : "'") + s.substring(eq + 1));
            }
            case 7: // a hex value made odd, non-hex or of NULs
                return bytes(withValue(s, HEX_NAMES[r.nextInt(HEX_NAMES.length)], badHex(r), r));
            case 8: { // a huge value
                String big = r.nextBoolean() ? "41".repeat(1_000 + r.nextInt(8_000)) : "\"" + "x".repeat(2_000 + r.nextInt(8_000)) + "\"";
                return bytes(withValue(s, HEX_NAMES[r.nextInt(HEX_NAMES.length)], big, r));
            }
            case 9: { // very many fields
                StringBuilder b = new StringBuilder(s);
                int n = 1_000 + r.nextInt(4_000);
                for (int i = 0; i < n; i++) {
                    b.append(r.nextInt(3) == 0 ? " a" + i + "=x" : " f=" + i);
                }
                return bytes(b.toString());
            }
            case 10: { // the stamp
                int open = s.indexOf("audit(");
                int close = s.indexOf(')', Math.max(open, 0));
                if (open < 0 || close < 0) {
                    return line;
                }
                String[] stamps = {"", ".", ":", ".:", "1700000000.000:", ":5", "1700000000:5", "1700000000.000:99999999999999999999",
                    "99999999999999999999.000:1", "1700000000.000:-1", "1700000000.0000000000000:1", "abc.def:ghi",
                    "1700000000.000:1:2", "1700000000.000", "1700000000.000:18446744073709551616", "1700000000.000:1 2"};
                String stamp = stamps[r.nextInt(stamps.length)];
                return bytes(s.substring(0, open + 6) + stamp + (r.nextInt(5) == 0 ? "" : s.substring(close)));
            }
            case 11: { // the type
                String[] types = {"type=", "type=UNKNOWN[1234]", "type=UNKNOWN[", "type=UNKNOWN[]", "type=UNKNOWN[abc]",
                    "type=UNKNOWN[99999999999999]", "type=NOT_A_TYPE", "type=1300", "type=-1", "type=99999",
                    "type=EOE", "type=SYSCALL", "type=EXECVE", "type=PROCTITLE", "type=SOCKADDR", "type=PATH",
                    "type=USER_AUTH", "type=AVC", "type=type=", "typo=SYSCALL"};
                int at = s.indexOf("type=");
                int end = at < 0 ? -1 : s.indexOf(' ', at);
                if (at < 0 || end < 0) {
                    return line;
                }
                return bytes(s.substring(0, at) + types[r.nextInt(types.length)] + s.substring(end));
            }
            case 12: { // EXECVE argc far from its arguments
                String[] argc = {"argc=99999", "argc=2147483647", "argc=2147483648", "argc=-1", "argc=0", "argc=",
                    "argc=99999999999999999999", "argc=4097", "argc=x"};
                String a = argc[r.nextInt(argc.length)];
                return bytes(s.contains("argc=") ? s.replaceFirst("argc=\\S*", a) : s + " " + a);
            }
            case 13: { // argument chunks that disagree
                String[] chunks = {" a1_len=99999999 a1[0]=41", " a1_len=-3 a1[0]=41", " a1_len=1 a1[3]=4142",
                    " a1[99999999999]=41", " a1[-1]=41", " a1[]=41", " a1[=41", " a1_len=", " a0_len=2 a0[0]=4",
                    " a1_len=2 a1[0]=41 a1[0]=42", " a99999999999=1", " a1_len=4 a1[0]=\"ab\" a1[1]=\"c",
                    " a1_len=2147483647 a1[2147483647]=00"};
                return bytes(s + chunks[r.nextInt(chunks.length)]);
            }
            case 14: // the record moved to another serial
                return reserial(line, r);
            case 15: { // ENRICHED separators
                int at = r.nextInt(s.length() + 1);
                String[] ins = {"\u001d", "\u001d\u001d", "\u001dUID=", "\u001d=", "\u001dAUID=\"", "\u001dARCH=x86_64 SYSCALL="};
                return bytes(s.substring(0, at) + ins[r.nextInt(ins.length)] + s.substring(at));
            }
            default: { // node= prefix
                String[] nodes = {"node= ", "node=x ", "n ", "node=" + "h".repeat(300) + " ", "node=\u001d "};
                return bytes(nodes[r.nextInt(nodes.length)] + s);
            }
        }
    }

    private static String badHex(Random r) {
        String[] forms = {"", "7", "7G", "GG", "0", "00", "0000", "F", "fff", "ABC", "41420", "4142ZZ", "(null)", "?",
            "\"", "'", "%41", "0x41", "4141" + "0".repeat(r.nextInt(3))};
        return forms[r.nextInt(forms.length)];
    }

    /** The line with name's value set (the name added when the line has none). */
    private static String withValue(String s, String name, String value, Random r) {
        int at = s.indexOf(" " + name + "=");
        if (at < 0) {
            return s + " " + name + "=" + value;
        }
        int from = at + name.length() + 2;
        int to = s.indexOf(' ', from);
        return s.substring(0, from) + value + (to < 0 ? "" : s.substring(to));
    }

    private static byte[] reserial(byte[] line, Random r) {
        String s = new String(line, StandardCharsets.ISO_8859_1);
        return bytes(s.replaceFirst(":(\\d+)\\)", ":" + (r.nextBoolean() ? r.nextInt(10) : r.nextInt(1 << 30)) + ")"));
    }

    private static int nthIndexOf(String s, char c, Random r) {
        List<Integer> at = new ArrayList<>();
        for (int i = s.indexOf(c); i >= 0; i = s.indexOf(c, i + 1)) {
            at.add(i);
        }
        return at.isEmpty() ? -1 : at.get(r.nextInt(at.size()));
    }

    private static List<String> tokens(String s) {
        return new ArrayList<>(Arrays.asList(s.split(" ", -1)));
    }

    private static String argList(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(" a").append(i).append("=\"x\"");
        }
        return b.toString();
    }

    private static String chunkList(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(" a1[").append(i).append("]=").append("41".repeat(20));
        }
        return b.toString();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static List<byte[]> splitLines(byte[] b) {
        List<byte[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= b.length; i++) {
            if (i == b.length || b[i] == '\n') {
                if (i > start || i < b.length) {
                    out.add(Arrays.copyOfRange(b, start, i));
                }
                start = i + 1;
            }
        }
        return out;
    }

    /** The bytes as a Java string literal (ISO-8859-1, so each byte is one char). */
    static String literal(byte[] b) {
        StringBuilder s = new StringBuilder("\"");
        for (byte x : b) {
            int c = x & 0xFF;
            if (c == '"' || c == '\\') {
                s.append('\\').append((char) c);
            } else if (c >= 0x20 && c < 0x7F) {
                s.append((char) c);
            } else {
                s.append(String.format("\\u%04x", c));
            }
        }
        return s.append('"').toString();
    }

    // ---- the stages and their invariants ----

    /** One failure kind: its first input, how many inputs showed it. */
    private static final class Seen {
        final String signature;
        final String context;
        final List<byte[]> input;
        final Throwable error;
        final String detail;
        int count;

        Seen(String signature, String context, List<byte[]> input, Throwable error, String detail) {
            this.signature = signature;
            this.context = context;
            this.input = input;
            this.error = error;
            this.detail = detail;
        }
    }

    /** Runs inputs through every stage and collects failures by signature. */
    static final class Harness {
        private final EventJson json = new EventJson(new Interpreter());
        private final EvalScratch scratch = new EvalScratch();
        private final ByteBuf out = new ByteBuf(4096);
        private final ByteBuf render = new ByteBuf(256);
        private final ByteBuf value = new ByteBuf(256);
        private final Map<String, Seen> failures = new TreeMap<>();
        private long inputs;
        private long events;
        private long matches;
        private final long started = System.nanoTime();

        void check(String context, List<byte[]> lines) {
            inputs++;
            List<Failure> found = run(lines);
            longLived(lines, found);
            for (Failure f : found) {
                Seen seen = failures.computeIfAbsent(f.signature, k -> new Seen(k, context, lines, f.error, f.detail));
                seen.count++;
            }
        }

        private record Failure(String signature, Throwable error, String detail) {}

        /** Both ways in (line by line, and framed from bytes); the failures found. */
        private List<Failure> run(List<byte[]> lines) {
            List<Failure> found = new ArrayList<>();
            direct(lines, found);
            framed(lines, found);
            tightDirect(lines, found);
            return found;
        }

        private void direct(List<byte[]> lines, List<Failure> found) {
            PipelineStats stats = new PipelineStats();
            long[] records = new long[2];
            EventAssembler assembler = assembler(stats, records, found);
            long delivered = 0;
            try {
                for (byte[] line : lines) {
                    // surrounded by other bytes, so offsets other than 0 are exercised (as Feed does)
                    byte[] padded = new byte[line.length + 6];
                    Arrays.fill(padded, (byte) 'Z');
                    System.arraycopy(line, 0, padded, 3, line.length);
                    assembler.onLine(padded, 3, line.length, 0L);
                    delivered++;
                }
                assembler.finish();
            } catch (RuntimeException | Error e) {
                found.add(failure("assemble", e, null));
                return;
            }
            account("direct", stats, delivered, records, found);
        }

        /** Limits small enough that eviction and truncation happen on a handful of lines. */
        private static EventAssembler.Settings tight() {
            EventAssembler.Settings t = new EventAssembler.Settings();
            t.maxInflight = 3;
            t.maxInflightBytes = 2048;
            t.maxRecordsPerEvent = 4;
            t.maxBytesPerEvent = 4096;
            t.outstandingSlots = 8;
            return t;
        }

        private void tightDirect(List<byte[]> lines, List<Failure> found) {
            PipelineStats stats = new PipelineStats();
            long[] records = new long[2];
            EventAssembler assembler = assembler(tight(), stats, records, found);
            try {
                for (byte[] line : lines) {
                    assembler.onLine(line, 0, line.length, 0L);
                }
                assembler.finish();
            } catch (RuntimeException | Error e) {
                found.add(failure("assemble(tight limits)", e, null));
                return;
            }
            account("tight", stats, lines.size(), records, found);
        }

        /** One assembler for every input of the test: slots are recycled between unrelated events. */
        private void longLived(List<byte[]> lines, List<Failure> found) {
            try {
                for (byte[] line : lines) {
                    shared.onLine(line, 0, line.length, 0L);
                    sharedDelivered++;
                }
            } catch (RuntimeException | Error e) {
                found.add(failure("assemble(long-lived)", e, null));
            }
        }

        private final PipelineStats sharedStats = new PipelineStats();
        private final long[] sharedRecords = new long[2];
        private final List<Failure> sharedFound = new ArrayList<>();
        private final EventAssembler shared = assembler(sharedStats, sharedRecords, sharedFound);
        private long sharedDelivered;

        private void framed(List<byte[]> lines, List<Failure> found) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            long newlines = 0;
            for (byte[] line : lines) {
                all.writeBytes(line);
                all.write('\n');
            }
            byte[] input = all.toByteArray();
            for (byte b : input) {
                newlines += b == '\n' ? 1 : 0;
            }
            PipelineStats stats = new PipelineStats();
            long[] records = new long[2];
            long[] delivered = new long[1];
            EventAssembler assembler = assembler(stats, records, found);
            try {
                InputStream in = new ByteArrayInputStream(input);
                new LineFramer(LineFramer.DEFAULT_MAX_LINE, stats).pump(Inputs.stream(in), (b, off, len) -> {
                    delivered[0]++;
                    assembler.onLine(b, off, len, 0L);
                });
                assembler.finish();
            } catch (IOException e) {
                throw new AssertionError(e);
            } catch (RuntimeException | Error e) {
                found.add(failure("framer+assemble", e, null));
                return;
            }
            if (stats.lines + stats.linesTooLong != newlines) {
                found.add(failure("accounting", null, "framed: " + newlines + " lines in, " + stats.lines + " framed + "
                        + stats.linesTooLong + " too long"));
            }
            account("framed", stats, delivered[0], records, found);
        }

        /**
         * Every line delivered is a record of an emitted event, a swallowed EOE, an ausearch separator or
         * a counted parse error; records dropped into a truncated event are counted only per event.
         */
        private void account(String how, PipelineStats stats, long delivered, long[] counts, List<Failure> found) {
            long records = counts[0];
            long byType = 0;
            for (long n : stats.recordsByType) {
                byType += n;
            }
            long accounted = records + stats.eoeSwallowed + stats.parseErrorsTotal() + stats.ausearchSeparators;
            if (stats.truncatedEvents != counts[1]) {
                found.add(failure("accounting: truncated events", null, how + ": " + counts[1]
                        + " event(s) marked truncated, truncatedEvents " + stats.truncatedEvents));
            }
            // lines dropped into a truncated event are counted per event (assembly_truncated), by design
            if (delivered != accounted && counts[1] == 0) {
                found.add(failure("accounting", null, how + ": " + delivered + " lines delivered, " + accounted
                        + " accounted (records " + records + ", eoeSwallowed " + stats.eoeSwallowed + ", parse errors "
                        + stats.parseErrorsTotal() + ", separators " + stats.ausearchSeparators + ")"));
            }
            if (byType != records + stats.eoeSwallowed) {
                found.add(failure("accounting", null, how + ": recordsByType " + byType + " != records in events "
                        + records + " + eoeSwallowed " + stats.eoeSwallowed));
            }
            if (stats.inflight != 0) {
                found.add(failure("accounting", null, how + ": " + stats.inflight + " events in flight after finish"));
            }
        }

        private EventAssembler assembler(PipelineStats stats, long[] records, List<Failure> found) {
            return assembler(new EventAssembler.Settings(), stats, records, found);
        }

        /** records[0]: records of the emitted events; records[1]: emitted events marked truncated. */
        private EventAssembler assembler(EventAssembler.Settings settings, PipelineStats stats, long[] records,
                List<Failure> found) {
            EventAssembler[] self = new EventAssembler[1];
            self[0] = new EventAssembler(settings, stats, ev -> {
                try {
                    records[0] += ev.recordCount();
                    records[1] += ev.truncated() ? 1 : 0;
                    onEvent(ev, found);
                } finally {
                    self[0].recycle(ev);
                }
            });
            return self[0];
        }

        /** What a worker does with an event; each stage's exception is caught so the next still runs. */
        private void onEvent(AuditEvent ev, List<Failure> found) {
            events++;
            out.clear();
            try {
                json.write(ev, out);
                String problem = jsonProblem(out.toByteArray());
                if (problem != null) {
                    found.add(failure("json-invalid", null, problem));
                }
            } catch (RuntimeException | Error e) {
                found.add(failure("json", e, null));
            }
            try {
                keysAndRawValues(ev);
            } catch (RuntimeException | Error e) {
                found.add(failure("fields", e, null));
            }
            for (RuleSet rules : List.of(defaults, fuzz)) {
                List<CompiledRule> hits = new ArrayList<>();
                try {
                    rules.evaluate(ev, scratch, (rule, e) -> hits.add(rule));
                } catch (RuntimeException | Error e) {
                    found.add(failure("rules-evaluate", e, null));
                    continue;
                }
                for (CompiledRule rule : hits) {
                    matches++;
                    try {
                        render.clear();
                        rule.renderOutput(ev, scratch, render);
                        render.toUtf8String();
                    } catch (RuntimeException | Error e) {
                        found.add(failure("rules-render", e, null));
                    }
                    try {
                        if (rule.throttled()) {
                            render.clear();
                            rule.throttleKey(ev, scratch, render);
                        }
                    } catch (RuntimeException | Error e) {
                        found.add(failure("rules-throttle-key", e, null));
                    }
                }
            }
        }

        private static final byte[] KEY = bytes("key");
        private static final String[] NAMES = {"syscall", "exe", "comm", "key", "name", "saddr", "proctitle", "argc",
            "a0", "a1", "a1[0]", "a1_len", "msg", "type", "node", "auid", "res", "acct", "UID", "AUID"};

        /** The alert stage's key list, and rawValue against the tokenizer (RawValueTest's invariant). */
        private void keysAndRawValues(AuditEvent ev) {
            byte[] b = ev.buffer();
            for (int r = 0; r < ev.recordCount(); r++) {
                if (ev.mayHaveKey(r)) {
                    for (int f = ev.firstField(r); f < ev.endField(r); f++) {
                        if (ev.nameIs(f, KEY) && !Values.isAbsent(b, ev.valOff(f), ev.valLen(f))) {
                            value.clear();
                            Values.decodeEscaped(b, ev.valOff(f), ev.valLen(f), value).toUtf8String();
                        }
                    }
                }
                for (String name : NAMES) {
                    byte[] n = bytes(name);
                    ev.rawValue(r, n);
                    int f = ev.find(r, n);
                    if (f >= 0) {
                        ev.valueString(f);
                    }
                }
            }
        }

        private Failure failure(String stage, Throwable e, String detail) {
            String signature = stage + ": " + (e == null ? detail.replaceAll("\\d+", "N") : e.getClass().getName() + " at " + mainFrame(e));
            return new Failure(signature, e, detail);
        }

        /** Prints what was found, minimized; fails on anything not listed in {@link #KNOWN_DEFECTS}. */
        void report() {
            try {
                shared.finish();
                account("long-lived", sharedStats, sharedDelivered, sharedRecords, sharedFound);
            } catch (RuntimeException | Error e) {
                sharedFound.add(failure("assemble(long-lived)", e, null));
            }
            for (Failure f : sharedFound) {
                failures.computeIfAbsent(f.signature, k -> new Seen(k, "long-lived assembler, all inputs", List.of(), f.error, f.detail))
                        .count++;
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf("MalformedInputTest: %d inputs, %d events, %d rule matches, %d failure kinds, %.1f s%n",
                    inputs, events, matches, failures.size(), seconds);
            List<String> unexpected = new ArrayList<>();
            for (Seen seen : failures.values()) {
                String known = knownDefect(seen.signature);
                List<byte[]> minimal = minimize(seen);
                StringBuilder text = new StringBuilder();
                text.append(known != null ? "[known defect, excluded: " + known + "] " : "").append(seen.signature)
                        .append("\n  seen ").append(seen.count).append(" time(s); first at ").append(seen.context);
                if (seen.detail != null) {
                    text.append("\n  detail: ").append(seen.detail);
                }
                if (seen.error != null) {
                    text.append("\n  ").append(seen.error);
                    StackTraceElement[] st = seen.error.getStackTrace();
                    for (int i = 0; i < Math.min(8, st.length); i++) {
                        text.append("\n    at ").append(st[i]);
                    }
                }
                text.append("\n  input (").append(seen.input.size()).append(" line(s)): ").append(shortLiteral(seen.input));
                text.append("\n  minimal (").append(minimal.size()).append(" line(s)): ").append(shortLiteral(minimal));
                System.out.println(text);
                if (known == null) {
                    unexpected.add(text.toString());
                }
            }
            assertThat(unexpected).as("defects found (seed %d): fix them, or list them in KNOWN_DEFECTS", SEED).isEmpty();
        }

        private static String knownDefect(String signature) {
            for (Map.Entry<String, String> e : KNOWN_DEFECTS.entrySet()) {
                if (signature.startsWith(e.getKey())) {
                    return e.getValue();
                }
            }
            return null;
        }

        private static String shortLiteral(List<byte[]> lines) {
            StringBuilder s = new StringBuilder();
            for (byte[] line : lines.subList(0, Math.min(6, lines.size()))) {
                String l = literal(line);
                s.append("\n    ").append(l.length() > 600 ? l.substring(0, 600) + "…(" + line.length + " bytes)" : l);
            }
            return lines.size() > 6 ? s.append("\n    … ").append(lines.size() - 6).append(" more").toString() : s.toString();
        }

        /** Fewer lines, then fewer bytes (chunks, then single bytes), while the same signature shows. */
        private List<byte[]> minimize(Seen seen) {
            List<byte[]> best = new ArrayList<>(seen.input);
            if (best.size() > 12 || best.stream().mapToInt(l -> l.length).sum() > 64 * 1024) {
                return best; // too large to reduce within the run's bound
            }
            int budget = 600;
            for (int i = 0; i < best.size() && best.size() > 1 && budget > 0; ) {
                List<byte[]> fewer = new ArrayList<>(best);
                fewer.remove(i);
                budget--;
                if (shows(seen.signature, fewer)) {
                    best = fewer;
                } else {
                    i++;
                }
            }
            for (int li = 0; li < best.size(); li++) {
                byte[] line = best.get(li);
                for (int chunk = Math.max(1, line.length / 2); chunk >= 1 && budget > 0; chunk /= 2) {
                    for (int at = 0; at + chunk <= line.length && budget > 0; ) {
                        byte[] shorter = new byte[line.length - chunk];
                        System.arraycopy(line, 0, shorter, 0, at);
                        System.arraycopy(line, at + chunk, shorter, at, line.length - at - chunk);
                        List<byte[]> tryLines = new ArrayList<>(best);
                        tryLines.set(li, shorter);
                        budget--;
                        if (shows(seen.signature, tryLines)) {
                            line = shorter;
                            best = tryLines;
                        } else {
                            at += chunk;
                        }
                    }
                }
            }
            return best;
        }

        private boolean shows(String signature, List<byte[]> lines) {
            return run(lines).stream().anyMatch(f -> f.signature.equals(signature));
        }
    }

    /** The first stack frame in main code (io.auditalert, not this test), else the first frame. */
    static String mainFrame(Throwable e) {
        for (StackTraceElement f : e.getStackTrace()) {
            if (f.getClassName().startsWith("io.auditalert.") && !f.getClassName().startsWith(MalformedInputTest.class.getName())) {
                return f.getClassName() + "." + f.getMethodName();
            }
        }
        StackTraceElement[] st = e.getStackTrace();
        return st.length == 0 ? "?" : st[0].toString();
    }

    // ---- JSON ----

    /** Null when the bytes are one strict JSON value in valid UTF-8, else what is wrong. */
    static String jsonProblem(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return "not UTF-8: " + e;
        }
        try {
            Json.parse(text);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }
}

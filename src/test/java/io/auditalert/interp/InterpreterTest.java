package io.auditalert.interp;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.assemble.AuditEvent;
import io.auditalert.assemble.EventAssembler;
import io.auditalert.metrics.PipelineStats;
import io.auditalert.parse.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What libauparse 3.0.9 answers for typical fields, as worked examples (InterpreterParityTest checks all). */
class InterpreterTest {

    /** Interprets every raw field of the single record of one line: name -> interpretation. */
    private static Map<String, String> interpret(String line) {
        return interpret(new Interpreter(), line);
    }

    /** The same with an interpreter that may have seen other records (its caches filled). */
    private static Map<String, String> interpret(Interpreter interpreter, String line) {
        Map<String, String> result = new LinkedHashMap<>();
        ByteBuf out = new ByteBuf(64);
        EventAssembler[] holder = new EventAssembler[1];
        EventAssembler assembler = new EventAssembler(new EventAssembler.Settings(), new PipelineStats(), ev -> {
            collect(ev, interpreter, out, result);
            holder[0].recycle(ev);
        });
        holder[0] = assembler;
        byte[] b = line.getBytes(StandardCharsets.ISO_8859_1);
        assembler.onLine(b, 0, b.length, 0L);
        assembler.finish();
        return result;
    }

    private static void collect(AuditEvent ev, Interpreter interpreter, ByteBuf out, Map<String, String> result) {
        for (int r = 0; r < ev.recordCount(); r++) {
            for (int f = ev.firstField(r); f < ev.endField(r); f++) {
                out.clear();
                interpreter.interpret(ev, r, f, out);
                result.putIfAbsent(ev.nameString(f), out.toUtf8String());
            }
        }
    }

    @Test
    void shouldNameArchSyscallErrnoAndOpenatArguments() {
        Map<String, String> i = interpret("type=SYSCALL msg=audit(1700000000.123:42): arch=c000003e syscall=257"
                + " success=no exit=-13 a0=ffffff9c a1=7ffd1234 a2=80000 a3=0 items=1 ppid=1 pid=2"
                + " auid=4294967295 uid=0 gid=0 ses=4294967295 comm=\"cat\" exe=\"/usr/bin/cat\" key=(null)");
        assertThat(i).containsEntry("arch", "x86_64").containsEntry("syscall", "openat")
                .containsEntry("exit", "EACCES(Permission denied)").containsEntry("a0", "AT_FDCWD")
                .containsEntry("a1", "0x7ffd1234").containsEntry("a2", "O_RDONLY|O_CLOEXEC")
                .containsEntry("auid", "unset").containsEntry("uid", "root").containsEntry("ses", "unset")
                .containsEntry("comm", "cat").containsEntry("key", "(null)").containsEntry("pid", "2");
    }

    @Test
    void shouldNotCarryATypeOverToAnotherNameAtTheSamePositionOfARecordType() {
        Interpreter interpreter = new Interpreter();
        assertThat(interpret(interpreter, "type=SYSCALL msg=audit(1.000:1): uid=0 a0=3 exit=-13"))
                .containsEntry("uid", "root").containsEntry("a0", "0x3").containsEntry("exit", "EACCES(Permission denied)");
        // the same names in another order, then the first order again, then another record type
        assertThat(interpret(interpreter, "type=SYSCALL msg=audit(1.000:2): a0=0 exit=-13 uid=0"))
                .containsEntry("a0", "0x0").containsEntry("exit", "EACCES(Permission denied)").containsEntry("uid", "root");
        assertThat(interpret(interpreter, "type=SYSCALL msg=audit(1.000:3): uid=0 a0=3 exit=-13"))
                .containsEntry("uid", "root").containsEntry("a0", "0x3").containsEntry("exit", "EACCES(Permission denied)");
        assertThat(interpret(interpreter, "type=PATH msg=audit(1.000:4): uid=0 mode=0100644 exit=-13"))
                .containsEntry("uid", "root").containsEntry("mode", "file,644").containsEntry("exit", "EACCES(Permission denied)");
    }

    @Test
    void shouldInterpretEveryArgumentOfALongExecveRecord() {
        StringBuilder line = new StringBuilder("type=EXECVE msg=audit(1.000:1): argc=90");
        for (int i = 0; i < 90; i++) {
            line.append(" a").append(i).append(i % 2 == 0 ? "=\"x\"" : "=79");
        }
        Interpreter interpreter = new Interpreter();
        for (int round = 0; round < 2; round++) {
            Map<String, String> i = interpret(interpreter, line.toString());
            assertThat(i).hasSize(91).containsEntry("a0", "x").containsEntry("a1", "y").containsEntry("a88", "x")
                    .containsEntry("a89", "y");
        }
    }

    @Test
    void shouldUseTheSyscallTableOfTheRecordsArch() {
        assertThat(interpret("type=SYSCALL msg=audit(1.000:1): arch=40000003 syscall=11 success=yes exit=0"))
                .containsEntry("arch", "i386").containsEntry("syscall", "execve");
        assertThat(interpret("type=SYSCALL msg=audit(1.000:1): arch=c00000b7 syscall=221 success=yes exit=0"))
                .containsEntry("arch", "aarch64").containsEntry("syscall", "execve");
        assertThat(interpret("type=SYSCALL msg=audit(1.000:1): arch=40000003 syscall=102 success=yes exit=0 a0=3"))
                .containsEntry("syscall", "socketcall(connect)");
    }

    @Test
    void shouldPreferTheEnrichedNamesAndDecodeThemOnlyForUidAndGidFields() {
        Map<String, String> i = interpret("type=SYSCALL msg=audit(1.000:1): arch=c000003e syscall=59 auid=1000"
                + " uid=0 comm=\"id\"\u001dARCH=x86_64 SYSCALL=execve AUID=\"alice\" UID=726F6F74 COMM=zz");
        assertThat(i).containsEntry("auid", "alice").containsEntry("uid", "root").containsEntry("comm", "zz");
    }

    @Test
    void shouldDecodeHexStringsAndEscapeControlBytesAsOctal() {
        assertThat(interpret("type=EXECVE msg=audit(1.000:1): argc=2 a0=\"ls\" a1=2D6C0A61"))
                .containsEntry("a0", "ls").containsEntry("a1", "-l\\012a");
        assertThat(interpret("type=PROCTITLE msg=audit(1.000:1): proctitle=636174002F6574632F736861646F77"))
                .containsEntry("proctitle", "cat /etc/shadow");
    }

    @Test
    void shouldPrintSocketAddressesModesAndPermissions() {
        assertThat(interpret("type=SOCKADDR msg=audit(1.000:1): saddr=02000050CB0071500000000000000000"))
                .containsEntry("saddr", "{ saddr_fam=inet laddr=203.0.113.80 lport=80 }");
        assertThat(interpret("type=SOCKADDR msg=audit(1.000:1): saddr="
                + "0A0000500000000020010DB8000000000000000000000001000000000000"))
                .containsEntry("saddr", "{ saddr_fam=inet6 laddr=2001:db8::1 lport=80 }");
        assertThat(interpret("type=PATH msg=audit(1.000:1): item=0 name=\"/x\" mode=0104755 ouid=0"))
                .containsEntry("mode", "file,suid,755").containsEntry("ouid", "root");
        assertThat(interpret("type=CONFIG_CHANGE msg=audit(1.000:1): auid=0 ses=1 op=add_rule perm=6 list=4 res=1"))
                .containsEntry("perm", "read,write").containsEntry("list", "exit").containsEntry("res", "yes");
    }
}

package io.auditalert.assemble;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EventAssemblerTest {
    private static final String SYSCALL_10 =
            "type=SYSCALL msg=audit(1700000000.123:10): arch=c000003e syscall=59 success=yes exit=0 key=\"k\"";
    private static final String PROCTITLE_10 = "type=PROCTITLE msg=audit(1700000000.123:10): proctitle=6C73";
    private static final String EOE_10 = "type=EOE msg=audit(1700000000.123:10): ";

    @Test
    void shouldCompleteEventOnEoe() {
        Feed feed = new Feed().line(SYSCALL_10).line("type=CWD msg=audit(1700000000.123:10): cwd=\"/\"");
        assertThat(feed.events).isEmpty();
        feed.line("type=EOE msg=audit(1700000000.123:10):");
        assertThat(feed.events).hasSize(1);
        assertThat(feed.events.get(0)).contains("\"type\":\"SYSCALL\"", "\"type\":\"CWD\"", "\"type\":\"EOE\"");
        assertThat(feed.stats.completedByEoe).isEqualTo(1);
    }

    @Test
    void shouldCompleteAtProctitleAndSwallowTheLateEoe() {
        Feed feed = new Feed().line(SYSCALL_10).line(PROCTITLE_10);
        assertThat(feed.events).hasSize(1);
        feed.line(EOE_10).finish();
        assertThat(feed.events).hasSize(1);
        assertThat(feed.events.get(0)).doesNotContain("EOE");
        assertThat(feed.stats.eoeSwallowed).isEqualTo(1);
    }

    @Test
    void shouldCountEventsThatArriveWithoutTheirSyscallRecord() {
        // auditd's dispatcher drops single records when its queue to the plugins is full: an event came as
        // CWD, PATH, PROCTITLE with its SYSCALL gone, and no serial was missing
        Feed feed = new Feed()
                .line("type=CWD msg=audit(1700000000.200:11): cwd=\"/\"")
                .line("type=PATH msg=audit(1700000000.200:11): item=0 name=\"/etc/shadow\" nametype=NORMAL")
                .line("type=PROCTITLE msg=audit(1700000000.200:11): proctitle=636174")
                .line("type=EOE msg=audit(1700000000.200:11): ")
                .line(SYSCALL_10).line("type=CWD msg=audit(1700000000.123:10): cwd=\"/\"").line(EOE_10)
                .line("type=USER_AUTH msg=audit(1700000000.300:12): pid=1 uid=0 auid=0 ses=1 msg='op=PAM:authentication"
                        + " acct=\"root\" exe=\"/usr/bin/su\" res=failed'")
                .finish();
        assertThat(feed.events).hasSize(3);
        assertThat(feed.stats.eventsWithoutSyscall).as("the first only").isEqualTo(1);
    }

    @Test
    void shouldKeepInterleavedEventsApart() {
        Feed feed = new Feed()
                .line("type=SYSCALL msg=audit(1700000000.100:100): arch=c000003e syscall=2 key=(null)")
                .line("type=SYSCALL msg=audit(1700000000.101:101): arch=c000003e syscall=59 key=(null)")
                .line("type=CWD msg=audit(1700000000.100:100): cwd=\"/a\"")
                .line("type=EOE msg=audit(1700000000.101:101): ")
                .line("type=PATH msg=audit(1700000000.100:100): item=0 name=\"/etc\"")
                .line("type=PROCTITLE msg=audit(1700000000.100:100): proctitle=6C73");
        assertThat(feed.events).hasSize(2);
        assertThat(feed.events.get(0)).contains("\"serial\":101", "\"syscall\":\"59\"").doesNotContain("CWD");
        assertThat(feed.events.get(1)).contains("\"serial\":100", "\"cwd\":\"/a\"", "\"name\":\"/etc\"");
    }

    @Test
    void shouldSeparateTheSameSerialOnDifferentNodes() {
        Feed feed = new Feed()
                .line("node=web01 type=SYSCALL msg=audit(1700000000.100:7): arch=c000003e syscall=2")
                .line("node=web02 type=SYSCALL msg=audit(1700000000.100:7): arch=c000003e syscall=3")
                .line("node=web01 type=EOE msg=audit(1700000000.100:7): ")
                .line("node=web02 type=EOE msg=audit(1700000000.100:7): ");
        assertThat(feed.events).hasSize(2);
        assertThat(feed.events.get(0)).contains("\"node\":\"web01\"", "\"syscall\":\"2\"");
        assertThat(feed.events.get(1)).contains("\"node\":\"web02\"", "\"syscall\":\"3\"");
    }

    @Test
    void shouldNotEndAnEventAtLoginAsAuditUserspace4Does() {
        Feed feed = new Feed()
                .line("type=LOGIN msg=audit(1700000001.000:200): pid=1 uid=0 old-auid=4294967295 auid=0 tty=(none) old-ses=4294967295 ses=1 res=1")
                .line("type=SYSCALL msg=audit(1700000001.000:200): arch=c000003e syscall=1 success=yes exit=1")
                .line("type=PROCTITLE msg=audit(1700000001.000:200): proctitle=\"login\"");
        assertThat(feed.events).hasSize(1);
        assertThat(feed.events.get(0)).contains("LOGIN", "SYSCALL", "PROCTITLE");
    }

    @Test
    void shouldEndUserspaceRecordsAtOnce() {
        Feed feed = new Feed().line("type=USER_AUTH msg=audit(1700000004.000:14): pid=5864 uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:authentication acct=\"nobody\" exe=\"/usr/bin/su\" res=success'");
        assertThat(feed.events).hasSize(1);
        assertThat(feed.events.get(0)).contains("\"op\":\"PAM:authentication\"", "\"acct\":\"nobody\"", "\"res\":\"success\"");
    }

    @Test
    void shouldTimeOutByRecordTimestampsInReplay() {
        Feed feed = new Feed()
                .line("type=ANOM_ABEND msg=audit(1700000000.000:1): auid=0 pid=1 sig=11")
                .line("type=SYSCALL msg=audit(1700000001.500:2): arch=c000003e syscall=2");
        assertThat(feed.events).isEmpty();
        feed.line("type=SYSCALL msg=audit(1700000002.000:3): arch=c000003e syscall=2");
        assertThat(feed.events).hasSize(1);
        assertThat(feed.events.get(0)).contains("ANOM_ABEND");
        assertThat(feed.stats.completedByTimeout).isEqualTo(1);
        feed.finish();
        assertThat(feed.events).hasSize(3);
        assertThat(feed.stats.completedAtEnd).isEqualTo(2);
    }

    @Test
    void shouldTimeOutIdleEventsByWallClockInLiveMode() {
        EventAssembler.Settings settings = new EventAssembler.Settings();
        settings.wallClock = true;
        Feed feed = new Feed(settings).line("type=SYSCALL msg=audit(1700000000.000:1): arch=c000003e syscall=2", 1_000_000_000L);
        feed.assembler.tick(2_500_000_000L);
        assertThat(feed.events).isEmpty();
        feed.assembler.tick(3_000_000_000L);
        assertThat(feed.events).hasSize(1);
    }

    @Test
    void shouldBoundInflightEventsByFlushingTheOldest() {
        EventAssembler.Settings settings = new EventAssembler.Settings();
        settings.maxInflight = 100;
        Feed feed = new Feed(settings);
        for (int serial = 1; serial <= 1_000_000; serial++) {
            feed.line("type=SYSCALL msg=audit(1700000000.000:" + serial + "): syscall=2");
            if (feed.events.size() > 1000) {
                feed.events.clear();
            }
        }
        assertThat(feed.assembler.inflight()).isEqualTo(100);
        assertThat(feed.stats.evictedInflight).isEqualTo(1_000_000 - 100);
        assertThat(feed.assembler.slotsAllocated()).isLessThan(200);
    }

    @Test
    void shouldTruncateAnEventPastItsByteCap() {
        EventAssembler.Settings settings = new EventAssembler.Settings();
        settings.maxBytesPerEvent = 4096;
        Feed feed = new Feed(settings).line(SYSCALL_10);
        String chunk = "type=EXECVE msg=audit(1700000000.123:10): a1[0]=" + "41".repeat(1000);
        for (int i = 0; i < 10; i++) {
            feed.line(chunk);
        }
        feed.line(PROCTITLE_10);
        feed.finish();
        assertThat(feed.events).hasSize(1);
        assertThat(feed.events.get(0)).contains("\"truncated\":true");
        assertThat(feed.stats.truncatedEvents).isEqualTo(1);
    }

    @Test
    void shouldCountAnEventTruncatedAtItsRecordCap() {
        // found by MalformedInputTest: the record cap marked the event truncated itself, so the
        // assembler never counted it in assembly_truncated
        EventAssembler.Settings settings = new EventAssembler.Settings();
        settings.maxRecordsPerEvent = 2;
        Feed feed = new Feed(settings);
        for (int i = 0; i < 3; i++) {
            feed.line("type=PATH msg=audit(1700000000.100:9): item=" + i + " name=\"/x\"");
        }
        feed.finish();
        assertThat(feed.events).hasSize(1);
        assertThat(feed.events.get(0)).contains("\"truncated\":true").contains("\"item\":\"1\"").doesNotContain("\"item\":\"2\"");
        assertThat(feed.stats.truncatedEvents).isEqualTo(1);
    }

    @Test
    void shouldCountLinesWithoutAStampAndGoOn() {
        Feed feed = new Feed()
                .line("Oct 10 12:00:00 host kernel: nothing here")
                .line("type=SYSCALL msg=audit(17000x0000.000:1): syscall=2")
                .line("")
                .line(SYSCALL_10)
                .line(PROCTITLE_10);
        assertThat(feed.events).hasSize(1);
        assertThat(feed.stats.parseErrorsTotal()).isEqualTo(3);
    }

    @Test
    void shouldHandleSerialRolloverAsNewEvents() {
        Feed feed = new Feed()
                .line("type=SYSCALL msg=audit(1700000000.000:4294967295): syscall=2")
                .line("type=SYSCALL msg=audit(1700000000.001:0): syscall=3")
                .line("type=EOE msg=audit(1700000000.000:4294967295): ")
                .line("type=EOE msg=audit(1700000000.001:0): ");
        assertThat(feed.events).hasSize(2);
        assertThat(feed.events.get(0)).contains("\"serial\":4294967295");
        assertThat(feed.events.get(1)).contains("\"serial\":0");
    }

    @Test
    void shouldTimeOutEveryStaleEventNotOnlyTheFirstOpened() {
        // opened first but newer: it must not shield the older event opened after it
        Feed feed = new Feed()
                .line("type=AVC msg=audit(1166111074.000:5): avc:  denied  { read } for  pid=1")
                .line("type=SYSCALL msg=audit(1166023000.000:852): arch=40000003 syscall=5")
                .line("type=SYSCALL msg=audit(1166023021.000:853): arch=40000003 syscall=5");
        assertThat(feed.events).hasSize(1);
        assertThat(feed.events.get(0)).contains("\"serial\":852");
        assertThat(feed.stats.completedByTimeout).isEqualTo(1);
    }

    @Test
    void shouldCountLinesWhoseTypeTokenIsNotTypeAsMalformed() {
        Feed feed = new Feed().line("{\"TenantId\":\"x\",\"SyslogMessage\":\"type=AUOMS_EXECVE audit(1652292020.000:1): a=b");
        feed.finish();
        assertThat(feed.events).isEmpty();
        assertThat(feed.stats.parseErrors[io.auditalert.parse.RecordHeader.NO_TYPE]).isEqualTo(1);
    }

    @Test
    void shouldCountTheSeparatorsOfAusearchOutputApartFromMalformedLines() {
        // `ausearch --input audit.log` prints each event after "----" and "time->DATE"
        Feed feed = new Feed()
                .line("----")
                .line("time->Tue Nov 10 08:19:44 2020")
                .line(SYSCALL_10)
                .line(PROCTITLE_10)
                .line("-----")
                .line("time-")
                .line("----x");
        feed.finish();
        assertThat(feed.events).hasSize(1);
        assertThat(feed.stats.ausearchSeparators).isEqualTo(2);
        assertThat(feed.stats.parseErrors[io.auditalert.parse.RecordHeader.NO_TYPE]).isEqualTo(3);
    }
}

package io.auditalert.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.assemble.AuditEvent;
import io.auditalert.metrics.Telemetry;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every bundled default rule (src/main/resources/defaults/rules.d) on real records: one event that
 * fires it and one that must not. Events come from the capture described in
 * src/test/resources/rules/README.md, made with the auditd rules the product ships (same keys), and
 * from ../shared/corpus where named.
 */
class DefaultRulesTest {
    static final List<AuditEvent> CAPTURE = TestEvents.resource("/rules/capture-workload.log");
    static final List<AuditEvent> AUDITCTL_DELETE = TestEvents.resource("/rules/capture-auditctl-delete.log");
    static final List<AuditEvent> CAPTURE2 = TestEvents.resource("/rules/capture-workload-2.log");

    /**
     * elastic_go-libaudit/aucoalesce__testdata__ubuntu-16.10-linux-4.8.0.yaml.extracted.log: the kernel
     * moved the watch on /etc/gshadow to the file that replaced it (every passwd or useradd does this).
     */
    static final AuditEvent WATCH_MOVED = TestEvents.one("type=CONFIG_CHANGE msg=audit(1492743664.836:8068): "
            + "auid=1001 ses=6 op=\"updated_rules\" path=\"/etc/gshadow\" key=\"auth\" list=4 res=1");

    /** SELinuxProject_selinux/python__sepolgen__tests__test_data__audit.log: auditd switched auditing on. */
    static final AuditEvent AUDITING_ENABLED = TestEvents.one("type=CONFIG_CHANGE msg=audit(1162905957.979:51): "
            + "audit_enabled=1 old=0 by auid=4294967295 subj=system_u:system_r:auditd_t:s0");

    /** wazuh_wazuh/ruleset__testing__tests__auditd.ini.extracted.log: auditd stopped on an error. */
    static final AuditEvent DAEMON_ABORT = TestEvents.one("type=DAEMON_ABORT msg=audit(1339336882.189:9206): "
            + "auditd error halt, auid=4294967295 pid=3095 res=failed");

    /** elastic_go-libaudit/auparse__testdata__audit-rhel7.log: auditd started. */
    static final AuditEvent DAEMON_START = TestEvents.one("type=DAEMON_START msg=audit(1481076983.819:7798): "
            + "auditd start, ver=2.4.1 format=raw kernel=3.10.0-327.36.3.el7.x86_64 auid=4294967295 pid=251 "
            + "subj=system_u:system_r:auditd_t:s0 res=success");

    /** elastic_go-libaudit/auparse__testdata__audit-rhel7.log, serial 17: modprobe loads a module (finit_module). */
    static final AuditEvent MODULE_LOAD = TestEvents.one(
            "type=SYSCALL msg=audit(1481076984.827:17): arch=c000003e syscall=313 success=yes exit=0 a0=0 a1=41a15c "
                    + "a2=0 a3=0 items=0 ppid=390 pid=391 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 "
                    + "sgid=0 fsgid=0 tty=(none) ses=4294967295 comm=\"modprobe\" exe=\"/usr/bin/kmod\" "
                    + "subj=system_u:system_r:insmod_t:s0 key=(null)",
            "type=NETFILTER_CFG msg=audit(1481076984.827:17): table=filter family=2 entries=0");

    static RuleSet defaults;
    static Telemetry telemetry;

    static List<Path> defaultFiles() throws URISyntaxException, IOException {
        Path dir = Path.of(DefaultRulesTest.class.getResource("/defaults/rules.d").toURI());
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
        }
    }

    @BeforeAll
    static void loadDefaults() throws Exception {
        telemetry = new Telemetry();
        RuleLoader.Result r = RuleLoader.load(defaultFiles(), new FakeNames(), telemetry);
        assertThat(r.errors()).as("default rules load").isEmpty();
        assertThat(r.warnings()).isEmpty();
        defaults = r.ruleSet();
    }

    static List<String> fired(AuditEvent ev) {
        List<String> hits = new ArrayList<>();
        defaults.evaluate(ev, new EvalScratch(), (rule, e) -> hits.add(rule.name()));
        return hits;
    }

    static AuditEvent capture(long serial) {
        return TestEvents.serial(CAPTURE, serial);
    }

    /** The serials each default rule alerts on, over the events in order. */
    static Map<String, TreeSet<Long>> alertsByRule(List<AuditEvent> events) {
        Map<String, TreeSet<Long>> byRule = new TreeMap<>();
        EvalScratch s = new EvalScratch();
        for (AuditEvent ev : events) {
            defaults.evaluate(ev, s, (rule, e) -> byRule.computeIfAbsent(rule.name(), k -> new TreeSet<>()).add(e.serial()));
        }
        return byRule;
    }

    static AuditEvent capture2(long serial) {
        return TestEvents.serial(CAPTURE2, serial);
    }

    /**
     * constructed-formats.log (see src/test/resources/rules/README.md): events in the formats of real
     * records, for what this machine cannot run (a 32-bit program, dnf, systemd 255's executor).
     */
    static final List<AuditEvent> CONSTRUCTED = TestEvents.resource("/rules/constructed-formats.log");

    static AuditEvent constructed(long serial) {
        return TestEvents.serial(CONSTRUCTED, serial);
    }

    /** capture-detections-2.log (see src/test/resources/rules/README.md): a real capture of the rules added on 2026-11-29. */
    static final List<AuditEvent> DETECTIONS_2 = TestEvents.resource("/rules/capture-detections-2.log");

    static AuditEvent detections2(long serial) {
        return TestEvents.serial(DETECTIONS_2, serial);
    }

    @Test
    void shouldAlertOnTheCapturedEventsOfTheRulesAddedLast() {
        // runuser -u www-data -- sh -c id (no login uid): the shell, not runuser itself
        assertThat(fired(detections2(1249338))).contains("web-server-user-ran-shell");
        assertThat(fired(detections2(1249330))).doesNotContain("web-server-user-ran-shell");
        // sh -c 'curl … | base64 -d | bash', bash -c 'bash <(curl …)'; not sh -c 'curl … | grep -c ok | tee …'
        assertThat(fired(detections2(1249350))).contains("download-piped-to-shell");
        assertThat(fired(detections2(1249364))).contains("download-piped-to-shell");
        assertThat(fired(detections2(1249377))).doesNotContain("download-piped-to-shell");
        // nc connecting with no login uid, logged by the audit rules' new nc.openbsd line
        assertThat(fired(detections2(1249386))).contains("socket-relay-network-activity");
        // ip link set aa-veth0 promisc on
        assertThat(fired(detections2(1249392))).contains("interface-promiscuous");
        // a file written and removed in /etc/rsyslog.d
        assertThat(fired(detections2(1249488))).contains("logging-config-modified");
        assertThat(fired(detections2(1249490))).contains("logging-config-modified");
        // os.mknod("/tmp/aa-mknod-suid", 0o104755)
        assertThat(fired(detections2(1249492))).contains("setuid-setgid-bit-set");
    }

    /** capture-cron.log (see src/test/resources/rules/README.md): cron installed after the rules, crontab, purge. */
    static final List<AuditEvent> CRON = TestEvents.resource("/rules/capture-cron.log");

    @Test
    void shouldSeeACrontabWrittenInASpoolMadeAfterTheRulesWereLoaded() {
        // the watch on /var/spool/cron missed crontabs/ created later: crontab's own calls are logged now
        assertThat(fired(TestEvents.serial(CRON, 1252989))).contains("persistence-file-modified"); // crontab -
        assertThat(fired(TestEvents.serial(CRON, 1252991))).contains("persistence-file-modified"); // crontab -r
        assertThat(fired(TestEvents.serial(CRON, 1252986))).doesNotContain("persistence-file-modified"); // crontab -l
        // the package's preset of its unit (deb-systemd-helper's systemctl with options) is no alert
        for (long serial : new long[] {1252920, 1252921}) {
            assertThat(fired(TestEvents.serial(CRON, serial))).as("serial %d", serial)
                    .doesNotContain("persistence-file-modified");
        }
        // auditctl -l -k persistence lists rules: excepted
        long exceptedBefore = defaults.rule("audit-tool-executed").stats().excepted.sum();
        assertThat(fired(TestEvents.serial(CRON, 1252992))).doesNotContain("audit-tool-executed");
        assertThat(defaults.rule("audit-tool-executed").stats().excepted.sum()).isEqualTo(exceptedBefore + 1);
    }

    /** The machine's own audit.log, a soak on 2026-11-29 (ENRICHED tail left out): adduser's gpasswd. */
    static final AuditEvent GROUP_MEMBERS_SET = TestEvents.one("type=USER_ACCT msg=audit(1795988107.436:1250157): "
            + "pid=20769 uid=0 auid=0 ses=38 msg='op=members of group users set by root to aah15 acct=\"users\" "
            + "exe=\"/usr/bin/gpasswd\" hostname=? addr=? terminal=? res=success'");
    /** elastic_go-libaudit/auparse__testdata__audit-rhel7.log: sshd's PAM account check. */
    static final AuditEvent PAM_ACCOUNT_CHECK = TestEvents.one(
            "type=USER_ACCT msg=audit(1481077043.052:410): pid=1298 uid=0 auid=4294967295 ses=4294967295 subj=sys"
            + "tem_u:system_r:sshd_t:s0-s0:c0.c1023 msg='op=PAM:accounting grantors=pam_unix,pam_localuser acct=\"a"
            + "ndrew_kroh\" exe=\"/usr/sbin/sshd\" hostname=pool-96-241-146-97.washdc.fios.verizon.net addr=96.241."
            + "146.97 terminal=ssh res=success'");

    @Test
    void shouldAlertOnGroupMembersSetByGpasswdButNotOnPamAccountChecks() {
        assertThat(fired(GROUP_MEMBERS_SET)).contains("account-changed");
        assertThat(fired(PAM_ACCOUNT_CHECK)).doesNotContain("account-changed");
    }

    @Test
    void shouldAlertOnEachCapturedAccountChange() {
        // groupadd, useradd, usermod -aG adm, usermod -aG aa-grp, userdel, groupdel
        for (long serial : new long[] {1249400, 1249411, 1249428, 1249442, 1249455, 1249482}) {
            assertThat(fired(detections2(serial))).as("serial %d", serial).contains("account-changed");
        }
        // Debian's usermod logs USER_CHAUTHTOK without the group's name: two runs, two throttle keys
        CompiledRule rule = defaults.rule("account-changed");
        assertThat(throttleKey(rule, detections2(1249428))).isNotEqualTo(throttleKey(rule, detections2(1249442)));
    }

    @Test
    void shouldSeeA32BitProgramConnectThroughSocketcall() {
        // i386 socketcall(SYS_CONNECT) by bash: how 32-bit reverse-shell payloads connect; it was missed
        assertThat(fired(constructed(2001))).contains("shell-network-activity");
        assertThat(fired(constructed(2002))).contains("shell-network-activity"); // i386 connect (362)
        assertThat(fired(constructed(2003))).doesNotContain("shell-network-activity"); // socketcall(SYS_SOCKET)
    }

    @Test
    void shouldSeeADownloadReachAShellThroughOtherCommandsAndProcessSubstitution() {
        // web shell one-liners (argv hex-encoded, as the kernel writes them): only `curl … | sh` was seen
        for (long serial : new long[] {101, 102, 104, 105, 106}) {
            // curl | base64 -d | bash, bash <(curl …), wget | tee f | sh, curl | env bash, curl | ruby
            assertThat(fired(constructed(serial))).as("serial %d", serial).contains("download-piped-to-shell");
        }
        assertThat(fired(constructed(108))).doesNotContain("download-piped-to-shell"); // curl | grep | tee: no shell
    }

    @Test
    void shouldAlertOnAJarRunFromAWorldWritableDirectory() {
        assertThat(fired(constructed(7101))).contains("exec-from-world-writable-dir"); // java -jar /tmp/aa.jar
        assertThat(fired(constructed(7102))).doesNotContain("exec-from-world-writable-dir"); // java -jar /opt/app/app.jar
    }

    @Test
    void shouldNotAlertOnFilesDnfInstallsButOnAnotherPythonScriptsWrite() {
        // dnf is a Python script: exe is the interpreter, so the package-manager exception missed it
        assertThat(fired(constructed(6001))).doesNotContain("binary-dir-modified");
        assertThat(fired(constructed(6002))).doesNotContain("binary-dir-modified");
        assertThat(fired(constructed(6003))).contains("binary-dir-modified"); // python3 /tmp/drop.py
        // -X takes the next word: `python3 -X /usr/bin/dnf -c CODE` runs CODE, not dnf
        assertThat(fired(constructed(6004))).contains("binary-dir-modified");
        assertThat(fired(constructed(6005))).doesNotContain("binary-dir-modified"); // python3 -s /bin/dnf install
    }

    @Test
    void shouldNotAlertOnPackagesSettingUpPamAndUnitPresets() {
        assertThat(fired(constructed(201))).doesNotContain("persistence-file-modified"); // pam-auth-update --package
        assertThat(fired(constructed(202))).doesNotContain("persistence-file-modified"); // systemctl --no-reload preset
        assertThat(fired(capture(16632))).contains("binary-dir-modified"); // a hand-made change still alerts
    }

    @Test
    void shouldNotAlertOnShadowReadsOfLoginAndAccountTools() {
        for (long serial : new long[] {9001, 9002, 9003}) { // systemd-executor (systemd 255+), chsh, atd
            assertThat(fired(constructed(serial))).as("serial %d", serial).doesNotContain("sensitive-file-read");
        }
    }

    @Test
    void shouldShipAuditRulesForWebShellRelaysAnd32BitSockets() throws IOException {
        // the rules alert on an nc connect with no login uid (a web shell's reverse shell), but the audit
        // rules logged connects without one for bash and dash only
        assertThat(fired(constructed(401))).contains("socket-relay-network-activity");
        List<String> audit = Files.readAllLines(Path.of("packaging/audit-rules/auditalert.rules"));
        for (String exe : List.of("/usr/bin/nc.openbsd", "/usr/bin/nc.traditional", "/usr/bin/ncat", "/usr/bin/socat")) {
            assertThat(audit).as(exe).contains("-a always,exit -F arch=b64 -S connect -F auid=unset -F exe=" + exe
                    + " -k network_connect");
        }
        assertThat(audit).contains("-a always,exit -F arch=b32 -S socketcall -F a0=3 -F auid!=unset -k network_connect",
                "-a always,exit -F arch=b32 -S socketcall -F a0=2 -F auid!=unset -k network_bind");
    }

    /** elastic_beats/filebeat__module__auditd__log__test__useradd.log: groupadd, then useradd, then passwd. */
    static final AuditEvent GROUP_ADDED = TestEvents.one("type=ADD_GROUP msg=audit(1610903553.686:584): pid=2940 uid=0 "
            + "auid=1000 ses=14 msg='op=adding group to /etc/group id=1004 exe=\"/usr/sbin/groupadd\" "
            + "hostname=ubuntu-bionic addr=127.0.0.1 terminal=pts/2 res=success'");
    static final AuditEvent USER_ADDED = TestEvents.one("type=ADD_USER msg=audit(1610903553.730:591): pid=2945 uid=0 "
            + "auid=1000 ses=14 msg='op=adding user id=1004 exe=\"/usr/sbin/useradd\" hostname=ubuntu-bionic "
            + "addr=127.0.0.1 terminal=pts/2 res=success'");
    static final AuditEvent PASSWORD_CHANGED = TestEvents.one("type=USER_CHAUTHTOK msg=audit(1610903558.174:594): "
            + "pid=2953 uid=0 auid=1000 ses=14 msg='op=PAM:chauthtok acct=\"charlie\" exe=\"/usr/bin/passwd\" "
            + "hostname=ubuntu-bionic addr=127.0.0.1 terminal=pts/2 res=success'");
    /** hillu_linux-audit-parser-rs/src__testdata__line-del-user.txt (its ENRICHED tail left out). */
    static final AuditEvent USER_DELETED = TestEvents.one("type=DEL_USER msg=audit(1724970804.251:2682): pid=13860 "
            + "uid=0 auid=4294967295 ses=4294967295 msg='op=delete-user id=65534 exe=\"/usr/sbin/userdel\" "
            + "hostname=? addr=? terminal=? res=success'");

    @Test
    void shouldAlertOnAccountsAddedAndRemoved() {
        // the shadow tools log these whatever audit rules are loaded; no rule read them
        assertThat(fired(GROUP_ADDED)).contains("account-changed");
        assertThat(fired(USER_ADDED)).contains("account-changed");
        assertThat(fired(USER_DELETED)).contains("account-changed");
        assertThat(fired(PASSWORD_CHANGED)).doesNotContain("account-changed");
    }

    /** threathunters-io_laurel/src__testdata__record-anom-promiscuous.txt (ENRICHED tails left out): dockerd's veth. */
    static final AuditEvent BRIDGE_PROMISCUOUS = TestEvents.one(
            "type=ANOM_PROMISCUOUS msg=audit(1708689989.768:339749193): dev=veth5f40f62 prom=256 old_prom=0 "
                    + "auid=4294967295 uid=0 gid=0 ses=4294967295",
            "type=SYSCALL msg=audit(1708689989.768:339749193): arch=c000003e syscall=44 success=yes exit=40 a0=e "
                    + "a1=c002e50000 a2=28 a3=0 items=0 ppid=1 pid=13877 auid=4294967295 uid=0 gid=0 euid=0 suid=0 "
                    + "fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm=\"dockerd\" exe=\"/usr/bin/dockerd\" "
                    + "key=(null)");
    /** elastic_go-libaudit/aucoalesce__testdata__ubuntu-16.10-linux-4.8.0.yaml, serial 753: ens4 leaves it. */
    static final AuditEvent PROMISCUOUS_OFF = TestEvents.one("type=ANOM_PROMISCUOUS msg=audit(1492734742.981:753): "
            + "dev=ens4 prom=0 old_prom=256 auid=1001 uid=0 gid=0 ses=1");
    /** The same record as a sniffer starting on ens4 makes it (prom 256 from 0). */
    static final AuditEvent PROMISCUOUS_ON = TestEvents.one("type=ANOM_PROMISCUOUS msg=audit(1492734741.981:752): "
            + "dev=ens4 prom=256 old_prom=0 auid=1001 uid=0 gid=0 ses=1");

    @Test
    void shouldAlertOnAnInterfaceGoingPromiscuousButNotABridgeMember() {
        assertThat(fired(PROMISCUOUS_ON)).contains("interface-promiscuous");
        assertThat(fired(PROMISCUOUS_OFF)).doesNotContain("interface-promiscuous");
        assertThat(fired(BRIDGE_PROMISCUOUS)).doesNotContain("interface-promiscuous");
    }

    /** elastic_go-libaudit/auparse__testdata__audit-rhel7.log, serial 16: systemd stopped irqbalance. */
    static final String SERVICE_STOP = "type=SERVICE_STOP msg=audit(1481076984.534:16): pid=1 uid=0 auid=4294967295 "
            + "ses=4294967295 subj=system_u:system_r:init_t:s0 msg='unit=irqbalance comm=\"systemd\" "
            + "exe=\"/usr/lib/systemd/systemd\" hostname=? addr=? terminal=? res=success'";

    @Test
    void shouldAlertWhenTheFirewallServiceStops() {
        assertThat(fired(TestEvents.one(SERVICE_STOP.replace("unit=irqbalance", "unit=firewalld"))))
                .contains("firewall-service-stopped");
        assertThat(fired(TestEvents.one(SERVICE_STOP))).doesNotContain("firewall-service-stopped");
    }

    @Test
    void shouldAlertOnAShellOfTheWebServersUser() {
        assertThat(fired(constructed(101))).contains("web-server-user-ran-shell"); // sh -c … as www-data, no login
        assertThat(fired(capture(16630))).doesNotContain("web-server-user-ran-shell"); // ls by root
        assertThat(fired(constructed(2001))).doesNotContain("web-server-user-ran-shell"); // not an execve
    }

    @Test
    void shouldAlertOnASetuidFileMadeByMknod() {
        assertThat(fired(constructed(5003))).contains("setuid-setgid-bit-set"); // mknodat(…, S_IFREG|04755)
        assertThat(fired(constructed(5004))).doesNotContain("setuid-setgid-bit-set"); // S_IFREG|0755
    }

    @Test
    void shouldAlertOnTheLoggersConfigurationChangedButNotByAPackage() {
        assertThat(fired(constructed(301))).contains("logging-config-modified"); // vi /etc/rsyslog.d/…
        assertThat(fired(constructed(302))).doesNotContain("logging-config-modified"); // dpkg
    }

    @Test
    void shouldAlertOnWritesUnderBinaryDirectoriesButNotOnRunningABinary() {
        assertThat(fired(capture(16632))).contains("binary-dir-modified"); // cp /usr/bin/true /usr/bin/aa-test-bin
        assertThat(fired(capture(16640))).contains("binary-dir-modified"); // rm -f /usr/bin/aa-test-bin
        assertThat(fired(capture(16630))).doesNotContain("binary-dir-modified"); // /usr/bin/ls /
    }

    @Test
    void shouldAlertOnSetuidAndSetgidModesOnly() {
        assertThat(fired(capture(16634))).contains("setuid-setgid-bit-set"); // chmod 4755 /usr/bin/aa-test-bin
        assertThat(fired(capture(16638))).contains("setuid-setgid-bit-set"); // chmod 2755 /tmp/aa-true
        assertThat(fired(capture(16636))).doesNotContain("setuid-setgid-bit-set"); // chmod 0755
    }

    @Test
    void shouldNotAlertOnASetgidDirectory() {
        assertThat(fired(capture2(877237))).doesNotContain("setuid-setgid-bit-set"); // chmod 2775 /tmp/aa-shared
        assertThat(fired(capture2(877240))).contains("setuid-setgid-bit-set"); // chmod 4755 /tmp/aa-suid
    }

    @Test
    void shouldReportEveryExecutionAtInfoSeverityWithAThrottle() {
        assertThat(fired(capture(16630))).contains("process-executed"); // ls
        assertThat(fired(capture(16642))).doesNotContain("process-executed"); // openat of /etc/shadow
        CompiledRule rule = defaults.rule("process-executed");
        assertThat(rule.severity().label()).isEqualTo("info");
        assertThat(rule.throttled()).isTrue();
    }

    @Test
    void shouldAlertOnExecutionFromWorldWritableDirectories() {
        assertThat(fired(capture(16629))).contains("exec-from-world-writable-dir"); // /tmp/aa-true
        assertThat(fired(capture(16630))).doesNotContain("exec-from-world-writable-dir"); // /usr/bin/ls
    }

    @Test
    void shouldAlertOnFilesRunFromWorldWritableDirectoriesThroughShellsInterpretersAndTheLoader() {
        for (long serial : new long[] {877242, 877243, 877244, 877245, 877247, 877248}) {
            // bash /tmp/aa-one.sh, bash /tmp/aa-two.sh, (cd /tmp) bash aa-one.sh, bash ./aa-two.sh,
            // /usr/bin/python3 /tmp/aa-x.py, /lib64/ld-linux-x86-64.so.2 /tmp/aa-suid
            assertThat(fired(capture2(serial))).as("serial %d", serial).contains("exec-from-world-writable-dir");
        }
        assertThat(fired(capture2(877250))).contains("exec-from-world-writable-dir"); // exe=/memfd:aa (deleted)
        assertThat(fired(capture2(877246))).doesNotContain("exec-from-world-writable-dir"); // (cd /tmp) bash -c true
        assertThat(fired(capture2(877249))).doesNotContain("exec-from-world-writable-dir"); // python3 -c … in /
        // one shell running two scripts: two throttle keys, so the second script is not hidden
        CompiledRule rule = defaults.rule("exec-from-world-writable-dir");
        assertThat(throttleKey(rule, capture2(877242))).isNotEqualTo(throttleKey(rule, capture2(877243)));
        assertThat(throttleKey(rule, capture2(877242))).isEqualTo(throttleKey(rule, capture2(877242)));
    }

    /** capture-busybox-fchmodat2.log: busybox's shell, scripts named unusually, fchmodat2, two shell connects. */
    static final List<AuditEvent> BUSYBOX = TestEvents.resource("/rules/capture-busybox-fchmodat2.log");

    static AuditEvent busybox(long serial) {
        return TestEvents.serial(BUSYBOX, serial);
    }

    @Test
    void shouldTellBusyboxsShellRunningAScriptFromItsOtherApplets() {
        assertThat(fired(busybox(1431938))).contains("exec-from-world-writable-dir"); // busybox sh run-me.sh (cwd /tmp/…)
        assertThat(fired(busybox(1431941))).contains("exec-from-world-writable-dir"); // argv[0] sh: sh /tmp/…/run-me.sh
        assertThat(fired(busybox(1431937))).doesNotContain("exec-from-world-writable-dir"); // busybox ls (cwd /tmp/…)
        assertThat(fired(busybox(1431939))).doesNotContain("exec-from-world-writable-dir"); // busybox sh -c true
        assertThat(fired(busybox(1431943))).doesNotContain("exec-from-world-writable-dir"); // argv[0] sh: sh -c true
    }

    @Test
    void shouldFindScriptsInWorldWritableDirectoriesAfterAnOptionOrByAnUnusualName() {
        assertThat(fired(busybox(1431944))).contains("exec-from-world-writable-dir"); // bash -x /tmp/…
        assertThat(fired(busybox(1431945))).contains("exec-from-world-writable-dir"); // bash //tmp/…
        assertThat(fired(busybox(1431946))).contains("exec-from-world-writable-dir"); // bash tmp/… (cwd /)
        // the program alone needs no EXECVE record (hosts may exclude them): the capture's /tmp/aa-true without it
        AuditEvent noExecve = TestEvents.one(TestEvents.lines("/rules/capture-workload.log", 16629).stream()
                .filter(l -> !l.startsWith("type=EXECVE")).toArray(String[]::new));
        assertThat(fired(noExecve)).contains("exec-from-world-writable-dir");
        // /run/lock (= /var/lock) is mode 1777 on Debian 12: the same program run from there
        AuditEvent runLock = TestEvents.one(TestEvents.lines("/rules/capture-workload.log", 16629).stream()
                .map(l -> l.replace("/tmp/aa-true", "/run/lock/aa-true")).toArray(String[]::new));
        assertThat(fired(runLock)).contains("exec-from-world-writable-dir");
    }

    @Test
    void shouldAlertOnASetuidModeSetWithFchmodat2() {
        assertThat(fired(busybox(1432185))).contains("setuid-setgid-bit-set"); // fchmodat2(…, 04755, 0), syscall 452
        assertThat(fired(busybox(1432423))).doesNotContain("setuid-setgid-bit-set"); // fchmodat2(…, 0644, 0)
    }

    @Test
    void shouldThrottleShellConnectsPerDestination() {
        // bash connecting to 127.0.0.1:9 then to 127.0.0.1:7: the second is not hidden by the first's window
        assertThat(fired(busybox(1432425))).contains("shell-network-activity");
        assertThat(fired(busybox(1432427))).contains("shell-network-activity");
        CompiledRule rule = defaults.rule("shell-network-activity");
        assertThat(throttleKey(rule, busybox(1432425))).isNotEqualTo(throttleKey(rule, busybox(1432427)));
    }

    /** capture-package-tools.log: dpkg's helpers setting up files, between a binary written and removed by hand. */
    static final List<AuditEvent> PACKAGE_TOOLS = TestEvents.resource("/rules/capture-package-tools.log");

    @Test
    void shouldLeaveDpkgsHelpersAloneAndStillSeeTheSameChangesMadeByHand() {
        java.util.Map<String, java.util.Set<Long>> got = new java.util.TreeMap<>();
        for (AuditEvent ev : PACKAGE_TOOLS) {
            for (String rule : fired(ev)) {
                if (!rule.equals("process-executed")) {
                    got.computeIfAbsent(rule, k -> new java.util.TreeSet<>()).add(ev.serial());
                }
            }
        }
        // cp and rm into /usr/local/bin fire; dpkg-statoverride's chown/chmod 4755, update-alternatives' links
        // in /usr/local/bin and dpkg --verify reading /etc/sudoers do not
        assertThat(got).isEqualTo(Map.of("binary-dir-modified", new java.util.TreeSet<>(List.of(1437983L, 1438001L))));
    }

    private static String throttleKey(CompiledRule rule, AuditEvent ev) {
        io.auditalert.parse.ByteBuf out = new io.auditalert.parse.ByteBuf(64);
        rule.throttleKey(ev, out);
        return new String(out.array(), 0, out.length(), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String output(String rule, AuditEvent ev) {
        io.auditalert.parse.ByteBuf out = new io.auditalert.parse.ByteBuf(256);
        defaults.rule(rule).renderOutput(ev, out);
        return new String(out.array(), 0, out.length(), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void shouldNameTheFileARenameReplacedNotTheTemporaryOne() {
        // mv /etc/security/opasswd.aa /etc/security/opasswd: PATH items PARENT, PARENT, DELETE opasswd.aa,
        // DELETE opasswd (the old inode), CREATE opasswd
        assertThat(output("identity-file-modified", capture2(877259)))
                .isEqualTo("cloudsdk (root) changed /etc/security/opasswd with /usr/bin/mv (renameat, exit 0): "
                        + "mv /etc/security/opasswd.aa /etc/security/opasswd");
        // rm -f /usr/bin/aa-test-bin: a DELETE alone names the file removed
        assertThat(output("binary-dir-modified", capture(16640))).contains("changed /usr/bin/aa-test-bin with");
    }

    @Test
    void shouldAlertOnIdentityFileChangesButNotReads() {
        assertThat(fired(capture(16688))).contains("identity-file-modified"); // open('/etc/passwd','a')
        assertThat(fired(capture(16642))).doesNotContain("identity-file-modified"); // cat /etc/shadow
    }

    @Test
    void shouldAlertOnSuccessfulReadsOfSecretFiles() {
        assertThat(fired(capture(16642))).contains("sensitive-file-read"); // root: cat /etc/shadow
        assertThat(fired(capture(16657))).doesNotContain("sensitive-file-read"); // refused
    }

    @Test
    void shouldAlertOnRefusedAccessToSecretFilesOnly() {
        assertThat(fired(capture(16657))).contains("sensitive-file-access-denied"); // nobody: cat /etc/shadow
        assertThat(fired(capture(16686))).doesNotContain("sensitive-file-access-denied"); // nobody: touch /root/x
        // cd /etc; cat shadow: the PATH record holds the relative name, only the watch's key tells
        assertThat(fired(TestEvents.one(
                "type=SYSCALL msg=audit(1795706010.175:16657): arch=c000003e syscall=257 success=no exit=-13 a0=ffffff9c a1=7ffdbe1faad5 a2=0 a3=0 items=1 ppid=26746 pid=26756 auid=4294967295 uid=65534 gid=65534 euid=65534 suid=65534 fsuid=65534 egid=65534 sgid=65534 fsgid=65534 tty=(none) ses=4294967295 comm=\"cat\" exe=\"/usr/bin/cat\" key=\"sensitive_read\"",
                "type=CWD msg=audit(1795706010.175:16657): cwd=\"/etc\"",
                "type=PATH msg=audit(1795706010.175:16657): item=0 name=\"shadow\" inode=819 dev=fe:00 mode=0100640 ouid=0 ogid=42 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0"))).contains("sensitive-file-access-denied");
    }

    @Test
    void shouldAlertOnAuditRuleChanges() {
        assertThat(fired(capture(16611))).contains("audit-rules-changed"); // CONFIG_CHANGE add_rule
        assertThat(fired(TestEvents.serial(AUDITCTL_DELETE, 16730))).contains("audit-rules-changed"); // remove_rule
        assertThat(fired(capture(16642))).doesNotContain("audit-rules-changed");
    }

    @Test
    void shouldNotTakeAMovedWatchForAnAuditRuleChange() {
        assertThat(fired(WATCH_MOVED)).doesNotContain("audit-rules-changed");
        assertThat(fired(AUDITING_ENABLED)).contains("audit-rules-changed").doesNotContain("auditing-disabled");
        // the output names what changed: a rule (op, key, list) or a setting (its name and old value)
        assertThat(output("audit-rules-changed", capture(16611)))
                .isEqualTo("audit configuration changed by unset: op=add_rule key=exec_changes list=4 res=1"
                        + " proctitle=auditctl -R capture.rules");
        assertThat(output("audit-rules-changed", AUDITING_ENABLED))
                .isEqualTo("audit configuration changed by unset: audit_enabled=1 old=0 res=?");
    }

    @Test
    void shouldAlertCriticallyWhenAuditingIsSwitchedOff() {
        assertThat(fired(capture2(877261))).contains("auditing-disabled").doesNotContain("audit-rules-changed");
        assertThat(defaults.rule("auditing-disabled").severity().label()).isEqualTo("critical");
        assertThat(output("auditing-disabled", capture2(877261)))
                .isEqualTo("auditing disabled by cloudsdk (uid root, /usr/sbin/auditctl): audit_enabled=0 old=1 res=1");
        assertThat(fired(AUDITING_ENABLED)).doesNotContain("auditing-disabled");
        // the kernel refused it (res=0: the configuration is locked, auditctl -e 2): auditing stays on, and the
        // attempt is an audit-rules-changed alert. The capture's record with res=0 (a refusal cannot be captured
        // here without locking the machine's audit configuration until reboot).
        AuditEvent refused = TestEvents.one(TestEvents.lines("/rules/capture-workload-2.log", 877261).stream()
                .map(l -> l.replace("old=1 auid=1000 ses=13 res=1", "old=2 auid=1000 ses=13 res=0"))
                .toArray(String[]::new));
        assertThat(fired(refused)).contains("audit-rules-changed").doesNotContain("auditing-disabled");
    }

    @Test
    void shouldThrottleAuditRuleChangesPerKeySoOneChangeDoesNotHideAnother() {
        // auditctl -D: the removal of two watches with the same key share a throttle window, another key does not
        CompiledRule rule = defaults.rule("audit-rules-changed");
        AuditEvent execChanges = TestEvents.serial(AUDITCTL_DELETE, 16730);
        assertThat(throttleKey(rule, execChanges)).isEqualTo(throttleKey(rule, TestEvents.serial(AUDITCTL_DELETE, 16731)));
        assertThat(throttleKey(rule, execChanges)).isNotEqualTo(throttleKey(rule, TestEvents.serial(AUDITCTL_DELETE, 16732)));
    }

    static final List<AuditEvent> SETTINGS = TestEvents.resource("/rules/capture-settings.log");

    @Test
    void shouldThrottleAuditSettingChangesPerSettingAndValue() {
        // auditctl -r 100, -f 0, --backlog_wait_time 60000, -r 100 again, then each put back, within a second
        CompiledRule rule = defaults.rule("audit-rules-changed");
        long[] changes = {2202662, 2202664, 2202666, 2202670, 2202672, 2202674};
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (long serial : changes) {
            AuditEvent ev = TestEvents.serial(SETTINGS, serial);
            assertThat(fired(ev)).as("serial %d", serial).contains("audit-rules-changed");
            keys.add(throttleKey(rule, ev));
        }
        assertThat(keys).as("a rate limit set must not hide the failure mode set after it").hasSize(changes.length);
        // the same setting to the same value again shares the window of the first
        assertThat(throttleKey(rule, TestEvents.serial(SETTINGS, 2202668)))
                .isEqualTo(throttleKey(rule, TestEvents.serial(SETTINGS, 2202662)));
        assertThat(output("audit-rules-changed", TestEvents.serial(SETTINGS, 2202664)))
                .isEqualTo("audit configuration changed by unset: op=set audit_failure=0 old=1 res=1 proctitle=auditctl -f 0");
    }

    static final List<AuditEvent> ATTRIBUTES = TestEvents.resource("/rules/capture-attributes.log");

    @Test
    void shouldAlertWhenChattrSetsOrRemovesTheImmutableOrAppendOnlyAttribute() {
        // chattr +i, -i, +a, =ia, -R -ai; later +i, =e, = (the exact list: i and a taken off)
        for (long serial : new long[] {2202652, 2202653, 2202654, 2202655, 2202656, 2209061, 2209062, 2209063}) {
            assertThat(fired(TestEvents.serial(ATTRIBUTES, serial))).as("serial %d", serial)
                    .contains("immutable-attribute-changed");
        }
        // chattr -V +d (no-dump), lsattr, chattr -v 7 (a version number), mkdir, rm -rf
        for (long serial : new long[] {2202657, 2202658, 2202659, 2202650, 2202660}) {
            assertThat(fired(TestEvents.serial(ATTRIBUTES, serial))).as("serial %d", serial)
                    .doesNotContain("immutable-attribute-changed");
        }
        assertThat(output("immutable-attribute-changed", TestEvents.serial(ATTRIBUTES, 2202656)))
                .isEqualTo("unset (root) changed immutable or append-only attributes: chattr -R -ai /tmp/cap3/d (cwd /)");
    }

    @Test
    void shouldAlertWhenTheAuditDaemonStops() {
        AuditEvent end = CAPTURE2.stream().filter(e -> e.serial() == 8626).findFirst().orElseThrow(); // auditd was stopped
        assertThat(fired(end)).contains("audit-daemon-stopped");
        assertThat(fired(DAEMON_ABORT)).contains("audit-daemon-stopped");
        assertThat(fired(DAEMON_START)).doesNotContain("audit-daemon-stopped");
    }

    @Test
    void shouldAlertOnChangesUnderEtcAudit() {
        assertThat(fired(capture(16691))).contains("audit-config-file-modified"); // touch /etc/audit/aa-test
        assertThat(fired(capture(16693))).contains("audit-config-file-modified"); // rm /etc/audit/aa-test
        assertThat(fired(capture(16688))).doesNotContain("audit-config-file-modified"); // /etc/passwd
    }

    @Test
    void shouldAlertOnAuditctlChangesAndExceptStatusQueries() {
        assertThat(fired(TestEvents.serial(AUDITCTL_DELETE, 16729))).contains("audit-tool-executed"); // auditctl -D
        long exceptedBefore = defaults.rule("audit-tool-executed").stats().excepted.sum();
        assertThat(fired(capture(16694))).doesNotContain("audit-tool-executed"); // auditctl -l
        assertThat(defaults.rule("audit-tool-executed").stats().excepted.sum()).isEqualTo(exceptedBefore + 1);
    }

    @Test
    void shouldAlertOnTheAuditToolsKeyWithoutAnExecveRecord() {
        // the SYSCALL record of serial 16729 (auditctl -D) as an unprivileged user's refused exec logs it
        // under the watch's key: no EXECVE record, so only the rule's `SYSCALL.key = "audit_tools"` half
        // can fire (it once compared the key with the audit_tools list of paths, and never did)
        AuditEvent refused = TestEvents.one("type=SYSCALL msg=audit(1795706012.355:16729): arch=c000003e syscall=59 "
                + "success=no exit=-13 a0=55a6225a9d60 a1=55a6225ac530 a2=55a62258ab80 a3=3bf39d7c8efd64a5 items=1 "
                + "ppid=26741 pid=26796 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 "
                + "sgid=1000 fsgid=1000 tty=(none) ses=4 comm=\"bash\" exe=\"/usr/bin/bash\" key=\"audit_tools\"",
                "type=PATH msg=audit(1795706012.355:16729): item=0 name=\"/usr/sbin/auditctl\" inode=15884292 "
                        + "dev=fe:00 mode=0100750 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 "
                        + "cap_fver=0 cap_frootid=0");
        assertThat(fired(refused)).contains("audit-tool-executed");
        AuditEvent otherKey = TestEvents.one("type=SYSCALL msg=audit(1795706012.355:16729): arch=c000003e syscall=59 "
                + "success=no exit=-13 a0=55a6225a9d60 a1=55a6225ac530 a2=55a62258ab80 a3=3bf39d7c8efd64a5 items=1 "
                + "ppid=26741 pid=26796 auid=1000 uid=1000 gid=1000 euid=1000 suid=1000 fsuid=1000 egid=1000 "
                + "sgid=1000 fsgid=1000 tty=(none) ses=4 comm=\"bash\" exe=\"/usr/bin/bash\" key=\"exec_calls\"");
        assertThat(fired(otherKey)).doesNotContain("audit-tool-executed");
    }

    static final List<AuditEvent> MODPROBE = TestEvents.resource("/rules/capture-modprobe.log");

    @Test
    void shouldAlertOnKernelModuleLoading() {
        assertThat(fired(MODULE_LOAD)).contains("kernel-module-loaded");
        assertThat(fired(capture(16630))).doesNotContain("kernel-module-loaded");
        assertThat(fired(TestEvents.serial(MODPROBE, 898130))).contains("kernel-module-loaded"); // modprobe dummy
        assertThat(fired(TestEvents.serial(MODPROBE, 898134))).contains("kernel-module-loaded"); // modprobe -r dummy
        // the capture's `modprobe dummy` with a read-only option's letters after "--", or run as insmod: a load
        for (String[] swap : new String[][] {
            {"argc=2 a0=\"modprobe\" a1=\"dummy\"", "argc=4 a0=\"modprobe\" a1=\"dummy\" a2=\"--\" a3=\"-n\""},
            {"argc=2 a0=\"modprobe\" a1=\"dummy\"", "argc=3 a0=\"insmod\" a1=\"/root/x.ko\" a2=\"-c\""},
        }) {
            AuditEvent ev = TestEvents.one(TestEvents.lines("/rules/capture-modprobe.log", 898130).stream()
                    .map(l -> l.replace(swap[0], swap[1]).replace("comm=\"modprobe\"", swap[1].contains("insmod")
                            ? "comm=\"insmod\"" : "comm=\"modprobe\"")).toArray(String[]::new));
            assertThat(fired(ev)).as(swap[1]).contains("kernel-module-loaded");
        }
    }

    @Test
    void shouldNotAlertOnModprobeRunsThatOnlyPrintNorOnUdevLoadingModules() {
        // modprobe --show-depends dummy, modprobe -n -v dummy, modprobe -c
        for (long serial : new long[] {898131, 898132, 898133}) {
            assertThat(fired(TestEvents.serial(MODPROBE, serial))).as("serial %d", serial).doesNotContain("kernel-module-loaded");
            assertThat(fired(TestEvents.serial(MODPROBE, serial))).as("serial %d", serial).contains("process-executed");
        }
        // MODULE_LOAD's finit_module as systemd-udevd makes it (the same record, its exe and comm changed):
        // hardware being set up at boot or on hotplug
        AuditEvent udev = TestEvents.one(
                "type=SYSCALL msg=audit(1481076984.827:17): arch=c000003e syscall=313 success=yes exit=0 a0=0 a1=41a15c "
                        + "a2=0 a3=0 items=0 ppid=1 pid=391 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 "
                        + "sgid=0 fsgid=0 tty=(none) ses=4294967295 comm=\"systemd-udevd\" exe=\"/usr/lib/systemd/systemd-udevd\" "
                        + "subj=system_u:system_r:insmod_t:s0 key=(null)");
        assertThat(fired(udev)).doesNotContain("kernel-module-loaded");
    }

    @Test
    void shouldAlertOnShellNetworkConnectionsButNotOtherPrograms() {
        assertThat(fired(capture(16696))).contains("shell-network-activity"); // bash /dev/tcp/127.0.0.1/9
        assertThat(fired(capture(16698))).doesNotContain("shell-network-activity"); // python3 connect
        // a service's shell (no login uid), logged by the shipped rules' exe=/usr/bin/bash connect rule
        assertThat(fired(capture2(877233))).contains("shell-network-activity");
        assertThat(output("shell-network-activity", capture2(877233))).isEqualTo("unset (root) shell /usr/bin/bash did connect"
                + " { saddr_fam=inet laddr=127.0.0.1 lport=9 } (exit -111): bash -c exec 3<>/dev/tcp/127.0.0.1/9");
    }

    static final List<AuditEvent> SOCKET_RELAY = TestEvents.resource("/rules/capture-socket-relay.log");

    @Test
    void shouldAlertOnNetcatAndSocatConnections() {
        assertThat(fired(TestEvents.serial(SOCKET_RELAY, 903851))).contains("socket-relay-network-activity"); // nc -z 127.0.0.1 9
        assertThat(fired(TestEvents.serial(SOCKET_RELAY, 903864))).contains("socket-relay-network-activity"); // socat … TCP:127.0.0.1:9
        assertThat(fired(TestEvents.serial(SOCKET_RELAY, 903862))).contains("socket-relay-network-activity") // nc -l (bind)
                .contains("network-port-bound");
        assertThat(fired(capture(16698))).doesNotContain("socket-relay-network-activity"); // python3 connect
        assertThat(output("socket-relay-network-activity", TestEvents.serial(SOCKET_RELAY, 903864))).isEqualTo(
                "cloudsdk (root) /usr/bin/socat did connect { saddr_fam=inet laddr=127.0.0.1 lport=9 } (exit -111): "
                        + "socat -T1 - TCP:127.0.0.1:9");
    }

    /** capture-inline-code.log: one-line reverse shells in python and perl against a loopback listener, and look-alikes. */
    static final List<AuditEvent> INLINE_CODE = TestEvents.resource("/rules/capture-inline-code.log");

    @Test
    void shouldAlertOnOneLineReverseShellsInScriptLanguages() {
        Map<String, TreeSet<Long>> byRule = alertsByRule(INLINE_CODE);
        // at exec: python3 -c (pty.spawn), perl -e (exec "/bin/sh -i"), pyenv's python3.11 -u -c (subprocess)
        assertThat(byRule.get("interpreter-inline-reverse-shell-code")).containsExactly(1474674L, 1474686L, 1474690L);
        // their connects, and python3 -c connect_ex to a closed port (1474700). Not: listen.py's bind
        // (1474672), client.py's connects (1474694, and 1474696 where -c is the script's argument)
        assertThat(byRule.get("interpreter-inline-code-network-activity"))
                .containsExactly(1474675L, 1474687L, 1474691L, 1474700L);
        // perl's connect was logged with the PROCTITLE of timeout, which started it
        assertThat(output("interpreter-inline-code-network-activity", TestEvents.serial(INLINE_CODE, 1474687)))
                .startsWith("cloudsdk (root) /usr/bin/perl did connect { saddr_fam=inet laddr=127.0.0.1 lport=47011 }"
                        + " (exit 0) running inline code: timeout 10 perl -e use Socket;");
        // inline code without a shell (AF_UNIX connect, print, connect only) is no reverse shell at exec
        for (long serial : new long[] {1474697, 1474698, 1474699}) {
            assertThat(fired(TestEvents.serial(INLINE_CODE, serial))).contains("process-executed")
                    .doesNotContain("interpreter-inline-reverse-shell-code");
        }
        assertThat(fired(TestEvents.serial(INLINE_CODE, 1474672))).doesNotContain("interpreter-inline-code-network-activity");
    }

    /** The real connect of python3 -c (1474675) with another command line in its PROCTITLE. */
    private static AuditEvent inlineConnect(String commandLine) {
        StringBuilder hex = new StringBuilder();
        for (byte b : commandLine.replace(' ', '\0').getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            hex.append(String.format("%02X", b));
        }
        return TestEvents.one(TestEvents.lines("/rules/capture-inline-code.log", 1474675).stream()
                .map(l -> l.startsWith("type=PROCTITLE") ? l.replaceFirst("proctitle=[0-9A-F]+", "proctitle=" + hex) : l)
                .toArray(String[]::new));
    }

    @Test
    void shouldTellInlineCodeFromScriptsByEachInterpretersOwnOption() {
        for (String inline : List.of("/usr/bin/python3 -c x", "timeout 5 /usr/bin/python3 -W ignore -c x",
                "python3 -X dev -Ic x", "perl -I /tmp -e x", "perl -ne x", "ruby -r socket -e x", "php -d a=1 -r x",
                "node -r dotenv/config -e x", "nodejs --eval x", "node --eval=x", "node -p x", "lua5.3 -l socket -e x",
                "/usr/libexec/platform-python -c x")) {
            assertThat(fired(inlineConnect(inline))).as(inline).contains("interpreter-inline-code-network-activity");
        }
        // -E is python's "ignore the environment", -r node's require, -c php's ini file
        for (String script : List.of("/usr/bin/python3 -E client.py", "python3 -Ir x.py", "python3 client.py -c x",
                "python3 -W ignore x.py -c y", "python3 -m pip -c x", "node -r dotenv/config server.js",
                "php -c /etc/php.ini x.php", "perl x.pl -e", "ruby -E utf-8 x.rb", "perl -c x.pl", "node -c x.js",
                "python3 -Werror x.py")) {
            assertThat(fired(inlineConnect(script))).as(script).doesNotContain("interpreter-inline-code-network-activity");
        }
    }

    @Test
    void shouldAlertOnPortsBoundFromALoginSessionButNotOnEphemeralOnes() {
        assertThat(fired(capture2(877254))).contains("network-port-bound"); // bind 127.0.0.1:47001
        assertThat(fired(capture2(877252))).doesNotContain("network-port-bound"); // bind 127.0.0.1:0
        assertThat(output("network-port-bound", capture2(877254)))
                .startsWith("cloudsdk (root) /usr/bin/python3.11 bound { saddr_fam=inet laddr=127.0.0.1 lport=47001 }: ");
    }

    /** elastic_beats/auditbeat__module__auditd__testdata__sudo.log: sudo refuses alice's password. */
    static final AuditEvent SUDO_AUTH_FAILED = TestEvents.one(
            "type=USER_AUTH msg=audit(1610876634.103:457): pid=14178 uid=1002 auid=1002 ses=15 "
                    + "msg='op=PAM:authentication acct=\"alice\" exe=\"/usr/bin/sudo\" hostname=localhost "
                    + "addr=127.0.0.1 terminal=/dev/pts/1 res=failed'");

    static final List<AuditEvent> DEMO = TestEvents.resource("/demo/audit.log");

    @Test
    void shouldAlertOnSessionsOpenedThroughSu() {
        assertThat(fired(TestEvents.serial(DEMO, 18787))).contains("user-switched"); // USER_START su nobody
        assertThat(fired(TestEvents.serial(DEMO, 18791))).doesNotContain("user-switched"); // USER_END
    }

    @Test
    void shouldAlertOnFailedAuthenticationOnly() {
        assertThat(fired(SUDO_AUTH_FAILED)).contains("authentication-failed");
        assertThat(fired(TestEvents.serial(DEMO, 18782))).doesNotContain("authentication-failed"); // su: success
    }

    /**
     * The bundled demo capture (a real auditd capture of src/test/resources/workload/attack-workload.sh
     * under the shipped audit rules): each workload step is caught by its rule, and nothing else
     * alerts except the informational process-executed.
     */
    @Test
    void shouldCatchEveryStepOfTheDemoCapture() {
        long exceptedBefore = defaults.rule("audit-tool-executed").stats().excepted.sum();
        Map<String, TreeSet<Long>> byRule = alertsByRule(DEMO);
        assertThat(byRule.remove("process-executed")).isNotEmpty();
        assertThat(byRule).isEqualTo(Map.of(
                "exec-from-world-writable-dir", new TreeSet<>(List.of(18771L)),
                "binary-dir-modified", new TreeSet<>(List.of(18774L, 18776L, 18778L)),
                "setuid-setgid-bit-set", new TreeSet<>(List.of(18776L)),
                "sensitive-file-read", new TreeSet<>(List.of(18780L)),
                "sensitive-file-access-denied", new TreeSet<>(List.of(18790L)),
                "identity-file-modified", new TreeSet<>(List.of(18794L)),
                "shell-network-activity", new TreeSet<>(List.of(18798L)),
                "user-switched", new TreeSet<>(List.of(18787L, 18805L))));
        // auditctl -s is a status query: excepted, not alerted
        assertThat(defaults.rule("audit-tool-executed").stats().excepted.sum()).isEqualTo(exceptedBefore + 1);
    }

    /**
     * The whole capture through the default rules: which events each rule alerts on. The workload
     * (capture-workload.sh) is small enough to check every line by hand against the events.
     */
    @Test
    void shouldAlertOnExactlyTheseEventsOfTheCapture() {
        Map<String, TreeSet<Long>> byRule = alertsByRule(CAPTURE);
        byRule.remove("process-executed");
        byRule.remove("audit-rules-changed"); // one per rule the capture loaded: 16611..16626
        assertThat(byRule).isEqualTo(Map.ofEntries(
                Map.entry("binary-dir-modified", new TreeSet<>(List.of(16632L, 16634L, 16636L, 16640L))),
                Map.entry("setuid-setgid-bit-set", new TreeSet<>(List.of(16634L, 16638L))),
                // 16627: the capture itself, `bash workload.sh` in /tmp/rules-capture
                Map.entry("exec-from-world-writable-dir", new TreeSet<>(List.of(16627L, 16629L, 16700L))),
                Map.entry("identity-file-modified", new TreeSet<>(List.of(16688L))),
                Map.entry("sensitive-file-read", new TreeSet<>(List.of(16642L))),
                Map.entry("sensitive-file-access-denied", new TreeSet<>(List.of(16657L))),
                Map.entry("audit-config-file-modified", new TreeSet<>(List.of(16691L, 16693L))),
                Map.entry("shell-network-activity", new TreeSet<>(List.of(16696L))),
                // python3 -c "import socket; …connect_ex(('127.0.0.1',9))"
                Map.entry("interpreter-inline-code-network-activity", new TreeSet<>(List.of(16698L))),
                Map.entry("audit-daemon-stopped", new TreeSet<>(List.of(872L))))); // auditd stopped after the capture
    }

    /** The second capture (capture-workload-2.sh), every alert but the informational process-executed. */
    @Test
    void shouldAlertOnExactlyTheseEventsOfTheSecondCapture() {
        Map<String, TreeSet<Long>> byRule = alertsByRule(CAPTURE2);
        assertThat(byRule.remove("process-executed")).isNotEmpty();
        assertThat(byRule).isEqualTo(Map.of(
                "shell-network-activity", new TreeSet<>(List.of(877233L)),
                "setuid-setgid-bit-set", new TreeSet<>(List.of(877240L)),
                "exec-from-world-writable-dir", new TreeSet<>(List.of(877242L, 877243L, 877244L, 877245L, 877247L, 877248L, 877250L)),
                "network-port-bound", new TreeSet<>(List.of(877254L)),
                // python3 -c "…s.bind(('127.0.0.1', 47001))…"; the same on port 0 (877252), an ephemeral
                // port as a client's, is not alerted
                "interpreter-inline-code-network-activity", new TreeSet<>(List.of(877254L)),
                "sensitive-file-read", new TreeSet<>(List.of(877256L)), // cp -p /etc/security/opasswd
                "identity-file-modified", new TreeSet<>(List.of(877259L)), // mv over /etc/security/opasswd
                "audit-tool-executed", new TreeSet<>(List.of(877260L)),
                "auditing-disabled", new TreeSet<>(List.of(877261L)),
                "audit-daemon-stopped", new TreeSet<>(List.of(8626L))));
    }

    static final List<AuditEvent> ADMIN = TestEvents.resource("/rules/capture-admin-tools.log");

    static AuditEvent admin(long serial) {
        return TestEvents.serial(ADMIN, serial);
    }

    /** An administrator's routine work (capture-admin-tools.sh): what a careful operator does not want alerted. */
    @Test
    void shouldNotAlertOnRoutineAdministration() {
        assertThat(fired(admin(2036921))).doesNotContain("sensitive-file-read"); // debconf's dpkg-preconfigure (perl)
        assertThat(fired(admin(2040743))).doesNotContain("sensitive-file-read"); // deluser (perl)
        assertThat(fired(admin(2038826))).doesNotContain("sensitive-file-read"); // find opens /etc/sudoers.d
        assertThat(fired(admin(2040368))).doesNotContain("sensitive-file-read"); // ls /etc/sudoers.d
        assertThat(fired(admin(2038392))).doesNotContain("sensitive-file-read"); // visudo -c: /etc/sudoers
        assertThat(fired(admin(2038394))).doesNotContain("sensitive-file-read"); // visudo -c: /etc/sudoers.d/README
        assertThat(fired(admin(2040705))).contains("sensitive-file-read"); // head -1 /etc/shadow still is
        // python3 -m venv: pip's IPv6 probe binds ::1 port 0 from inline code
        assertThat(fired(admin(2038614))).doesNotContain("interpreter-inline-code-network-activity");
    }

    @Test
    void shouldAlertOnceForEachIdentityFileAUserToolRewrites() {
        CompiledRule rule = defaults.rule("identity-file-modified");
        assertThat(rule.throttleWindowMillis()).isPositive();
        // useradd opens /etc/passwd (2038288), later renames its new copy over it (2038296): one key
        assertThat(fired(admin(2038288))).contains("identity-file-modified");
        assertThat(fired(admin(2038296))).contains("identity-file-modified");
        assertThat(throttleKey(rule, admin(2038288))).isEqualTo(throttleKey(rule, admin(2038296)));
        // each file its own: /etc/group (2038289) is not hidden by /etc/passwd
        assertThat(throttleKey(rule, admin(2038288))).isNotEqualTo(throttleKey(rule, admin(2038289)));
    }

    @Test
    void shouldNameTheCommandWhenTheKernelLoggedNoFileName() {
        // fd-based calls log PATH name=(null): the command line says which file
        assertThat(output("setuid-setgid-bit-set", admin(2040410))).isEqualTo(
                "cloudsdk (root) set a setuid/setgid mode on ? with /usr/bin/cp (fchmod, exit 0): cp -p /usr/bin/passwd /tmp/h1/passwd-copy");
        assertThat(output("identity-file-modified", admin(2040400))).endsWith(
                "(fchown, exit 0): sed -i s/!lecture/!lecture/ /etc/sudoers.d/h1b");
        // insmod's finit_module has no EXECVE record: the command line comes from its PROCTITLE; the
        // exit says the call failed (-38, ENOSYS: that kernel has no module support)
        assertThat(output("kernel-module-loaded", admin(2039773))).isEqualTo(
                "cloudsdk (root) kernel module: finit_module by /usr/bin/kmod, exit -38: insmod /tmp/h1/bogus.ko");
        assertThat(output("kernel-module-loaded", TestEvents.serial(MODPROBE, 898130)))
                .isEqualTo("cloudsdk (root) kernel module: execve by /usr/bin/kmod, exit 0: modprobe dummy");
    }

    static final List<AuditEvent> PERSISTENCE = TestEvents.resource("/rules/capture-persistence.log");

    static AuditEvent persistence(long serial) {
        return TestEvents.serial(PERSISTENCE, serial);
    }

    /** capture-persistence.sh: cron tables, units, ld.so.preload and profile scripts changed by hand, then by dpkg. */
    @Test
    void shouldAlertOnPersistenceChangesByHandButNotByThePackageTools() {
        Map<String, TreeSet<Long>> byRule = alertsByRule(PERSISTENCE);
        assertThat(byRule.get("persistence-file-modified")).containsExactly(
                2041310L, 2041312L, // > /etc/cron.d/aa-persist, rm
                2041314L, 2041315L, // >> /etc/crontab, and its restore
                2041318L, 2041319L, 2041320L, 2041321L, // crontab -u nobody -: temporary file, fchmod, fchown, rename
                2041323L, // crontab -u nobody -r
                2041324L, 2041326L, 2041328L, 2041329L, // a unit in /etc/systemd/system, its link, both removed
                2041330L, 2041332L, // : > /etc/ld.so.preload, rm
                2041333L, 2041335L); // /etc/profile.d/aa-persist.sh, rm
        // dpkg unpacking the package's cron table; the systemctl preset deb-systemd-helper runs (the kernel
        // logged the helper's command line for it) and the helper's own purge
        assertThat(fired(persistence(2041383))).doesNotContain("persistence-file-modified");
        assertThat(fired(persistence(2041407))).doesNotContain("persistence-file-modified");
        assertThat(fired(persistence(2041421))).doesNotContain("persistence-file-modified");
        // a symlink call's PATH items: the directory, the target (UNKNOWN), the link created: the link is named
        assertThat(output("persistence-file-modified", persistence(2041326))).isEqualTo("cloudsdk (root) changed "
                + "/etc/systemd/system/multi-user.target.wants/aa-persist.service with /usr/bin/ln (symlinkat, exit 0): "
                + "ln -s /etc/systemd/system/aa-persist.service /etc/systemd/system/multi-user.target.wants/aa-persist.service");
        CompiledRule rule = defaults.rule("persistence-file-modified");
        assertThat(throttleKey(rule, persistence(2041314))).isEqualTo(throttleKey(rule, persistence(2041315)));
    }

    static final List<AuditEvent> HISTORY = TestEvents.resource("/rules/capture-history.log");

    @Test
    void shouldAlertOnShellHistoryTamperingThatRunsAProgram() {
        for (long serial : new long[] {2040263, 2040264, 2040265, 2040266}) { // rm, ln -sf /dev/null, bash -c 'unset HISTFILE…', rm
            assertThat(fired(TestEvents.serial(HISTORY, serial))).as("serial %d", serial).contains("shell-history-tampering");
        }
        // bash -c with a reverse shell but nothing about history; rm of another dotfile
        assertThat(fired(TestEvents.serial(HISTORY, 2039041))).doesNotContain("shell-history-tampering");
        assertThat(fired(TestEvents.serial(HISTORY, 2039187))).doesNotContain("shell-history-tampering");
        assertThat(output("shell-history-tampering", TestEvents.serial(HISTORY, 2040264)))
                .isEqualTo("cloudsdk (root) tampered with shell history with /usr/bin/ln: ln -sf /dev/null /root/.bash_history");
    }

    static final List<AuditEvent> EVASION = TestEvents.resource("/rules/capture-evasion.log");

    /**
     * capture-evasion.sh: techniques a review found the defaults missed, each with one that must not fire: a
     * download piped into a shell, a script in /tmp after an interpreter's options or by pyenv's python, a
     * setuid file created by open(2), file capabilities, persistence files not watched before.
     */
    @Test
    void shouldAlertOnTheTechniquesAReviewFoundMissed() {
        Map<String, TreeSet<Long>> byRule = alertsByRule(EVASION);
        // sh -c 'curl … | sh', sh -c 'wget -qO- … | bash'; not curl -o, not echo … | sh, not curl itself
        assertThat(byRule.get("download-piped-to-shell")).containsExactly(2232237L, 2232240L);
        // bash -x (the capture's own script), bash -e -x, python3 -u -B, pyenv's python3.11, bash -c '. /tmp/…';
        // not bash -e -c 'echo /tmp/…', not python3 -u -c 'print(1)' /tmp/x.py
        assertThat(byRule.get("exec-from-world-writable-dir"))
                .containsExactly(2232233L, 2232247L, 2232248L, 2232249L, 2232250L);
        // openat(O_CREAT, 04755); its directory (PARENT, mode 040755) is no exception for it
        assertThat(byRule.get("setuid-setgid-bit-set")).containsExactly(2232254L);
        // setcap cap_net_raw+ep; not setcap -v, not setcap -r
        assertThat(byRule.get("file-capability-set")).containsExactly(2232257L);
        // cron.hourly, rc.local, ld.so.conf.d, pam.d (each written, then removed), bash.bashrc and root's .bashrc
        // (each appended to, then restored by cp -p: its open and its fsetxattr), root's authorized_keys written
        // and removed; not mkdir /root/.ssh, not known_hosts, not the directory removed
        assertThat(byRule.get("persistence-file-modified")).containsExactly(2232260L, 2232262L, 2232263L, 2232265L,
                2232266L, 2232268L, 2232269L, 2232271L, 2232273L, 2232275L, 2232276L, 2232278L, 2232280L, 2232281L,
                2232284L, 2232288L);
        for (long quiet : new long[] {2232283, 2232285, 2232287, 2232289}) {
            assertThat(fired(TestEvents.serial(EVASION, quiet))).as("serial %d", quiet)
                    .doesNotContain("persistence-file-modified");
        }
        assertThat(output("download-piped-to-shell", TestEvents.serial(EVASION, 2232240))).isEqualTo(
                "unset (root) piped a download into a shell: sh -c wget -qO- http://127.0.0.1:18931/i.sh | bash (cwd /)");
    }

    @Test
    void shouldShowTheCommandLineOfAnAuditRuleChange() {
        // auditctl -a exit,never …: what the rule does is in the command line, not in the CONFIG_CHANGE record
        assertThat(output("audit-rules-changed", TestEvents.serial(EVASION, 2232291))).isEqualTo(
                "audit configuration changed by unset: op=add_rule key=cap4never list=4 res=1"
                        + " proctitle=auditctl -a exit,never -F arch=b64 -S getpid -k cap4never");
    }

    static final List<AuditEvent> TAMPERING = TestEvents.resource("/rules/capture-tampering.log");

    /**
     * capture-tampering.sh, under an auditd writing /var/log/audit itself: the audit logs changed, another
     * process written with ptrace or process_vm_writev, a process hidden by a mount over /proc/PID (mount and
     * move_mount); each beside one that must not fire.
     */
    @Test
    void shouldAlertOnAuditLogsChangedProcessesWrittenAndProcessesHidden() {
        Map<String, TreeSet<Long>> byRule = alertsByRule(TAMPERING);
        // cp to a new log, truncate, rm, chmod 0644 and back to 0600 (the rule's throttle, not applied here,
        // would hold the last). Not the cat that reads it, not auditd's own rotation (its DAEMON_ROTATE; the
        // kernel logs none of auditd's calls)
        assertThat(byRule.get("audit-log-tampered")).containsExactly(8060L, 8062L, 8064L, 8066L, 8068L);
        assertThat(fired(TestEvents.serial(TAMPERING, 7679))).doesNotContain("audit-log-tampered");
        assertThat(fired(TestEvents.serial(TAMPERING, 8069))).doesNotContain("audit-log-tampered");
        // PTRACE_POKEDATA and process_vm_writev (part 2); the run that only attaches and peeks, and the
        // process_vm_readv before the write, log no call
        assertThat(byRule.get("process-memory-written")).containsExactly(8073L, 14729L);
        // mount --bind over /proc/30994 (mount(2)) and move_mount over /proc/16586 (part 2, as util-linux 2.39's
        // mount(8) does it); not the same two onto a directory in /tmp
        assertThat(byRule.get("process-hidden-by-mount")).containsExactly(8078L, 14722L);
        assertThat(fired(TestEvents.serial(TAMPERING, 8082))).doesNotContain("process-hidden-by-mount");
        assertThat(fired(TestEvents.serial(TAMPERING, 14725))).doesNotContain("process-hidden-by-mount");
        assertThat(output("audit-log-tampered", TestEvents.serial(TAMPERING, 8064))).isEqualTo(
                "unset (root) changed audit log /var/log/audit/audit.log.9 with /usr/bin/rm (unlinkat, exit 0):"
                        + " rm -f /var/log/audit/audit.log.9");
        assertThat(output("process-memory-written", TestEvents.serial(TAMPERING, 8073))).isEqualTo(
                "unset (root) wrote into another process with /usr/bin/python3.11 (ptrace a0=0x5 a1=0x790f, exit 0):"
                        + " /usr/bin/python3 /tmp/cap5/poke.py");
        assertThat(output("process-hidden-by-mount", TestEvents.serial(TAMPERING, 14722))).isEqualTo(
                "unset (root) hid a process by mounting over /proc/16586 with /usr/bin/python3.11 (exit 0):"
                        + " /usr/bin/python3 /tmp/cap5/newmount.py /proc/16586");
        assertThat(output("process-hidden-by-mount", TestEvents.serial(TAMPERING, 8078))).isEqualTo(
                "unset (root) hid a process by mounting over /proc/30994 with /usr/bin/mount (exit 0):"
                        + " mount --bind /tmp/cap5/empty /proc/30994");
    }
}

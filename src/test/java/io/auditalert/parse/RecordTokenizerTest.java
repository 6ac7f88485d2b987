package io.auditalert.parse;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.assemble.Feed;
import org.junit.jupiter.api.Test;

/** Field splitting as libauparse 3.0.9 does it (outputs checked against python3-audit). */
class RecordTokenizerTest {
    private static String only(String line) {
        Feed feed = new Feed().line(line).finish();
        assertThat(feed.events).hasSize(1);
        return feed.events.get(0);
    }

    @Test
    void shouldSplitMultipleKeysIntoVirtualKeyFields() {
        assertThat(only("type=CONFIG_CHANGE msg=audit(1700000002.000:12): auid=0 ses=1 op=add_rule key=6B657931016B657932 list=4 res=1"))
                .contains("\"fields\":{\"auid\":\"0\",\"ses\":\"1\",\"op\":\"add_rule\",\"key\":\"key1\",\"key#2\":\"key2\",\"list\":\"4\",\"res\":\"1\"}");
    }

    @Test
    void shouldKeepNullMarkersAndStripMsgWrapper() {
        String json = only("type=USER_AUTH msg=audit(1700000004.000:14): pid=5864 uid=0 auid=4294967295 ses=4294967295 msg='op=PAM:authentication grantors=pam_rootok acct=\"nobody\" exe=\"/usr/bin/su\" hostname=? addr=? terminal=? res=success'\u001dUID=\"root\" AUID=\"unset\"");
        assertThat(json).contains("\"op\":\"PAM:authentication\"", "\"grantors\":\"pam_rootok\"", "\"hostname\":\"?\"", "\"res\":\"success\"}");
        assertThat(json).doesNotContain("UID\":\"root");
    }

    @Test
    void shouldSynthesizeAvcResultAndPermissions() {
        assertThat(only("type=AVC msg=audit(1700000005.000:15): avc:  denied  { read write } for  pid=1 comm=\"x\" scontext=a:b:c tcontext=d:e:f tclass=file permissive=0"))
                .contains("\"fields\":{\"seresult\":\"denied\",\"seperms\":\"read,write\",\"pid\":\"1\",\"comm\":\"x\"");
    }

    @Test
    void shouldReadKernelStyleTypeNumbersAsLibauparseDoes() {
        String json = only("type=1400 audit(1700000006.000:16): apparmor=\"DENIED\" operation=\"open\" name=\"/etc/y\" pid=1");
        assertThat(json).contains("\"type\":\"AVC\"", "\"seresult\":\"audit(1700000006.000:16):\"", "\"apparmor\":\"DENIED\"");
    }

    @Test
    void shouldKeepUnknownTypesAndExecveChunksWithNode() {
        assertThat(only("type=UNKNOWN[1420] msg=audit(1700000003.000:13): foo=bar baz=\"q\" "))
                .contains("\"type\":\"UNKNOWN[1420]\"", "\"foo\":\"bar\"", "\"baz\":\"q\"");
        assertThat(only("node=web01 type=EXECVE msg=audit(1700000007.000:17): argc=3 a0=\"echo\" a1_len=4 a1[0]=4141 a1[1]=\"BB\" a2=(null)"))
                .contains("\"node\":\"web01\"", "\"argc\":\"3\"", "\"a1_len\":\"4\"", "\"a1[0]\":\"4141\"", "\"a1[1]\":\"BB\"", "\"a2\":\"(null)\"");
    }

    @Test
    void shouldTrimTrailingPunctuationLikeLibauparse() {
        assertThat(only("type=DAEMON_START msg=audit(1700000008.000:18): op=start ver=3.0.9 format=enriched kernel=6.1.0, auid=4294967295 pid=1 subj=unconfined  res=success"))
                .contains("\"kernel\":\"6.1.0\"", "\"res\":\"success\"");
    }

    @Test
    void shouldKeepTheEnrichedSectionApartIncludingSaddrBraces() {
        Feed feed = new Feed().line("type=SOCKADDR msg=audit(1795701009.497:20): saddr=100000000000000000000000\u001dSADDR={ saddr_fam=netlink nlnk-fam=16 nlnk-pid=0 }").finish();
        assertThat(feed.events.get(0)).contains("\"fields\":{\"saddr\":\"100000000000000000000000\"}");
    }

    @Test
    void shouldDropFieldsWithNothingAfterTheEqualsSignAsLibauparseDoes() {
        assertThat(only("type=DAEMON_END msg=audit(1700000009.000:19): op=terminate auid=0 pid=27347 subj= res=success"))
                .contains("\"pid\":\"27347\",\"res\":\"success\"").doesNotContain("subj");
    }

    @Test
    void shouldDecodeUnquotedKeysAsLibauparseDoes() {
        assertThat(only("type=CONFIG_CHANGE msg=audit(1700000010.000:20): op=x key=abc,def list=4 res=1")).contains("\"key\":\"ABC0\"");
        assertThat(only("type=CONFIG_CHANGE msg=audit(1700000010.000:21): op=x key=123 list=4 res=1")).contains("\"key\":\"1230\"");
        assertThat(only("type=CONFIG_CHANGE msg=audit(1700000010.000:22): op=x key=net list=4 res=1"))
                .contains("\"key\":null", "\"interp\":{\"op\":\"x\",\"key\":\" \"");
        assertThat(only("type=CONFIG_CHANGE msg=audit(1700000010.000:23): op=x key=6B657931016B657932 list=4 res=1"))
                .contains("\"key\":\"key1\",\"key#2\":\"key2\"");
    }

    @Test
    void shouldFindTheFirstOfThreeBytesAtEveryPositionAndStopAtTheEnd() {
        long spaces = 0x2020202020202020L;
        long separators = 0x1D1D1D1D1D1D1D1DL;
        long equals = 0x3D3D3D3D3D3D3D3DL;
        for (int len = 0; len < 30; len++) {
            for (int at = 0; at <= len + 3; at++) {
                for (byte c : new byte[] {' ', 0x1D, '='}) {
                    byte[] b = new byte[len + 4];
                    java.util.Arrays.fill(b, (byte) 'k');
                    if (at < b.length) {
                        b[at] = c;
                    }
                    int expected = Math.min(at, len);
                    assertThat(RecordTokenizer.indexOfAny(b, 0, len, spaces, separators, equals))
                            .as("len %d at %d byte %d", len, at, c).isEqualTo(expected);
                    int onlySpaces = c == ' ' ? expected : len;
                    assertThat(RecordTokenizer.indexOfAny(b, 0, len, spaces, spaces, spaces))
                            .as("spaces: len %d at %d byte %d", len, at, c).isEqualTo(onlySpaces);
                }
            }
        }
    }

    /** What scanToken must return, one byte at a time: the first '=' before any stop, then the stop after it. */
    private static long scanTokenByBytes(byte[] b, int p, int end) {
        int eq = -1;
        for (; p < end; p++) {
            if (b[p] == ' ' || b[p] == 0x1D) {
                break;
            }
            if (b[p] == '=' && eq < 0) {
                eq = p;
            }
        }
        return ((long) eq << 32) | p;
    }

    @Test
    void shouldEndTokensAtTheFirstEqualsAndTheStopAfterItAtEveryWordOffset() {
        byte[] fills = {'k', '=', 0x01, (byte) 0xE2}; // 0x01 and 0xE2: bytes that can carry borrows in SWAR tests
        int checked = 0;
        for (byte fill : fills) {
            for (int len = 0; len < 26; len++) {
                for (int eqAt = -1; eqAt <= len + 2; eqAt++) {
                    for (int stopAt = -1; stopAt <= len + 2; stopAt++) {
                        for (byte stop : new byte[] {' ', 0x1D}) {
                            for (int start = 0; start < 3 && start <= len; start++) {
                                byte[] b = new byte[len + 4 + (stopAt & 1) * 9]; // some arrays end right after end
                                java.util.Arrays.fill(b, fill);
                                if (eqAt >= 0 && eqAt < b.length) {
                                    b[eqAt] = '=';
                                }
                                if (stopAt >= 0 && stopAt < b.length) {
                                    b[stopAt] = stop;
                                }
                                long expected = scanTokenByBytes(b, start, len);
                                long got = RecordTokenizer.scanToken(b, start, len);
                                assertThat(got).as("fill %d len %d start %d '=' at %d stop %d at %d: eq %d end %d",
                                        fill, len, start, eqAt, stop, stopAt, got >> 32, (int) got).isEqualTo(expected);
                                checked++;
                            }
                        }
                    }
                }
            }
        }
        assertThat(checked).isGreaterThan(10_000);
    }
}

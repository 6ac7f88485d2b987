package io.auditalert.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.assemble.AuditEvent;
import io.auditalert.metrics.Telemetry;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Rule evaluation allocates nothing per event: the default rules run over every event of the real
 * capture, and the test thread's allocated bytes are read before and after (HotSpot's per-thread
 * allocation counter; not a timing measurement).
 */
class EvaluationAllocationTest {
    @Test
    void shouldEvaluateTheDefaultRulesWithoutAllocating() throws Exception {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean,
                "needs com.sun.management.ThreadMXBean to read allocated bytes");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) bean;
        RuleSet set = RuleLoader.load(DefaultRulesTest.defaultFiles(), new FakeNames(), new Telemetry()).ruleSet();
        List<AuditEvent> events = DefaultRulesTest.CAPTURE;
        EvalScratch scratch = new EvalScratch();
        long[] matches = {0};
        MatchConsumer count = (rule, ev) -> matches[0]++;
        for (int i = 0; i < 200; i++) { // warm up: class loading, scratch growth
            for (AuditEvent ev : events) {
                set.evaluate(ev, scratch, count);
            }
        }
        long thread = Thread.currentThread().getId();
        int passes = 200;
        long before = mx.getThreadAllocatedBytes(thread);
        for (int i = 0; i < passes; i++) {
            for (AuditEvent ev : events) {
                set.evaluate(ev, scratch, count);
            }
        }
        long allocated = mx.getThreadAllocatedBytes(thread) - before;
        long evaluated = (long) passes * events.size();
        assertThat(matches[0]).isPositive();
        assertThat((double) allocated / evaluated).as("bytes allocated per event (%d events)", evaluated)
                .isLessThan(1.0);
    }
}

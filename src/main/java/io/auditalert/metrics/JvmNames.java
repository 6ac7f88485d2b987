package io.auditalert.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * Keeps Micrometer's stock JVM and process meters promtool-clean (DESIGN §3.5). Of the binders used
 * here, two names fail {@code promtool check metrics}:
 *
 * <ul>
 *   <li>{@code process_cpu_time_ns_total} (abbreviated unit, nanoseconds): dropped, and replaced by
 *       the conventional {@code process_cpu_seconds_total} ({@link #bindProcessCpuSeconds});
 *   <li>{@code system_cpu_count} (a gauge ending in {@code _count}): renamed {@code system_cpus}.
 * </ul>
 *
 * JvmCompilationMetrics ({@code jvm_compilation_time_ms_total}) is not bound at all.
 */
final class JvmNames {
    static final MeterFilter FILTER = new MeterFilter() {
        @Override
        public Meter.Id map(Meter.Id id) {
            if (id.getName().equals("system.cpu.count")) {
                return id.withName("system.cpus");
            }
            return id;
        }

        @Override
        public io.micrometer.core.instrument.config.MeterFilterReply accept(Meter.Id id) {
            String n = id.getName();
            if (n.equals("process.cpu.time") || n.startsWith("jvm.compilation.time")) {
                return io.micrometer.core.instrument.config.MeterFilterReply.DENY;
            }
            return io.micrometer.core.instrument.config.MeterFilterReply.NEUTRAL;
        }
    };

    private JvmNames() {}

    /** process_cpu_seconds_total from the JVM's process CPU time, where the platform reports it. */
    static void bindProcessCpuSeconds(MeterRegistry registry) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun && sun.getProcessCpuTime() >= 0) {
            FunctionCounter.builder("process.cpu", sun, b -> b.getProcessCpuTime() / 1e9)
                    .baseUnit("seconds")
                    .description("CPU time used by the JVM process")
                    .register(registry);
        }
    }
}

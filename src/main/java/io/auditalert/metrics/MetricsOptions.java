package io.auditalert.metrics;

import java.time.Duration;

/**
 * Tunables of the metrics endpoint; {@link #DEFAULTS} suits production.
 *
 * @param bindTimeout how long to keep retrying a busy port (auditd restarts plugins quickly and the old
 *     process may still hold it); zero tries once
 * @param kernelStatusInterval how often to read the kernel's audit status over netlink; zero disables
 *     polling (relay mode, where the wrapper forwards the values in-band)
 * @param jvmMetrics whether to export the JVM and process meters
 * @param version build version for auditalert_build_info (null: the jar's Implementation-Version)
 * @param revision source revision for auditalert_build_info (null: "unknown")
 */
public record MetricsOptions(
        Duration bindTimeout, Duration kernelStatusInterval, boolean jvmMetrics, String version, String revision) {

    public static final MetricsOptions DEFAULTS =
            new MetricsOptions(Duration.ofSeconds(30), Duration.ofSeconds(5), true, null, null);

    public MetricsOptions withBindTimeout(Duration d) {
        return new MetricsOptions(d, kernelStatusInterval, jvmMetrics, version, revision);
    }

    public MetricsOptions withKernelStatusInterval(Duration d) {
        return new MetricsOptions(bindTimeout, d, jvmMetrics, version, revision);
    }

    public MetricsOptions withJvmMetrics(boolean on) {
        return new MetricsOptions(bindTimeout, kernelStatusInterval, on, version, revision);
    }

    public MetricsOptions withBuild(String buildVersion, String buildRevision) {
        return new MetricsOptions(bindTimeout, kernelStatusInterval, jvmMetrics, buildVersion, buildRevision);
    }
}

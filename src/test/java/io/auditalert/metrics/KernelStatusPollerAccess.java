package io.auditalert.metrics;

import io.auditalert.sys.AuditStatus;

/** For tests in other packages: what one read of the kernel's status by the poller stores. */
public final class KernelStatusPollerAccess {
    private KernelStatusPollerAccess() {}

    public static void store(PipelineStats stats, AuditStatus status) {
        KernelStatusPoller.store(stats, status);
    }
}

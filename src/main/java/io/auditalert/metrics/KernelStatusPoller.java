package io.auditalert.metrics;

import io.auditalert.sys.AuditStatus;
import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the kernel's audit status every few seconds on its own daemon thread and stores lost, backlog
 * and backlog limit in {@link PipelineStats}. Stops at the first failure of its first read (not root, no
 * audit in this namespace): then the values can only come in-band from the relay.
 */
public final class KernelStatusPoller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KernelStatusPoller.class);

    private final PipelineStats stats;
    private final long intervalMillis;
    private final Thread thread;
    private volatile boolean running = true;

    private KernelStatusPoller(PipelineStats stats, Duration interval) {
        this.stats = stats;
        this.intervalMillis = Math.max(1, interval.toMillis());
        this.thread = new Thread(this::loop, "auditalert-kernel-status");
        thread.setDaemon(true);
    }

    /**
     * Reads the status once; if that works, stores it and keeps polling in the background.
     *
     * @return the running poller, or null when the kernel status cannot be read here (reason logged)
     */
    public static KernelStatusPoller startIfPermitted(PipelineStats stats, Duration interval) {
        try {
            store(stats, AuditStatus.read());
        } catch (IOException e) {
            LOG.info("kernel audit status not readable here ({}); relying on in-band relay status", e.getMessage());
            return null;
        }
        KernelStatusPoller poller = new KernelStatusPoller(stats, interval);
        poller.thread.start();
        return poller;
    }

    static void store(PipelineStats stats, AuditStatus s) {
        if (stats.kernelFromRelay) {
            return; // the relay forwards them: one source for the series
        }
        stats.kernelBacklog = s.backlog();
        stats.kernelBacklogLimit = s.backlogLimit();
        stats.kernelLost = s.lost(); // as the kernel's: auditctl --reset-lost is a counter reset
    }

    private void loop() {
        boolean failing = false;
        while (running) {
            try {
                Thread.sleep(intervalMillis);
            } catch (InterruptedException e) {
                return;
            }
            try {
                store(stats, AuditStatus.read());
                failing = false;
            } catch (IOException | RuntimeException e) {
                if (!failing) {
                    LOG.warn("reading the kernel audit status failed: {}", e.getMessage());
                }
                failing = true;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}

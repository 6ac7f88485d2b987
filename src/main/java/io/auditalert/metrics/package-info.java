/**
 * Metrics: the counters the pipeline updates on its hot path (plain fields, one writer each; {@link
 * io.auditalert.metrics.Telemetry}) and their export: {@link io.auditalert.metrics.TelemetryMeters} maps
 * them to the Micrometer meters of DESIGN §3.5, {@link io.auditalert.metrics.MetricsServer} serves them
 * (Prometheus text or OpenMetrics, TLS and basic auth from a Prometheus-style web config), and {@link
 * io.auditalert.metrics.KernelStatusPoller} reads the kernel's audit status when permitted. Reads
 * pipeline state; never drives it, and registers no meter on the hot path.
 */
package io.auditalert.metrics;

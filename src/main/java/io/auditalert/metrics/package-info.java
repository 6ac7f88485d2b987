/**
 * Metrics: the counters the pipeline updates on its hot path (plain fields, one writer each) and
 * their export through Micrometer's Prometheus registry. Reads pipeline state; never drives it.
 */
package io.auditalert.metrics;

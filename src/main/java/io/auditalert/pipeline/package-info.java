/**
 * Wiring: builds the stages (reader, assembler, ring, workers, alert stage, sinks) for a command,
 * owns their threads, and runs start, reload and the ordered shutdown (reader, ring, workers,
 * sinks). Holds no parsing, rule or delivery logic of its own.
 */
package io.auditalert.pipeline;

/**
 * Command line: parses arguments, wires the pipeline for each command (run, replay, events, check,
 * demo) and maps outcomes to exit codes. Holds no pipeline logic of its own.
 */
package io.auditalert.cli;

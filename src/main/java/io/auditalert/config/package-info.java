/**
 * Configuration: the settings of DESIGN §3.2 as one immutable-after-load object, and the YAML
 * loading that reports every error with file, line and column. Reads files; starts nothing.
 */
package io.auditalert.config;

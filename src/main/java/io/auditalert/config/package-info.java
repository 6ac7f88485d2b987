/**
 * Configuration: the settings of DESIGN §3.2 as one immutable-after-load object, and the YAML
 * loading that reports every error with file, line and column ({@link io.auditalert.config.YamlDoc},
 * {@link io.auditalert.config.YamlNode}, {@link io.auditalert.config.ConfigError}). Reads files;
 * starts nothing.
 */
package io.auditalert.config;

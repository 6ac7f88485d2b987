/**
 * Configuration files: {@link io.auditalert.config.YamlDoc} loads YAML with line/column positions and
 * collects {@link io.auditalert.config.ConfigError}s instead of stopping at the first one. Owns no
 * pipeline state; it reads files and reports, it never starts anything.
 */
package io.auditalert.config;

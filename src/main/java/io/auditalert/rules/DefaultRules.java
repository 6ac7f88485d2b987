package io.auditalert.rules;

import io.auditalert.metrics.Telemetry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The default rules bundled in the jar under {@code /defaults/rules.d/} (the same files the packages
 * install in /etc/auditalert/rules.d). A jar directory cannot be listed, so the files are named here;
 * a test checks this list against the directory.
 */
public final class DefaultRules {
    public static final String RESOURCE_DIR = "/defaults/rules.d/";
    public static final List<String> FILES = List.of("00-lists-macros.yml", "10-binaries.yml", "20-execution.yml",
            "30-files.yml", "35-persistence.yml", "40-audit.yml", "50-kernel.yml", "55-processes.yml", "60-network.yml", "70-authentication.yml");

    private DefaultRules() {}

    /** The bundled files' texts, in load order, keyed by a display name such as {@code defaults/rules.d/10-binaries.yml}. */
    public static Map<String, String> texts() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String f : FILES) {
            try (InputStream in = DefaultRules.class.getResourceAsStream(RESOURCE_DIR + f)) {
                if (in == null) {
                    throw new IllegalStateException("bundled rules file missing: " + RESOURCE_DIR + f);
                }
                out.put(RESOURCE_DIR.substring(1) + f, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /** Loads the bundled default rules (for {@code demo}). */
    public static RuleLoader.Result load(Names names, Telemetry telemetry) {
        return RuleLoader.loadTexts(texts(), names, telemetry);
    }
}

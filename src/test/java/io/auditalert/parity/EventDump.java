package io.auditalert.parity;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The events one side produced for one input file.
 *
 * @param file the input file
 * @param events the events, each a parsed DESIGN §3.4 object, in output order
 * @param malformed lines the side reported as unparseable instead of as events (auparse only)
 * @param error why the side could not read the file at all, or null
 */
record EventDump(Path file, List<Map<String, Object>> events, List<Map<String, Object>> malformed, String error) {

    boolean readable() {
        return error == null;
    }
}

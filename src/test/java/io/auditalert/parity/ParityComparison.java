package io.auditalert.parity;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Compares {@code auditalert events} output with the libauparse reference, event by event, and
 * keeps the agreement figures and the differences grouped by (record type, field, kind).
 *
 * <p>Events are matched by (node, time, serial, occurrence): the n-th event with that identity on
 * one side is set against the n-th on the other, so the emission order does not matter for the
 * match (it is counted separately). When both sides hold the same records of one identity but cut
 * them into a different number of events (libauparse 3.0.9 ends an event at LOGIN, or on a record
 * timestamp 2 s later), that is one "events-merged"/"events-split" difference and the records are
 * still compared one by one. Event-level differences (missing, extra) are grouped by file name in
 * the field column, so a declared one cannot hide the same kind elsewhere. Within a matched event, records are paired by (type,
 * occurrence of that type); within a paired record, fields are paired by name.
 */
final class ParityComparison {

    /** Difference kinds. */
    static final String EVENT_MISSING = "event-missing";
    static final String EVENT_EXTRA = "event-extra";
    static final String FILE_ERROR = "cli-error";
    static final String EVENTS_MERGED = "events-merged";
    static final String EVENTS_SPLIT = "events-split";
    static final String RECORD_MISSING = "record-missing";
    static final String RECORD_EXTRA = "record-extra";
    static final String RECORD_ORDER = "record-order";
    static final String FIELD_MISSING = "field-missing";
    static final String FIELD_EXTRA = "field-extra";
    static final String FIELD_ORDER = "field-order";
    static final String RAW = "raw";
    static final String INTERP = "interp";
    static final String INTERP_MISSING = "interp-missing";
    static final String INTERP_EXTRA = "interp-extra";

    /**
     * A difference the suite accepts, with its reason. {@code "*"} matches any record type, field
     * or kind. It never excuses a difference in a common field (see {@link #isCommonField}).
     */
    record KnownDifference(String recordType, String field, String kind, String reason) {
        boolean covers(GroupKey key) {
            return matches(recordType, key.recordType()) && matches(field, key.field()) && matches(kind, key.kind());
        }

        private static boolean matches(String pattern, String value) {
            return "*".equals(pattern) || Objects.equals(pattern, value);
        }
    }

    /** Where differences are grouped: field names are normalised (name#2 → name#n, EXECVE a7 → aN). */
    record GroupKey(String recordType, String field, String kind) implements Comparable<GroupKey> {
        @Override
        public int compareTo(GroupKey o) {
            int c = recordType.compareTo(o.recordType);
            if (c == 0) {
                c = field.compareTo(o.field);
            }
            return c == 0 ? kind.compareTo(o.kind) : c;
        }

        @Override
        public String toString() {
            return (recordType.isEmpty() ? "(no type)" : recordType) + " / " + field + " / " + kind;
        }
    }

    /** One occurrence: file and line, the values on both sides, the input line. */
    record Example(String where, String reference, String actual, String input) {
    }

    static final class Group {
        long count;
        boolean common;
        final List<Example> examples = new ArrayList<>();
    }

    private static final int EXAMPLES = 3;
    private static final Set<String> COMMON = Set.of("arch", "syscall", "success", "exit", "pid", "ppid", "comm",
            "exe", "cwd", "name", "key", "proctitle", "saddr", "uid", "auid", "euid", "suid", "fsuid", "gid", "egid",
            "sgid", "fsgid", "ouid", "ogid", "oauid", "old-auid", "new-auid", "old-uid", "new-uid",
            "old-gid", "new-gid", "sauid", "id", "inode_uid", "inode_gid");
    private static final Pattern EXECVE_ARG = Pattern.compile("a\\d+");
    private static final Pattern EXECVE_CHUNK = Pattern.compile("a\\d+\\[\\d+\\]");
    private static final Pattern EXECVE_LEN = Pattern.compile("a\\d+_len");
    private static final Pattern REPEAT = Pattern.compile("#\\d+$");

    long files;
    long eventsTotal;
    long eventsAgree;
    long eventsIdentical;
    long recordsTotal;
    long recordsAgree;
    long rawTotal;
    long rawAgree;
    long interpTotal;
    long interpAgree;
    long orderInversions;
    long malformedLines;
    final Map<Path, String> unreadable = new LinkedHashMap<>();
    final Map<GroupKey, Group> groups = new TreeMap<>();

    /** Sets one file's two dumps side by side. */
    void compareFile(EventDump reference, EventDump actual) {
        if (!reference.readable()) {
            unreadable.put(reference.file(), reference.error());
            return;
        }
        files++;
        malformedLines += reference.malformed().size();
        if (!actual.readable()) {
            eventsTotal += reference.events().size();
            difference(new GroupKey("-", "-", FILE_ERROR), false,
                    new Example(reference.file().toString(), reference.events().size() + " events", actual.error(), ""));
            return;
        }
        String name = reference.file().getFileName().toString();
        List<Map<String, Object>> act = actual.events();
        Map<String, List<Integer>> actualByKey = new LinkedHashMap<>();
        for (int i = 0; i < act.size(); i++) {
            actualByKey.computeIfAbsent(eventKey(act.get(i)), k -> new ArrayList<>()).add(i);
        }
        Map<String, List<Integer>> referenceByKey = new LinkedHashMap<>();
        List<Map<String, Object>> ref = reference.events();
        for (int i = 0; i < ref.size(); i++) {
            referenceByKey.computeIfAbsent(eventKey(ref.get(i)), k -> new ArrayList<>()).add(i);
        }
        boolean[] used = new boolean[act.size()];
        int lastMatched = -1;
        for (Map.Entry<String, List<Integer>> e : referenceByKey.entrySet()) {
            String key = e.getKey();
            List<Integer> refs = e.getValue();
            List<Integer> acts = actualByKey.getOrDefault(key, List.of());
            if (!acts.isEmpty() && acts.size() != refs.size() && sameConcatenation(ref, refs, act, acts)) {
                // libauparse cut the records of one identity into a different number of events
                eventsTotal += Math.max(refs.size(), acts.size());
                List<Map<String, Object>> refRecords = concatenation(ref, refs);
                List<Map<String, Object>> actRecords = concatenation(act, acts);
                difference(new GroupKey(typeOf(refRecords.get(0)), "-",
                                acts.size() < refs.size() ? EVENTS_MERGED : EVENTS_SPLIT), false,
                        new Example(where(reference.file(), refRecords.get(0)), eventShapes(ref, refs),
                                eventShapes(act, acts), text(refRecords.get(0))));
                for (int i = 0; i < refRecords.size(); i++) {
                    recordsTotal++;
                    recordsAgree++;
                    compareRecord(reference.file(), refRecords.get(i), actRecords.get(i));
                }
                acts.forEach(i -> used[i] = true);
                continue;
            }
            for (int occurrence = 0; occurrence < refs.size(); occurrence++) {
                Map<String, Object> r = ref.get(refs.get(occurrence));
                eventsTotal++;
                if (occurrence >= acts.size()) {
                    Map<String, Object> first = firstRecord(r);
                    difference(new GroupKey(typeOf(first), name, EVENT_MISSING), false,
                            new Example(where(reference.file(), first), key + " " + recordTypes(r), "(none)",
                                    text(first)));
                    continue;
                }
                int index = acts.get(occurrence);
                used[index] = true;
                if (index < lastMatched) {
                    orderInversions++;
                }
                lastMatched = Math.max(lastMatched, index);
                if (compareEvent(reference.file(), r, act.get(index))) {
                    eventsIdentical++;
                }
            }
        }
        for (int i = 0; i < act.size(); i++) {
            if (!used[i]) {
                eventsTotal++;
                Map<String, Object> first = firstRecord(act.get(i));
                difference(new GroupKey(typeOf(first), name, EVENT_EXTRA), false,
                        new Example(reference.file() + " (auditalert event #" + (i + 1) + ")", "(none)",
                                eventKey(act.get(i)) + " " + recordTypes(act.get(i)), ""));
            }
        }
    }

    private static boolean sameConcatenation(List<Map<String, Object>> ref, List<Integer> refs,
            List<Map<String, Object>> act, List<Integer> acts) {
        List<String> a = concatenation(ref, refs).stream().map(ParityComparison::typeOf).toList();
        List<String> b = concatenation(act, acts).stream().map(ParityComparison::typeOf).toList();
        return !a.isEmpty() && a.equals(b);
    }

    private static List<Map<String, Object>> concatenation(List<Map<String, Object>> events, List<Integer> which) {
        List<Map<String, Object>> out = new ArrayList<>();
        which.forEach(i -> out.addAll(records(events.get(i))));
        return out;
    }

    private static String eventShapes(List<Map<String, Object>> events, List<Integer> which) {
        return which.stream().map(i -> recordTypes(events.get(i))).toList().toString();
    }

    /** Returns true when the two events agree in every compared respect. */
    private boolean compareEvent(Path file, Map<String, Object> ref, Map<String, Object> act) {
        long before = totalDifferences();
        List<Map<String, Object>> refRecords = records(ref);
        List<Map<String, Object>> actRecords = records(act);
        List<String> refTypes = refRecords.stream().map(ParityComparison::typeOf).toList();
        List<String> actTypes = actRecords.stream().map(ParityComparison::typeOf).toList();
        if (refTypes.equals(actTypes)) {
            eventsAgree++;
        }
        Map<String, Integer> actIndex = new HashMap<>();
        Map<String, List<Integer>> actByType = new HashMap<>();
        for (int i = 0; i < actRecords.size(); i++) {
            actByType.computeIfAbsent(actTypes.get(i), k -> new ArrayList<>()).add(i);
        }
        boolean[] used = new boolean[actRecords.size()];
        for (int i = 0; i < refRecords.size(); i++) {
            Map<String, Object> r = refRecords.get(i);
            String type = refTypes.get(i);
            recordsTotal++;
            int occurrence = actIndex.merge(type, 1, Integer::sum) - 1;
            List<Integer> candidates = actByType.getOrDefault(type, List.of());
            if (occurrence >= candidates.size()) {
                difference(new GroupKey(type, "-", RECORD_MISSING), false,
                        new Example(where(file, r), refTypes.toString(), actTypes.toString(), text(r)));
                continue;
            }
            int j = candidates.get(occurrence);
            used[j] = true;
            recordsAgree++;
            compareRecord(file, r, actRecords.get(j));
        }
        for (int j = 0; j < actRecords.size(); j++) {
            if (!used[j]) {
                recordsTotal++;
                difference(new GroupKey(actTypes.get(j), "-", RECORD_EXTRA), false,
                        new Example(where(file, firstRecord(ref)), refTypes.toString(), actTypes.toString(), ""));
            }
        }
        if (!refTypes.equals(actTypes) && sorted(refTypes).equals(sorted(actTypes))) {
            difference(new GroupKey(refTypes.isEmpty() ? "-" : refTypes.get(0), "-", RECORD_ORDER), false,
                    new Example(where(file, firstRecord(ref)), refTypes.toString(), actTypes.toString(), ""));
        }
        return totalDifferences() == before;
    }

    private void compareRecord(Path file, Map<String, Object> ref, Map<String, Object> act) {
        String type = typeOf(ref);
        Map<String, Object> refFields = map(ref.get("fields"));
        Map<String, Object> refInterp = map(ref.get("interp"));
        Map<String, Object> actFields = map(act.get("fields"));
        Map<String, Object> actInterp = map(act.get("interp"));
        Set<String> idFields = Set.copyOf(stringList(ref.get("@idfields")));
        String where = where(file, ref);
        String input = text(ref);
        for (Map.Entry<String, Object> e : refFields.entrySet()) {
            String name = e.getKey();
            boolean common = isCommonField(type, name, idFields);
            rawTotal++;
            interpTotal++;
            if (!actFields.containsKey(name)) {
                difference(new GroupKey(type, groupName(type, name), FIELD_MISSING), common,
                        new Example(where, name + "=" + show(e.getValue()), "(none)", input));
                continue;
            }
            Object actValue = actFields.get(name);
            if (same(e.getValue(), actValue)) {
                rawAgree++;
            } else {
                difference(new GroupKey(type, groupName(type, name), RAW), common,
                        new Example(where, name + "=" + show(e.getValue()), name + "=" + show(actValue), input));
            }
            if (!actInterp.containsKey(name)) {
                difference(new GroupKey(type, groupName(type, name), INTERP_MISSING), common,
                        new Example(where, name + " -> " + show(refInterp.get(name)), "(none)", input));
            } else if (same(refInterp.get(name), actInterp.get(name))) {
                interpAgree++;
            } else {
                difference(new GroupKey(type, groupName(type, name), INTERP), common,
                        new Example(where, name + "=" + show(e.getValue()) + " -> " + show(refInterp.get(name)),
                                name + "=" + show(actValue) + " -> " + show(actInterp.get(name)), input));
            }
        }
        for (Map.Entry<String, Object> e : actFields.entrySet()) {
            String name = e.getKey();
            if (!refFields.containsKey(name)) {
                rawTotal++;
                interpTotal++;
                difference(new GroupKey(type, groupName(type, name), FIELD_EXTRA),
                        isCommonField(type, name, idFields),
                        new Example(where, "(none)", name + "=" + show(e.getValue()), input));
            }
        }
        for (String name : actInterp.keySet()) {
            if (!actFields.containsKey(name)) {
                difference(new GroupKey(type, groupName(type, name), INTERP_EXTRA), false,
                        new Example(where, "(none)", name + " -> " + show(actInterp.get(name)), input));
            }
        }
        List<String> refOrder = refFields.keySet().stream().filter(actFields::containsKey).toList();
        List<String> actOrder = actFields.keySet().stream().filter(refFields::containsKey).toList();
        if (!refOrder.equals(actOrder)) {
            difference(new GroupKey(type, "-", FIELD_ORDER), false,
                    new Example(where, refOrder.toString(), actOrder.toString(), input));
        }
    }

    /**
     * Equality of two values as bytes. The reference writes a byte that is not part of valid UTF-8
     * as the lone surrogate U+DC80..U+DCFF (python's surrogateescape); auditalert writes it as
     * U+0080..U+00FF (JsonBytes). Both name the same byte, so both are mapped to U+0080..U+00FF.
     */
    static boolean same(Object reference, Object actual) {
        return Objects.equals(canonical(reference), canonical(actual));
    }

    private static Object canonical(Object value) {
        if (!(value instanceof String s)) {
            return value;
        }
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0xDC80 && c <= 0xDCFF) {
                if (sb == null) {
                    sb = new StringBuilder(s);
                }
                sb.setCharAt(i, (char) (c - 0xDC00));
            }
        }
        return sb == null ? s : sb.toString();
    }

    /**
     * The fields where no difference is acceptable (issue 2): arch, syscall, success, exit, the
     * uid/gid family (also every field auparse itself types as a uid or gid), pid, ppid, comm, exe,
     * cwd, name, key, proctitle, saddr, and every EXECVE argument field.
     */
    static boolean isCommonField(String recordType, String field, Set<String> idFields) {
        String base = REPEAT.matcher(field).replaceFirst("");
        if (COMMON.contains(base) || idFields.contains(field)) {
            return true;
        }
        return "EXECVE".equals(recordType) && (base.equals("argc") || EXECVE_ARG.matcher(base).matches()
                || EXECVE_CHUNK.matcher(base).matches() || EXECVE_LEN.matcher(base).matches());
    }

    static String groupName(String recordType, String field) {
        String base = REPEAT.matcher(field).find() ? REPEAT.matcher(field).replaceFirst("#n") : field;
        if ("EXECVE".equals(recordType)) {
            if (EXECVE_ARG.matcher(base).matches()) {
                return "aN";
            }
            if (EXECVE_CHUNK.matcher(base).matches()) {
                return "aN[k]";
            }
            if (EXECVE_LEN.matcher(base).matches()) {
                return "aN_len";
            }
        }
        return base;
    }

    private void difference(GroupKey key, boolean common, Example example) {
        Group g = groups.computeIfAbsent(key, k -> new Group());
        g.count++;
        g.common |= common;
        if (g.examples.size() < EXAMPLES) {
            g.examples.add(example);
        }
    }

    long totalDifferences() {
        return groups.values().stream().mapToLong(g -> g.count).sum();
    }

    /** Groups that fail the suite: any in a common field, and any not covered by {@code known}. */
    List<String> violations(List<KnownDifference> known) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<GroupKey, Group> e : groups.entrySet()) {
            if (e.getValue().common) {
                out.add("common field differs: " + e.getKey() + " (" + e.getValue().count + "x), e.g. "
                        + e.getValue().examples.get(0));
            } else if (known.stream().noneMatch(k -> k.covers(e.getKey()))) {
                out.add("undeclared difference: " + e.getKey() + " (" + e.getValue().count + "x), e.g. "
                        + e.getValue().examples.get(0));
            }
        }
        return out;
    }

    /** Declared differences that did not occur in this run. */
    List<KnownDifference> unused(List<KnownDifference> known) {
        return known.stream().filter(k -> groups.keySet().stream().noneMatch(k::covers)).toList();
    }

    String report(String title) {
        StringBuilder sb = new StringBuilder();
        sb.append("=== ").append(title).append(" ===\n");
        sb.append(String.format("files compared: %d; libauparse does not read: %d%n", files, unreadable.size()));
        unreadable.forEach((f, why) -> sb.append("  not read by libauparse: ").append(f).append(" (").append(why)
                .append(")\n"));
        if (malformedLines > 0) {
            sb.append(String.format("lines libauparse turned into time-less pseudo-events (not compared): %d%n",
                    malformedLines));
        }
        sb.append(figure("events (same records, same types, same order)", eventsAgree, eventsTotal));
        sb.append(figure("records (paired by type)", recordsAgree, recordsTotal));
        sb.append(figure("fields raw", rawAgree, rawTotal));
        sb.append(figure("fields interp", interpAgree, interpTotal));
        long agree = eventsAgree + recordsAgree + rawAgree + interpAgree;
        long total = eventsTotal + recordsTotal + rawTotal + interpTotal;
        sb.append(figure("overall (all four dimensions)", agree, total));
        sb.append(figure("events identical in every respect", eventsIdentical, eventsTotal));
        sb.append(String.format("events emitted in another order than libauparse's: %d%n", orderInversions));
        sb.append(String.format("differences: %d in %d groups (record type / field / kind)%n",
                totalDifferences(), groups.size()));
        for (Map.Entry<GroupKey, Group> e : groups.entrySet()) {
            Group g = e.getValue();
            sb.append(String.format("  %-60s %6d%s%n", e.getKey(), g.count, g.common ? "  [COMMON FIELD]" : ""));
            for (Example x : g.examples) {
                sb.append("      at ").append(x.where()).append("\n");
                sb.append("        libauparse: ").append(x.reference()).append("\n");
                sb.append("        auditalert: ").append(x.actual()).append("\n");
                if (!x.input().isEmpty()) {
                    sb.append("        input: ").append(x.input()).append("\n");
                }
            }
        }
        return sb.toString();
    }

    private static String figure(String what, long agree, long total) {
        double pct = total == 0 ? 100.0 : 100.0 * agree / total;
        return String.format("agreement %-48s %10d / %-10d = %8.4f %%%n", what + ":", agree, total, pct);
    }

    static String eventKey(Map<String, Object> event) {
        return event.get("node") + "|" + event.get("time") + "|" + event.get("serial");
    }

    private static String recordTypes(Map<String, Object> event) {
        return records(event).stream().map(ParityComparison::typeOf).toList().toString();
    }

    private static List<Map<String, Object>> records(Map<String, Object> event) {
        Object r = event.get("records");
        if (!(r instanceof List)) {
            return List.of();
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object o : Json.array(r)) {
            out.add(map(o));
        }
        return out;
    }

    private static Map<String, Object> firstRecord(Map<String, Object> event) {
        List<Map<String, Object>> r = records(event);
        return r.isEmpty() ? Map.of() : r.get(0);
    }

    /** The record type; a record with no type (null from auparse, "" from auditalert) is "". */
    private static String typeOf(Map<String, Object> record) {
        Object t = record.get("type");
        return t == null ? "" : t.toString();
    }

    private static Map<String, Object> map(Object o) {
        return o instanceof Map ? Json.object(o) : Map.of();
    }

    private static List<String> stringList(Object o) {
        if (!(o instanceof List)) {
            return List.of();
        }
        return Json.array(o).stream().map(String::valueOf).toList();
    }

    private static List<String> sorted(List<String> list) {
        return list.stream().sorted().toList();
    }

    private static String where(Path file, Map<String, Object> record) {
        Object line = record.get("@line");
        return line == null ? file.toString() : file + ":" + line;
    }

    private static String text(Map<String, Object> record) {
        Object t = record.get("@text");
        if (t == null) {
            return "";
        }
        String s = show(t);
        return s.length() > 400 ? s.substring(0, 400) + "…" : s;
    }

    /** A value as it can be read in a report: JSON-style escapes for control characters. */
    static String show(Object value) {
        if (value == null) {
            return "null";
        }
        String s = value.toString();
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}

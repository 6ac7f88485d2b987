package io.auditalert.alert;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Typed, error-collecting access to one sink's YAML map. Every getter records the key as known, so
 * {@link #finish()} can report the unknown ones; every bad value becomes a {@link
 * SinkConfigException} naming its key, and reading goes on so {@code check} can report them all.
 */
public final class SpecReader {
    private final int index;
    private final Map<String, Object> spec;
    private final Set<String> known = new LinkedHashSet<>();
    private final List<SinkConfigException> errors = new ArrayList<>();

    public SpecReader(int index, Map<String, Object> spec) {
        this.index = index;
        this.spec = spec == null ? Map.of() : spec;
    }

    public int index() {
        return index;
    }

    public List<SinkConfigException> errors() {
        return errors;
    }

    public void error(String key, String problem) {
        errors.add(new SinkConfigException(index, key == null ? List.of() : List.of(key), problem));
    }

    public void error(List<Object> path, String problem) {
        errors.add(new SinkConfigException(index, path, problem));
    }

    public boolean has(String key) {
        known.add(key);
        return spec.containsKey(key) && spec.get(key) != null;
    }

    public Object raw(String key) {
        known.add(key);
        return spec.get(key);
    }

    /** Reports every key no getter asked for. */
    public void finish() {
        for (String k : spec.keySet()) {
            if (k.equals("<<")) {
                error(k, "a YAML merge key (<<) is not supported here: write the keys out");
            } else if (!known.contains(k)) {
                error(k, "unknown key" + (spec.get("type") != null ? " for a " + spec.get("type") + " sink" : "")
                        + " (known: " + String.join(", ", known) + ")");
            }
        }
    }

    public String string(String key, String dflt) {
        Object v = raw(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof String str && str.indexOf('\0') >= 0) {
            error(key, NUL);
            return dflt;
        }
        if (v instanceof String || v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        error(key, "expected a string");
        return dflt;
    }

    /** Paths, addresses, commands and header values all end at a NUL, so none may hold one. */
    private static final String NUL = "a NUL character (\\0) cannot be part of a value";

    public String requiredString(String key) {
        if (!has(key)) {
            error(key, "required");
            return null;
        }
        String s = string(key, null);
        if (s != null && s.isEmpty()) {
            error(key, "must not be empty");
        }
        return s;
    }

    public String oneOf(String key, String dflt, String... allowed) {
        String v = string(key, dflt);
        if (v == null) {
            return null;
        }
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        error(key, "expected one of " + String.join(", ", allowed) + ", got \"" + v + "\"");
        return dflt;
    }

    public boolean bool(String key, boolean dflt) {
        Object v = raw(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        error(key, "expected true or false");
        return dflt;
    }

    public long integer(String key, long dflt, long min, long max) {
        Object v = raw(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Number && !(v instanceof Double || v instanceof Float)) {
            long n = ((Number) v).longValue();
            if (n < min || n > max) {
                error(key, "expected a whole number from " + min + " to " + max + ", got " + n);
                return dflt;
            }
            return n;
        }
        error(key, "expected a whole number");
        return dflt;
    }

    /** A duration such as 500ms, 10s, 1m, 2h, 1d, in milliseconds. */
    public long duration(String key, long dfltMillis, long minMillis) {
        Object v = raw(key);
        if (v == null) {
            return dfltMillis;
        }
        long ms = v instanceof String ? parseDuration((String) v) : -1;
        if (ms < 0) {
            error(key, "expected a duration like 10s (units ms, s, m, h, d)");
            return dfltMillis;
        }
        if (ms < minMillis) {
            error(key, "must be at least " + minMillis + "ms");
            return dfltMillis;
        }
        return ms;
    }

    /** A size such as 64MiB, 10MB, 512KiB or a plain number of bytes. */
    public long size(String key, long dflt, long min) {
        Object v = raw(key);
        if (v == null) {
            return dflt;
        }
        long n = v instanceof Number ? ((Number) v).longValue() : v instanceof String ? parseSize((String) v) : -1;
        if (n < 0) {
            error(key, "expected a size like 64MiB (units B, KiB, MiB, GiB, KB, MB, GB)");
            return dflt;
        }
        if (n < min) {
            error(key, "must be at least " + min + " bytes");
            return dflt;
        }
        return n;
    }

    /** A string or a list of strings. */
    public List<String> strings(String key, List<String> dflt) {
        Object v = raw(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof String) {
            String one = string(key, null);
            return one == null ? dflt : List.of(one);
        }
        if (v instanceof List) {
            List<String> out = new ArrayList<>();
            List<?> l = (List<?>) v;
            for (int i = 0; i < l.size(); i++) {
                Object e = l.get(i);
                if (e instanceof String str && str.indexOf('\0') >= 0) {
                    error(List.of(key, i), NUL);
                } else if (e instanceof String || e instanceof Number || e instanceof Boolean) {
                    out.add(e.toString());
                } else {
                    error(List.of(key, i), "expected a string");
                }
            }
            return out;
        }
        error(key, "expected a string or a list of strings");
        return dflt;
    }

    /** A map of string to string (labels, headers). */
    public Map<String, String> stringMap(String key) {
        Object v = raw(key);
        Map<String, String> out = new LinkedHashMap<>();
        if (v == null) {
            return out;
        }
        if (!(v instanceof Map)) {
            error(key, "expected a map of names to strings");
            return out;
        }
        for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
            Object val = e.getValue();
            if (!(e.getKey() instanceof String) || val instanceof Map || val instanceof List || val == null) {
                error(List.of(key, String.valueOf(e.getKey())), "expected a string value");
                continue;
            }
            if (((String) e.getKey()).indexOf('\0') >= 0 || val.toString().indexOf('\0') >= 0) {
                error(List.of(key, String.valueOf(e.getKey())), NUL);
                continue;
            }
            out.put((String) e.getKey(), val.toString());
        }
        return out;
    }

    /** A nested map (for example {@code tls:} or {@code rate_limit:}), or null when absent. */
    public SpecReader nested(String key) {
        Object v = raw(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Map)) {
            error(key, "expected a map");
            return null;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        return new SpecReader(index, m).forwardTo(this, key);
    }

    private SpecReader forwardParent;
    private String forwardKey;

    private SpecReader forwardTo(SpecReader parent, String key) {
        this.forwardParent = parent;
        this.forwardKey = key;
        return this;
    }

    /** Moves this nested reader's errors into its parent, prefixed with the nesting key. */
    public void finishNested() {
        finish();
        if (forwardParent != null) {
            for (SinkConfigException e : errors) {
                List<Object> p = new ArrayList<>();
                p.add(forwardKey);
                p.addAll(e.path());
                forwardParent.error(p, e.problem());
            }
            errors.clear();
        }
    }

    /** Milliseconds of a duration string, or -1. */
    public static long parseDuration(String s) {
        s = s.trim();
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        if (i == 0 || i > 15) {
            return -1;
        }
        long n = Long.parseLong(s.substring(0, i));
        switch (s.substring(i).trim()) {
            case "ms":
                return n;
            case "s":
                return n * 1000;
            case "m":
                return n * 60_000;
            case "h":
                return n * 3_600_000;
            case "d":
                return n * 86_400_000;
            default:
                return -1;
        }
    }

    /** Bytes of a size string, or -1. */
    public static long parseSize(String s) {
        s = s.trim();
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        if (i == 0 || i > 15) {
            return -1;
        }
        long n = Long.parseLong(s.substring(0, i));
        long unit = switch (s.substring(i).trim().toLowerCase(Locale.ROOT)) {
            case "", "b" -> 1;
            case "kib", "k" -> 1L << 10;
            case "mib", "m" -> 1L << 20;
            case "gib", "g" -> 1L << 30;
            case "kb" -> 1000;
            case "mb" -> 1000_000;
            case "gb" -> 1000_000_000;
            default -> -1;
        };
        return unit > 0 && n <= Long.MAX_VALUE / unit ? n * unit : -1;
    }
}

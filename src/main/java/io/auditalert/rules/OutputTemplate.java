package io.auditalert.rules;

import io.auditalert.interp.Interpreter;
import io.auditalert.parse.ByteBuf;
import io.auditalert.parse.Values;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A rule's {@code output}: literal text with {@code {field}} placeholders, compiled once. A placeholder
 * takes the field's first present value, decoded; identity fields print the name auditd recorded
 * with the record (log_format = ENRICHED), else the user or group name this machine knows
 * ({@code unset} for 4294967295), {@code syscall} its name, {@code saddr} its family, address and
 * port as libauparse prints them; a missing value prints {@code ?}. {@code {?name}} prints
 * {@code " name=VALUE"} when the event has the field and nothing when it has not.
 * {@code {{} and {@code }}} are literal braces.
 *
 * <p>Without an {@code output}, a rule renders {@link #summary}: the first record's type followed by
 * {@code name=value} for those of syscall, success, exit, exe, comm, path, acct, op, res, auid, uid and
 * key that the event has.
 */
final class OutputTemplate {
    private static final byte[] UNSET = "unset".getBytes(StandardCharsets.US_ASCII);

    /**
     * A literal, or a field with an optional label that makes the segment vanish when absent, and for
     * an identity field the field with the name auditd recorded for it.
     */
    private record Segment(byte[] literal, Field field, byte[] optionalLabel, Field recordedName, boolean sockaddr,
            int execveArgument, byte[] execveChunk) {
        static Segment literal(String text) {
            return new Segment(text.getBytes(StandardCharsets.UTF_8), null, null, null, false, -1, null);
        }

        static Segment field(Field f, byte[] optionalLabel) {
            return new Segment(null, f, optionalLabel, f.recordedName(),
                    f.label.equals("saddr") || f.label.endsWith(".saddr"), f.execveArgument(), f.execveChunk());
        }
    }

    /** Decodes socket addresses for output ({@code saddr} is hex; its reader keeps a scratch buffer). */
    private static final ThreadLocal<Interpreter> SOCKADDR = ThreadLocal.withInitial(Interpreter::new);

    private final List<Segment> segments;
    private final boolean summary;
    private final Names names;

    private OutputTemplate(List<Segment> segments, boolean summary, Names names) {
        this.segments = segments;
        this.summary = summary;
        this.names = names;
    }

    /** Compiles a template; unknown fields are reported at their offset and the result is null. */
    static OutputTemplate compile(String template, RuleCompiler compiler, ConditionParser.Errors errs,
            Names names) {
        List<Segment> out = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        boolean ok = true;
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c == '{' && i + 1 < template.length() && template.charAt(i + 1) == '{') {
                lit.append('{');
                i += 2;
            } else if (c == '}' && i + 1 < template.length() && template.charAt(i + 1) == '}') {
                lit.append('}');
                i += 2;
            } else if (c == '{') {
                int end = template.indexOf('}', i);
                if (end < 0) {
                    errs.error(i, "unclosed '{' in output");
                    return null;
                }
                int inner = template.indexOf('{', i + 1);
                if (inner >= 0 && inner < end) {
                    // "{auid ran {exe}": the first { is not closed before the next opens
                    errs.error(i, "this '{' is not closed before the next '{' (write '{{' for the character)");
                    return null;
                }
                String name = template.substring(i + 1, end).trim();
                // {?name}: " name=VALUE" when the event has the field, nothing when it has not
                boolean optional = name.startsWith("?");
                if (optional) {
                    name = name.substring(1).trim();
                }
                int namePos = i + 1 + (template.substring(i + 1, end).indexOf(name.isEmpty() ? " " : name));
                if (lit.length() > 0) {
                    out.add(Segment.literal(lit.toString()));
                    lit.setLength(0);
                }
                Field f = name.isEmpty() ? null : compiler.field(
                        new ConditionParser.Token(ConditionParser.Kind.WORD, name, Math.max(namePos, i + 1)), errs);
                if (name.isEmpty()) {
                    errs.error(i, "no field name in '" + template.substring(i, end + 1) + "'");
                }
                if (f == null) {
                    ok = false;
                } else {
                    out.add(Segment.field(f, optional ? (" " + name + "=").getBytes(StandardCharsets.UTF_8) : null));
                }
                i = end + 1;
            } else {
                lit.append(c);
                i++;
            }
        }
        if (lit.length() > 0) {
            out.add(Segment.literal(lit.toString()));
        }
        return ok ? new OutputTemplate(out, false, names) : null;
    }

    /** The default output: a summary of the event. */
    static OutputTemplate summary(Names names) {
        List<Segment> out = new ArrayList<>();
        for (String name : new String[] {"syscall", "success", "exit", "exe", "comm", "path", "acct", "op", "res",
            "auid", "uid", "key"}) {
            Field f = switch (name) {
                case "syscall" -> new Field.SyscallName(names);
                case "path" -> new Field.PathName();
                case "key" -> new Field.AnyKey();
                default -> new Field.First(name, Field.kindOf(name));
            };
            out.add(Segment.field(f, (" " + name + "=").getBytes(StandardCharsets.US_ASCII)));
        }
        return new OutputTemplate(out, true, names);
    }

    /**
     * Appends the output; {@code redactor} masks secrets in each value put in, never in the template's
     * own text (a mask such as {@code --password=\S+} over the whole line took the {@code )} after
     * {@code ({argv})} with the secret).
     */
    void render(EvalScratch s, ByteBuf out, Redactor redactor) {
        if (summary && s.ev.recordCount() > 0) {
            out.putLatin1(s.ev.recordTypeName(0));
        }
        for (Segment seg : segments) {
            if (seg.literal != null) {
                out.put(seg.literal);
                continue;
            }
            boolean present = seg.field.first(s);
            if (seg.optionalLabel != null) {
                if (!present) {
                    continue;
                }
                out.put(seg.optionalLabel);
            }
            if (!present) {
                out.put((byte) '?');
                continue;
            }
            int start = out.length();
            if (seg.recordedName != null && seg.recordedName.first(s)) {
                out.put(s.vb, s.voff, s.vlen); // the name as auditd wrote it (ENRICHED), as events shows it
            } else if (seg.sockaddr) {
                SOCKADDR.get().sockaddr(s.vb, s.voff, s.vlen, out); // family, address and port, not hex
            } else {
                appendValue(seg.field, s, out);
            }
            if (seg.execveArgument >= 0 && !redactor.isEmpty()) {
                maskInCommandLine(seg.execveArgument, seg.execveChunk, s, out, start, redactor);
            } else if ((seg.field instanceof Field.Argv || seg.field instanceof Field.Proctitle)
                    && !redactor.isEmpty()) {
                maskArguments(seg.field instanceof Field.Argv, s, out, start, redactor);
            }
            redactor.redact(out, start); // after: what the argument alone shows is masked too
            Values.escapeControls(out, start);
        }
    }

    /**
     * Masks what of argument {@code arg} (or of its {@code chunk}, such as {@code a2[0]}), at
     * {@code out[start..]}, is a secret in the whole command line (the value after a {@code --password}
     * argument), as {@code {argv}} would show it.
     */
    private static void maskInCommandLine(int arg, byte[] chunk, EvalScratch s, ByteBuf out, int start,
            Redactor redactor) {
        ByteBuf argv = new ByteBuf(256);
        int[] span = new int[4];
        Field.Argv.buildArgv(s.ev, argv, arg, chunk, span, null);
        int from = chunk == null ? span[0] : span[2];
        int to = chunk == null ? span[1] : span[3];
        if (span[0] < 0 || from < 0) {
            return;
        }
        ByteBuf masked = new ByteBuf(to - from + 8);
        if (redactor.maskWithin(argv.array(), argv.length(), span[0], span[1], from, to, masked)) {
            out.setLength(start);
            out.put(masked.array(), 0, masked.length());
        }
    }

    /**
     * Masks {@code {argv}} (or {@code {proctitle}}, whose NULs end its arguments) at {@code out[start..]}
     * argument by argument: a secret that starts an argument (the one after {@code --password}) is all
     * of it, spaces included, as {@code {EXECVE.aN}} shows it.
     */
    private static void maskArguments(boolean isArgv, EvalScratch s, ByteBuf out, int start, Redactor redactor) {
        ByteBuf argv = new ByteBuf(256);
        List<Integer> starts = new ArrayList<>();
        if (isArgv) {
            Field.Argv.buildArgv(s.ev, argv, -1, null, null, starts);
        } else {
            Field.Proctitle.buildProctitle(s.ev, argv, starts);
        }
        if (argv.length() != out.length() - start) {
            return; // not the value just written: leave it to the plain masking after
        }
        ByteBuf masked = new ByteBuf(argv.length() + 8);
        if (redactor.maskArguments(argv.array(), argv.length(), starts, masked)) {
            out.setLength(start);
            out.put(masked.array(), 0, masked.length());
        }
    }

    /** Appends the register's value, with names for identity fields and "unset" for an unset one or session. */
    private void appendValue(Field field, EvalScratch s, ByteBuf out) {
        if (field.kind == Field.Kind.NUMBER && RuleCompiler.isSession(field)
                && Values.parseDecimal(s.vb, s.voff, s.vlen) == RuleCompiler.UNSET_ID) {
            out.put(UNSET); // as events' interpretation and {auid} show it
            return;
        }
        if (field.kind == Field.Kind.UID || field.kind == Field.Kind.GID) {
            long id = Values.parseDecimal(s.vb, s.voff, s.vlen);
            if (id == RuleCompiler.UNSET_ID) {
                out.put(UNSET);
                return;
            }
            String name = id < 0 ? null : field.kind == Field.Kind.UID ? names.userName(id) : names.groupName(id);
            if (name != null) {
                out.putUtf8(name);
                return;
            }
        }
        out.put(s.vb, s.voff, s.vlen);
    }

    /** Appends the fields' raw decoded values (no name lookups), separated by 0x1F: a throttle key. */
    static void appendKey(Field[] fields, EvalScratch s, ByteBuf out) {
        for (int i = 0; i < fields.length; i++) {
            if (i > 0) {
                out.put((byte) 0x1F);
            }
            if (fields[i].first(s)) {
                out.put(s.vb, s.voff, s.vlen);
            } else {
                out.put((byte) '?');
            }
        }
    }
}

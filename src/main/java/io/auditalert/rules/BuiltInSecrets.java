package io.auditalert.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * The secrets every output is masked for, found by one linear scan of the text (no regular expression:
 * a crafted argument can neither make it run long nor overflow its stack):
 * <ul>
 *   <li>a name that ends in a secret word, and its value: {@code --password=x}, {@code --db-password x},
 *       {@code PGPASSWORD=x}, {@code -Dspring.datasource.password=x}, {@code keyStorePassword=x},
 *       {@code X-API-Key: x}, {@code "password":"x"}, {@code pass:x} (openssl), and
 *       {@code aws_secret_access_key x}. The value runs to the next blank or quote, or, when it starts
 *       with a quote, to the closing one ({@code PASSWORD="my secret"}). The secret words are password,
 *       passwd, pass, pwd, passphrase, token, secret, and api, access, secret or private followed by key;
 *       a name followed by a blank takes the next word as its value only when it is an option
 *       ({@code --access-token x}, not {@code --ask-pass site.yml}) or has an underscore, so
 *       {@code /etc/passwd}, {@code passwd file} and {@code private.key} are left alone;
 *   <li>the password of a URL ({@code https://user:x@host}, {@code redis://:x@host}, an {@code @}
 *       inside it too), and a user name that is a token ({@code https://ghp_…@github.com});
 *   <li>{@code Authorization: Bearer x} (and Basic, Token, Digest, Negotiate);
 *   <li>options of a few commands that take a password without naming it: {@code mysql -px},
 *       {@code sshpass -p x}, {@code redis-cli -a x}, {@code curl -u user:x}, {@code useradd -p x},
 *       {@code docker login -p x}.
 * </ul>
 * Each secret found is {@code {start, end, owner}}: {@code owner} is where an option's name
 * ({@code --password=x}) or the word of an option's value ({@code sshpass -p x}) starts, or -1; a
 * caller that knows where arguments start masks all of an argument that an owner starts
 * ({@code --password=my secret} or {@code curl -u "user:my pass"} as one argument). A variable's name
 * ({@code TOKEN=x}) owns its argument too, except in the script of {@code sh -c}, which it can start.
 */
final class BuiltInSecrets {
    private BuiltInSecrets() {}

    private static final byte[][] WORDS = ascii("password", "passwd", "passphrase", "pass", "pwd", "token", "secret");
    /** Words that make a name ending in {@code key} (with or without a separator) a secret's. */
    private static final byte[][] KEY_OWNERS = ascii("api", "access", "secret", "private");
    /** Option names that end in a secret word but take no value: {@code --ask-pass}, {@code --no-password}. */
    private static final byte[][] FLAG_STARTS = ascii("ask", "no-", "no_", "skip", "prompt");
    /** User names that are tokens: GitHub, GitLab and Slack token prefixes. */
    private static final byte[][] TOKEN_PREFIXES = ascii("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
            "glpat-", "xoxb-", "xoxp-", "xoxa-");
    private static final byte[] SCHEME_END = ascii("://")[0];
    private static final byte[] AUTHORIZATION = ascii("authorization")[0];
    private static final byte[][] AUTH_SCHEMES = ascii("bearer", "basic", "token", "digest", "negotiate");

    private static byte[][] ascii(String... words) {
        byte[][] out = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            out[i] = words[i].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
        return out;
    }

    /** Adds the secrets in {@code t[from, to)} to out. */
    static void find(byte[] t, int from, int to, List<int[]> out) {
        names(t, from, to, out);
        urls(t, from, to, out);
        authorization(t, from, to, out);
        commandOptions(t, from, to, out);
    }

    // ---- names ending in a secret word ----

    static boolean isNameByte(byte b) {
        return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '-' || b == '.';
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0;
    }

    private static void names(byte[] t, int from, int to, List<int[]> out) {
        int i = from;
        while (i < to) {
            if (!isNameByte(t[i])) {
                i++;
                continue;
            }
            int start = i;
            while (i < to && isNameByte(t[i])) {
                i++;
            }
            int end = i;
            if (!endsInSecretWord(t, start, end) || start > from && t[start - 1] == '/' || isWorkingDirectory(t, start, end)) {
                continue; // a path's component: /etc/passwd; the shell's PWD=/home/x
            }
            int j = end;
            byte before = start > from ? t[start - 1] : 0;
            boolean quotedName = before == '"' || before == '\'';
            boolean closed = false;
            if (quotedName && j < to && t[j] == before) {
                j = skipSpaces(t, j + 1, to); // "password": "x" and "password" : "x" (JSON), 'token'='x'
                closed = true;
            }
            int value;
            // an option's name that starts an argument makes all of it the value (--password=my secret
            // as one argument); a variable's too (-e "POSTGRES_PASSWORD=my secret"), except in the
            // script of sh -c, which it can start
            int nameStart = t[start] != '-' && startsScript(t, from, start) ? -1 : start;
            if (j < to && t[j] == '=') {
                value = j + 1;
            } else if (j < to && t[j] == ':') {
                value = skipSpaces(t, j + 1, to);
            } else if (j < to && isBlank(t[j]) && takesNextWord(t, start, end)) {
                value = skipBlanks(t, j, to);
                if (value + 1 < to && t[value] == '-' && t[value + 1] == '-') {
                    continue; // --password --user x: the password is prompted for
                }
                nameStart = value; // the next word is the value: all of its argument (--password "my secret")
            } else {
                continue;
            }
            if (quotedName && !closed && value < to && t[value] == before) {
                continue; // the quote around the name closes: grep 'password=' FILE has no value
            }
            int valueEnd = addValue(t, value, to, nameStart, out);
            i = Math.max(i, valueEnd);
        }
    }

    /** Whether the word at {@code at} follows a {@code -c} word (or flags ending in c: bash -lc, sh -ec). */
    private static boolean startsScript(byte[] t, int from, int at) {
        if (at - from < 3 || t[at - 1] != ' ' || t[at - 2] != 'c') {
            return false;
        }
        int p = at - 3;
        while (p >= from && t[p] >= 'a' && t[p] <= 'z') {
            p--;
        }
        return p >= from && t[p] == '-' && (p == from || t[p - 1] == ' ');
    }

    /** Adds the value at {@code t[at..]} (quoted: its inside) as a secret; returns where it ends. */
    private static int addValue(byte[] t, int at, int to, int nameStart, List<int[]> out) {
        if (at >= to) {
            return at;
        }
        if (t[at] == '"' || t[at] == '\'') {
            byte q = t[at];
            int e = at + 1;
            while (e < to && t[e] != q) {
                e++;
            }
            if (e > at + 1) { // its quotes end it: no more of the argument is the value (sh -c 'P="x" cmd')
                out.add(new int[] {at + 1, e, -1});
            }
            return e;
        }
        int e = at;
        while (e < to && !isBlank(t[e]) && t[e] != '"' && t[e] != '\'' && !endsCommand(t[e])) {
            e++;
        }
        if (e > at) {
            out.add(new int[] {at, e, nameStart});
        }
        return e;
    }

    /**
     * Whether {@code t[e]} ends an unquoted value: a shell's ; | or & (TOKEN=x;curl …), or the & between
     * a URL's query parameters (?token=x&next=…). An option that is a whole argument is masked whole
     * anyway ({@code --password=a;b}).
     */
    private static boolean endsCommand(byte b) {
        return b == ';' || b == '|' || b == '&';
    }

    /** {@code PWD} and {@code OLDPWD}, the shell's working directories, are no password. */
    private static boolean isWorkingDirectory(byte[] t, int start, int end) {
        int n = end - start;
        return n == 3 && t[start] == 'P' && t[start + 1] == 'W' && t[start + 2] == 'D'
                || n == 6 && t[start] == 'O' && t[start + 1] == 'L' && t[start + 2] == 'D' && t[start + 3] == 'P'
                        && t[start + 4] == 'W' && t[start + 5] == 'D';
    }

    /** Whether the name {@code t[start, end)} ends in a secret word, ASCII case ignored. */
    static boolean endsInSecretWord(byte[] t, int start, int end) {
        for (byte[] w : WORDS) {
            if (endsWith(t, start, end, w)) {
                return true;
            }
        }
        if (!endsWith(t, start, end, KEY)) {
            return false;
        }
        int e = end - KEY.length;
        if (e > start && (t[e - 1] == '-' || t[e - 1] == '_' || t[e - 1] == '.')) {
            e--;
        }
        for (byte[] w : KEY_OWNERS) {
            if (endsWith(t, start, e, w)) {
                return true;
            }
        }
        return false;
    }

    private static final byte[] KEY = ascii("key")[0];

    /** A name before a blank takes the next word: an option that is no flag, or a name with an underscore. */
    private static boolean takesNextWord(byte[] t, int start, int end) {
        if (t[start] == '-') {
            int n = start;
            while (n < end && t[n] == '-') {
                n++;
            }
            for (byte[] f : FLAG_STARTS) {
                if (startsWith(t, n, end, f)) {
                    return false;
                }
            }
            return n < end;
        }
        return io.auditalert.parse.Values.indexOf(t, start, end, (byte) '_') >= 0;
    }

    // ---- URLs ----

    private static void urls(byte[] t, int from, int to, List<int[]> out) {
        for (int k = indexOf(t, from, to, SCHEME_END); k >= 0; k = indexOf(t, k + 3, to, SCHEME_END)) {
            int a = k + 3;
            int e = a;
            while (e < to && !isBlank(t[e]) && t[e] != '/' && t[e] != '?' && t[e] != '#' && t[e] != '"' && t[e] != '\'') {
                e++;
            }
            int at = -1;
            for (int p = e - 1; p >= a; p--) {
                if (t[p] == '@') {
                    at = p;
                    break;
                }
            }
            if (at < 0) {
                continue;
            }
            int colon = -1;
            for (int p = a; p < at; p++) {
                if (t[p] == ':') {
                    colon = p;
                    break;
                }
            }
            if (colon >= 0) {
                if (at > colon + 1) {
                    out.add(new int[] {colon + 1, at, -1});
                }
            } else if (at - a >= 32 || startsWithAny(t, a, at, TOKEN_PREFIXES)) {
                out.add(new int[] {a, at, -1});
            }
        }
    }

    // ---- Authorization: Bearer x ----

    private static void authorization(byte[] t, int from, int to, List<int[]> out) {
        for (int k = indexOfIgnoreCase(t, from, to, AUTHORIZATION); k >= 0;
                k = indexOfIgnoreCase(t, k + AUTHORIZATION.length, to, AUTHORIZATION)) {
            int p = k + AUTHORIZATION.length;
            if (p < to && (t[p] == '"' || t[p] == '\'')) {
                p++;
            }
            if (p >= to || t[p] != ':' && t[p] != '=') {
                continue;
            }
            p = skipBlanks(t, p + 1, to);
            if (p < to && (t[p] == '"' || t[p] == '\'')) {
                p++;
            }
            for (byte[] scheme : AUTH_SCHEMES) {
                if (startsWith(t, p, to, scheme) && p + scheme.length < to && isBlank(t[p + scheme.length])) {
                    addValue(t, skipBlanks(t, p + scheme.length, to), to, -1, out);
                    break;
                }
            }
        }
    }

    // ---- options of commands that take a password without naming it ----

    /** How a command's option gives a password. */
    private enum Style {
        /** {@code -p<password>}, attached only ({@code -p} alone prompts): mysql. */
        ATTACHED,
        /** {@code -p <password>} or attached. */
        VALUE,
        /** {@code -u user:<password>} or attached: the part after the first colon. */
        USER_COLON
    }

    private record Option(byte[] name, Style style) {}

    /** A command, its password options, and whether they count only after a {@code login} word. */
    private record Command(byte[] name, List<Option> options, boolean afterLogin) {}

    private static final List<Command> COMMANDS = commands();

    private static List<Command> commands() {
        List<Command> m = new ArrayList<>();
        List<Option> mysql = List.of(new Option(ascii("-p")[0], Style.ATTACHED));
        for (String c : List.of("mysql", "mariadb", "mysqldump", "mariadb-dump", "mysqladmin", "mariadb-admin",
                "mysqlimport", "mysqlshow", "mysqlcheck", "mysqlpump")) {
            m.add(new Command(ascii(c)[0], mysql, false));
        }
        m.add(new Command(ascii("sshpass")[0], List.of(new Option(ascii("-p")[0], Style.VALUE)), false));
        m.add(new Command(ascii("redis-cli")[0], List.of(new Option(ascii("-a")[0], Style.VALUE)), false));
        m.add(new Command(ascii("curl")[0], List.of(new Option(ascii("-u")[0], Style.USER_COLON),
                new Option(ascii("--user")[0], Style.USER_COLON), new Option(ascii("-U")[0], Style.USER_COLON),
                new Option(ascii("--proxy-user")[0], Style.USER_COLON)), false));
        List<Option> p = List.of(new Option(ascii("-p")[0], Style.VALUE));
        m.add(new Command(ascii("useradd")[0], p, false));
        m.add(new Command(ascii("usermod")[0], p, false));
        for (String c : List.of("docker", "podman", "nerdctl", "buildah", "skopeo", "helm")) {
            m.add(new Command(ascii(c)[0], p, true)); // docker run -p 80:80 publishes a port
        }
        return List.copyOf(m);
    }

    private static void commandOptions(byte[] t, int from, int to, List<int[]> out) {
        Command command = null;
        boolean loginSeen = false;
        int i = from;
        while (i < to) {
            while (i < to && isBlank(t[i])) {
                i++;
            }
            int start = i;
            while (i < to && !isBlank(t[i])) {
                i++;
            }
            if (start == i) {
                break;
            }
            int ws = start;
            while (ws < i && (t[ws] == '"' || t[ws] == '\'' || t[ws] == '(')) {
                ws++;
            }
            int we = i;
            while (we > ws && (t[we - 1] == '"' || t[we - 1] == '\'' || t[we - 1] == ';' || t[we - 1] == ')')) {
                we--;
            }
            Command named = command(t, ws, we);
            if (named != null) {
                command = named;
                loginSeen = false;
            } else if (command != null) {
                if (command.afterLogin() && !loginSeen) {
                    loginSeen = we - ws == LOGIN.length && startsWithExactly(t, ws, we, LOGIN);
                } else {
                    i = option(t, ws, we, i, to, command.options(), out);
                }
            }
            if (i > start && (t[i - 1] == ';' || t[i - 1] == '|' || t[i - 1] == '&')) {
                command = null; // the command ends
            }
        }
    }

    /** The command a word names (its last path component), when it is one this class knows. */
    private static Command command(byte[] t, int s, int e) {
        int b = s;
        for (int k = s; k < e; k++) {
            if (t[k] == '/') {
                b = k + 1;
            }
        }
        for (Command c : COMMANDS) {
            if (c.name().length == e - b && startsWithExactly(t, b, e, c.name())) {
                return c;
            }
        }
        return null;
    }

    private static final byte[] LOGIN = ascii("login")[0];

    /**
     * Masks the password of the option the word {@code t[ws, we)} is, if it is one of options; returns
     * where scanning goes on (past a value taken from the next word).
     */
    private static int option(byte[] t, int ws, int we, int next, int to, List<Option> options, List<int[]> out) {
        for (Option o : options) {
            byte[] n = o.name();
            int at;
            int owner; // the word whose argument, if it starts one, is all secret: -pmy secret, or the value's
            if (startsWithExactly(t, ws, we, n)) { // case counts: mysql -P3306 is a port
                if (we - ws > n.length) { // attached: -pSECRET, -uuser:SECRET, --user=user:SECRET
                    if (n.length == 2) {
                        at = ws + 2;
                    } else if (t[ws + n.length] == '=') {
                        at = ws + n.length + 1;
                    } else {
                        continue; // --username
                    }
                    owner = ws;
                } else if (o.style() == Style.ATTACHED) {
                    return next; // mysql -p: the password is prompted for
                } else {
                    at = skipBlanks(t, next, to);
                    owner = at;
                }
            } else if (n.length == 2 && o.style() != Style.ATTACHED && isFlagCluster(t, ws, we, n[1])) {
                at = skipBlanks(t, next, to); // curl -sSu user:x
                owner = at;
            } else {
                continue;
            }
            return optionValue(t, at, to, o.style(), owner, out);
        }
        return next;
    }

    /** Whether {@code t[ws, we)} is single-letter flags run together ending in the letter: {@code -sSu}. */
    private static boolean isFlagCluster(byte[] t, int ws, int we, byte letter) {
        if (we - ws < 3 || t[ws] != '-' || t[we - 1] != letter) {
            return false;
        }
        for (int k = ws + 1; k < we; k++) {
            byte b = t[k];
            if (!(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Adds an option's value at {@code t[at..]}: quoted, to its closing quote (-p'my secret', inside an
     * sh -c string); else the word, without the ; ) or quote that ends a command around it. Returns
     * where scanning goes on.
     */
    private static int optionValue(byte[] t, int at, int to, Style style, int owner, List<int[]> out) {
        if (at >= to) {
            return at;
        }
        int s = at;
        int e;
        int after;
        if (t[at] == '"' || t[at] == '\'') {
            s = at + 1;
            e = s;
            while (e < to && t[e] != t[at]) {
                e++;
            }
            after = Math.min(to, e + 1);
        } else {
            e = at;
            while (e < to && !isBlank(t[e])) {
                e++;
            }
            after = e;
            while (e > s && (t[e - 1] == '"' || t[e - 1] == '\'' || t[e - 1] == ';' || t[e - 1] == ')')) {
                e--;
            }
        }
        add(t, s, e, style, owner, out);
        return after;
    }

    private static void add(byte[] t, int s, int e, Style style, int argumentStart, List<int[]> out) {
        if (style == Style.USER_COLON) {
            int colon = io.auditalert.parse.Values.indexOf(t, s, e, (byte) ':');
            if (colon < 0) {
                return; // curl -u user: the password is prompted for
            }
            s = colon + 1;
        }
        if (e > s) {
            out.add(new int[] {s, e, argumentStart});
        }
    }

    // ---- byte helpers ----

    private static int skipSpaces(byte[] t, int p, int to) {
        while (p < to && (t[p] == ' ' || t[p] == '\t')) {
            p++;
        }
        return p;
    }

    private static int skipBlanks(byte[] t, int p, int to) {
        while (p < to && isBlank(t[p])) {
            p++;
        }
        return p;
    }

    private static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }

    private static boolean endsWith(byte[] t, int start, int end, byte[] w) {
        if (end - start < w.length) {
            return false;
        }
        for (int k = 0, p = end - w.length; k < w.length; k++, p++) {
            if (lower(t[p]) != w[k]) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWith(byte[] t, int start, int end, byte[] w) {
        return startsWith(t, start, end, w, true);
    }

    private static boolean startsWithExactly(byte[] t, int start, int end, byte[] w) {
        return startsWith(t, start, end, w, false);
    }

    private static boolean startsWith(byte[] t, int start, int end, byte[] w, boolean ignoreCase) {
        if (end - start < w.length) {
            return false;
        }
        for (int k = 0; k < w.length; k++) {
            byte a = t[start + k];
            if (ignoreCase ? lower(a) != lower(w[k]) : a != w[k]) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWithAny(byte[] t, int start, int end, byte[][] words) {
        for (byte[] w : words) {
            if (startsWith(t, start, end, w)) {
                return true;
            }
        }
        return false;
    }

    private static int indexOf(byte[] t, int from, int to, byte[] w) {
        outer:
        for (int p = from; p + w.length <= to; p++) {
            for (int k = 0; k < w.length; k++) {
                if (t[p + k] != w[k]) {
                    continue outer;
                }
            }
            return p;
        }
        return -1;
    }

    private static int indexOfIgnoreCase(byte[] t, int from, int to, byte[] w) {
        outer:
        for (int p = from; p + w.length <= to; p++) {
            for (int k = 0; k < w.length; k++) {
                if (lower(t[p + k]) != w[k]) {
                    continue outer;
                }
            }
            return p;
        }
        return -1;
    }
}

package io.auditalert.cli;

import io.auditalert.sys.Signals;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The signal handlers of {@code run}, installed by {@link Main} before any other class of the command
 * is loaded (the logging framework alone takes a few hundred milliseconds to start): until then a
 * SIGHUP (auditd &lt;= 4.1 sends one to every plugin on each of its reloads) or SIGTERM meets the JVM's
 * own handler, which exits with 129 or 143 and costs one of auditd's plugin restarts. Signals that
 * arrive before the command {@link #attach attaches} are kept for it.
 */
final class SignalGate {
    private static Consumer<String> target;
    private static final List<String> early = new ArrayList<>();
    /** The signals of SIGHUP and SIGTERM whose handler could not be installed (ignored at start). */
    private static String ignored = "";

    private SignalGate() {}

    /** Installs the handlers for SIGHUP, SIGTERM and SIGINT. */
    static void install() {
        boolean hup = Signals.install("HUP", () -> deliver("SIGHUP"));
        boolean term = Signals.install("TERM", () -> deliver("SIGTERM"));
        Signals.install("INT", () -> deliver("SIGINT"));
        synchronized (SignalGate.class) {
            ignored = hup && term ? "" : !hup && !term ? "SIGHUP and SIGTERM" : hup ? "SIGTERM" : "SIGHUP";
        }
    }

    /**
     * Which of SIGHUP and SIGTERM do not reach the command (the process started with them ignored, as
     * under nohup): "SIGHUP", "SIGTERM", both, or "" when both do.
     */
    static synchronized String ignoredSignals() {
        return ignored;
    }

    private static void deliver(String name) {
        Consumer<String> t;
        synchronized (SignalGate.class) {
            t = target;
            if (t == null) {
                early.add(name);
                return;
            }
        }
        t.accept(name);
    }

    /** From now on signals go to {@code handler}; returns those that arrived before, in order. */
    static synchronized List<String> attach(Consumer<String> handler) {
        target = handler;
        List<String> before = List.copyOf(early);
        early.clear();
        return before;
    }
}

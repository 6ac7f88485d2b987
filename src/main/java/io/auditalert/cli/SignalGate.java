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
    /** Whether the handlers of SIGHUP and SIGTERM could be installed (not when ignored at start). */
    private static boolean hupHandled;
    private static boolean termHandled;
    /** The wrapper left SIGHUP ignored and it could not be given its default action back (JNA did not load). */
    private static boolean hupTakeoverFailed;

    private SignalGate() {}

    /** Installs the handlers for SIGHUP, SIGTERM and SIGINT. */
    static void install() {
        // TERM and INT first: handing SIGHUP over loads JNA (a quarter of a second, cold), during which a
        // SIGTERM must already meet this handler rather than the JVM's (exit 143)
        boolean term = Signals.install("TERM", () -> deliver("SIGTERM"));
        Signals.install("INT", () -> deliver("SIGINT"));
        boolean takeoverFailed = false;
        if ("direct".equals(System.getProperty("auditalert.wrapper"))) {
            // the wrapper left SIGHUP ignored across the exec: one during the JVM's start-up, before these
            // handlers exist, would have ended it (a review saw an auditd reload 0.5 s after a plugin restart
            // do so); from here on it is handled. One that came while ignored came before the configuration
            // was read, so nothing of a reload is missed. Not done for a JVM started ignoring it (nohup).
            takeoverFailed = !Signals.stopIgnoring("HUP");
        }
        boolean hup = Signals.install("HUP", () -> deliver("SIGHUP"));
        synchronized (SignalGate.class) {
            hupHandled = hup;
            termHandled = term;
            hupTakeoverFailed = takeoverFailed;
        }
    }

    /** Whether SIGHUP reaches the command (not when the process started with it ignored, as under nohup). */
    static synchronized boolean hupHandled() {
        return hupHandled;
    }

    /** Whether SIGHUP stayed ignored because the wrapper's hand-over of it failed here. */
    static synchronized boolean hupTakeoverFailed() {
        return hupTakeoverFailed;
    }

    /** Whether SIGTERM reaches the command (not when the process started with it ignored). */
    static synchronized boolean termHandled() {
        return termHandled;
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

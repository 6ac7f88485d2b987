package io.auditalert.sys;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Installs handlers for POSIX signals (HUP to reload, TERM to stop cleanly with exit 0) through
 * {@code sun.misc.Signal} in the jdk.unsupported module. Reached by reflection because javac flags
 * the class as proprietary API and the build treats warnings as errors.
 *
 * <p>The JVM refuses handlers for signals that were ignored when it started (auditd starts plugins
 * with every signal ignored); the native wrapper resets them first. {@link #install} reports whether
 * the handler took.
 */
public final class Signals {
    private Signals() {}

    /** Runs {@code action} on a JVM signal thread whenever the named signal (HUP, TERM, ...) arrives. */
    public static boolean install(String name, Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Constructor<?> ctor = signalClass.getConstructor(String.class);
            Object signal = ctor.newInstance(name);
            Object handler = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handlerClass},
                    (proxy, method, args) -> {
                        if (method.getName().equals("handle")) {
                            action.run();
                            return null;
                        }
                        if (method.getName().equals("toString")) {
                            return "auditalert-" + name + "-handler";
                        }
                        if (method.getName().equals("hashCode")) {
                            return System.identityHashCode(proxy);
                        }
                        if (method.getName().equals("equals")) {
                            return proxy == args[0];
                        }
                        return null;
                    });
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            handle.invoke(null, signal, handler);
            return !isIgnored(name);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    /** The C library's signal(2), to give an ignored signal its default action back. */
    interface LibC extends com.sun.jna.Library {
        com.sun.jna.Pointer signal(int signal, com.sun.jna.Pointer handler);
    }

    /**
     * Gives the named signal its default action again when it is ignored now: the JVM installs no
     * handler for a signal ignored at its start. For the native wrapper, which execs the JVM with
     * SIGHUP ignored so that an auditd reload during the JVM's start-up is not its death; true when
     * the signal is no longer ignored.
     */
    public static boolean stopIgnoring(String name) {
        int number = number(name);
        if (number <= 0 || !isIgnored(name)) {
            return number > 0;
        }
        try {
            com.sun.jna.Native.load("c", LibC.class).signal(number, null); // SIG_DFL
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
        return !isIgnored(name);
    }

    /** Whether the signal is still ignored for this process, from /proc/self/status (SigIgn). */
    public static boolean isIgnored(String name) {
        int number = number(name);
        if (number <= 0) {
            return false;
        }
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    long mask = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    return (mask & (1L << (number - 1))) != 0;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }

    private static int number(String name) {
        switch (name) {
            case "HUP":
                return 1;
            case "INT":
                return 2;
            case "TERM":
                return 15;
            case "USR1":
                return 10;
            case "USR2":
                return 12;
            default:
                return -1;
        }
    }
}

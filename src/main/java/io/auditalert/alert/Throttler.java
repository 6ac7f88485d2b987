package io.auditalert.alert;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Throttle and dedup of rule matches per rule and key (DESIGN §3.3 {@code throttle: {key: [...],
 * window: 1m}}), on EVENT time so {@code replay} and {@code run} give the same alerts.
 *
 * <p>For each (rule, key) the first match opens a window of {@code windowMillis} starting at its
 * event time and is alerted; later matches with an event time before the window's end are
 * suppressed and counted; the first match at or after the end is alerted again, carrying the number
 * suppressed since the previous alert, and opens the next window. A match whose event time is
 * before the window's start (events out of order across workers) falls in the current window.
 *
 * <p>Thread-safe: keys are spread over lock stripes, so workers rarely contend. Memory is bounded:
 * at most {@code maxKeys} keys are kept; past that the least recently used key of a stripe is
 * evicted and counted ({@link #evictions()}), and the suppressed count it still carried is counted
 * in {@link #evictedSuppressed()} (those matches stay counted in the rule's suppressed metric; only
 * the "N more" on a later alert is lost).
 */
public final class Throttler {
    /** Returned by {@link #admit} for a suppressed match. */
    public static final long SUPPRESSED = -1;

    private static final int STRIPES = 16;

    private static final class Window {
        long start;
        long suppressed;
    }

    private static final class Stripe extends LinkedHashMap<String, Window> {
        private static final long serialVersionUID = 1L;
        private final transient Throttler owner;
        private final int cap;

        Stripe(Throttler owner, int cap) {
            super(16, 0.75f, true);
            this.owner = owner;
            this.cap = cap;
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
            if (size() > cap) {
                owner.evictions.increment();
                owner.evictedSuppressed.add(eldest.getValue().suppressed);
                return true;
            }
            return false;
        }
    }

    private final Stripe[] stripes = new Stripe[STRIPES];
    /** The longest window asked for so far: a window older than that has ended, whatever its rule. */
    private final java.util.concurrent.atomic.AtomicLong longestWindow = new java.util.concurrent.atomic.AtomicLong();
    /** The event time of the last sweep of ended windows ({@link #expire}), Long.MIN_VALUE before the first match. */
    private final java.util.concurrent.atomic.AtomicLong lastSweep = new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);
    private final LongAdder evictions = new LongAdder();
    private final LongAdder evictedSuppressed = new LongAdder();

    /** @param maxKeys the most (rule, key) windows kept at once, over all rules */
    public Throttler(int maxKeys) {
        int per = Math.max(1, (maxKeys + STRIPES - 1) / STRIPES);
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe(this, per);
        }
    }

    /**
     * Decides one match.
     *
     * @param rule the rule's name
     * @param windowMillis the rule's throttle window; 0 or less means no throttle (always alert, 0)
     * @param key the throttle key: the rule's key field values joined by the caller with a
     *     separator that cannot occur in them (for example {@code '\u0000'}); "" for a rule-wide window
     * @param eventTimeMillis the event's time
     * @return {@link #SUPPRESSED}, or (alert) how many matches of this rule and key were suppressed
     *     since the previous alert for it, for {@link Alert#suppressedBefore()}
     */
    public long admit(String rule, long windowMillis, String key, long eventTimeMillis) {
        if (windowMillis <= 0) {
            return 0;
        }
        sweepNowAndThen(windowMillis, eventTimeMillis);
        String k = rule + '\u0001' + key;
        Stripe s = stripes[(k.hashCode() & 0x7fff_ffff) % STRIPES];
        synchronized (s) {
            Window w = s.get(k);
            if (w == null) {
                w = new Window();
                w.start = eventTimeMillis;
                s.put(k, w);
                return 0;
            }
            if (eventTimeMillis - w.start >= windowMillis) {
                long n = w.suppressed;
                w.start = eventTimeMillis;
                w.suppressed = 0;
                return n;
            }
            w.suppressed++;
            return SUPPRESSED;
        }
    }

    /**
     * The same decision with the arguments in the pipeline's {@code ThrottleGate} order, so {@code
     * ThrottleGate gate = throttler::admit} wires it.
     */
    public long admit(String rule, String key, long eventTimeMillis, long windowMillis) {
        return admit(rule, windowMillis, key, eventTimeMillis);
    }

    /**
     * Once per longest window of event time, forgets the windows that ended (a soak under a real auditd:
     * 7,400 ended windows after an hour, held until the key cap evicted them). One thread sweeps; the
     * others go on.
     */
    private void sweepNowAndThen(long windowMillis, long eventTimeMillis) {
        long longest = longestWindow.get();
        if (windowMillis > longest) {
            longest = longestWindow.accumulateAndGet(windowMillis, Math::max);
        }
        long last = lastSweep.get();
        if (last == Long.MIN_VALUE) {
            lastSweep.compareAndSet(last, eventTimeMillis);
        } else if (eventTimeMillis - last >= longest && lastSweep.compareAndSet(last, eventTimeMillis)) {
            expire(eventTimeMillis, longest);
        }
    }

    /**
     * Forgets windows that ended before {@code eventTimeMillis - maxWindowMillis} and carry nothing
     * suppressed; optional housekeeping (the key cap bounds memory anyway). Returns how many went.
     */
    public int expire(long eventTimeMillis, long maxWindowMillis) {
        int n = 0;
        for (Stripe s : stripes) {
            synchronized (s) {
                for (Iterator<Window> it = s.values().iterator(); it.hasNext(); ) {
                    Window w = it.next();
                    if (w.suppressed == 0 && eventTimeMillis - w.start >= maxWindowMillis) {
                        it.remove();
                        n++;
                    }
                }
            }
        }
        return n;
    }

    /** Keys currently held. */
    public int size() {
        int n = 0;
        for (Stripe s : stripes) {
            synchronized (s) {
                n += s.size();
            }
        }
        return n;
    }

    /** Keys evicted because the cap was reached. */
    public long evictions() {
        return evictions.sum();
    }

    /** Suppressed counts lost from later alerts' "N more" by eviction. */
    public long evictedSuppressed() {
        return evictedSuppressed.sum();
    }
}

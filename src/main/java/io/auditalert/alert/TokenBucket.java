package io.auditalert.alert;

/**
 * A token bucket: {@code ratePerSecond} tokens a second, at most {@code burst} saved up. Used by one
 * sink's delivery thread to hold items back (never to drop them); not thread-safe.
 */
public final class TokenBucket {
    private final double ratePerNano;
    private final double burst;
    private double tokens;
    private long last;

    public TokenBucket(double ratePerSecond, int burst, long nowNanos) {
        if (ratePerSecond <= 0 || burst < 1) {
            throw new IllegalArgumentException("rate and burst must be positive");
        }
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.last = nowNanos;
    }

    private void refill(long now) {
        if (now > last) {
            tokens = Math.min(burst, tokens + (now - last) * ratePerNano);
            last = now;
        }
    }

    /** Takes up to n tokens and returns how many it took (0 when the bucket is empty). */
    public int take(int n, long nowNanos) {
        refill(nowNanos);
        int k = (int) Math.min(n, Math.floor(tokens));
        tokens -= k;
        return k;
    }

    /** Nanoseconds until at least one token is available (0 if one is). */
    public long nanosUntilToken(long nowNanos) {
        refill(nowNanos);
        return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / ratePerNano);
    }
}

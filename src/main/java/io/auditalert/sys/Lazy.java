package io.auditalert.sys;

import java.util.function.Supplier;

/**
 * A value made on first use and kept. Two threads that both find it missing may both make it;
 * either result serves, so the values given here must be equal whichever is kept (tables read from
 * a file, say), and must not be null.
 */
public final class Lazy<T> {
    private final Supplier<T> make;
    private volatile T value;

    public Lazy(Supplier<T> make) {
        this.make = make;
    }

    public T get() {
        T v = value;
        if (v == null) {
            v = make.get();
            value = v;
        }
        return v;
    }
}

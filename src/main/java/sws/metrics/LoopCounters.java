package sws.metrics;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The counters of one event loop (spec section 9). Only the loop's own thread writes them, so each count is
 * a plain read and an ordered write: no lock, no compare-and-set, no allocation on the request path. A
 * scrape reads every loop's counters and adds them up.
 */
public final class LoopCounters {
    /** The histogram's upper bounds, in milliseconds (Prometheus's default buckets, from 5 ms to 10 s). */
    static final long[] BUCKET_MILLIS = {5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};

    static final int BODY_BYTES = 0;
    static final int DURATION_MILLIS = 1;
    static final int RESPONSES = 2;
    static final int ACCEPTED = 3;
    static final int OPEN = 4;
    static final int REFUSED_LIMIT = 5;
    static final int REFUSED_UNTRUSTED = 6;
    private static final int SCALARS = 7;

    private final AtomicLongArray codes = new AtomicLongArray(600);
    private final AtomicLongArray buckets = new AtomicLongArray(BUCKET_MILLIS.length + 1);
    private final AtomicLongArray scalars = new AtomicLongArray(SCALARS);

    /** One response sent: its status, its body's bytes, and how long the request took, in milliseconds. */
    public void response(int code, long bodyBytes, long millis) {
        add(codes, code >= 100 && code < 600 ? code : 0, 1);
        add(scalars, BODY_BYTES, bodyBytes);
        add(scalars, DURATION_MILLIS, Math.max(0, millis));
        add(scalars, RESPONSES, 1);
        int b = 0;
        while (b < BUCKET_MILLIS.length && millis > BUCKET_MILLIS[b]) {
            b++;
        }
        add(buckets, b, 1);
    }

    /** A connection accepted (and now open). */
    public void accepted() {
        add(scalars, ACCEPTED, 1);
        add(scalars, OPEN, 1);
    }

    /** An accepted connection closed. */
    public void closed() {
        add(scalars, OPEN, -1);
    }

    /** A connection closed at once because --max-connections were open. */
    public void refusedOverLimit() {
        add(scalars, REFUSED_LIMIT, 1);
    }

    /** A connection closed at once because its peer is not a --trusted-proxy. */
    public void refusedUntrusted() {
        add(scalars, REFUSED_UNTRUSTED, 1);
    }

    private static void add(AtomicLongArray a, int i, long n) {
        a.setRelease(i, a.getPlain(i) + n);
    }

    long code(int code) {
        return codes.getAcquire(code);
    }

    long bucket(int i) {
        return buckets.getAcquire(i);
    }

    long scalar(int i) {
        return scalars.getAcquire(i);
    }
}

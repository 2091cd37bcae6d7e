package sws.http;

/**
 * The encoded heads of a response that is sent unchanged many times (a cached file), one per framing
 * variant, rebuilt when the Date field's second changes. Shared by all event loops: a race only builds
 * the same bytes twice.
 */
public final class HeadCache {
    private record Built(String date, byte[][] heads) {}

    private volatile Built built;

    byte[] head(Response response, boolean http11, boolean keepAlive) {
        String date = HttpDate.now();
        Built b = built;
        if (b == null || !b.date.equals(date)) {
            b = new Built(date, new byte[4][]);
            built = b;
        }
        int variant = (http11 ? 2 : 0) | (keepAlive ? 1 : 0);
        byte[] head = b.heads[variant];
        if (head == null) {
            head = ResponseEncoder.encode(response, http11, keepAlive, false, date);
            b.heads[variant] = head;
        }
        return head;
    }
}

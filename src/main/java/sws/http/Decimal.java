package sws.http;

/** The non-negative decimal numbers of HTTP fields (Content-Length, ranges): digits only, no sign. */
public final class Decimal {
    private Decimal() {}

    /** The value of 1 to 18 ASCII digits, or -1 for anything else (so it never overflows a long). */
    public static long parse(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }
}

package sws.http;

/**
 * The numbers of HTTP fields and chunk lines: digits only, no sign, leading zeros allowed (RFC 9110 8.6 and
 * RFC 9112 7.1 say 1*DIGIT and 1*HEXDIG, so zeros in front carry no value), never large enough to overflow.
 */
public final class Numbers {
    private static final int MAX_DECIMAL_DIGITS = 18;
    private static final int MAX_HEX_DIGITS = 15;

    private Numbers() {}

    /** The value of a run of decimal digits (at most 18 after leading zeros), or -1 for anything else. */
    public static long decimal(CharSequence s) {
        return parse(s, 10, MAX_DECIMAL_DIGITS);
    }

    /** The value of a run of hexadecimal digits (at most 15 after leading zeros), or -1 for anything else. */
    public static long hex(CharSequence s) {
        return parse(s, 16, MAX_HEX_DIGITS);
    }

    private static long parse(CharSequence s, int radix, int maxDigits) {
        int start = 0;
        while (start < s.length() - 1 && s.charAt(start) == '0') {
            start++;
        }
        if (s.length() == 0 || s.length() - start > maxDigits) {
            return -1;
        }
        long n = 0;
        for (int i = start; i < s.length(); i++) {
            int d = digit(s.charAt(i), radix);
            if (d < 0) {
                return -1;
            }
            n = n * radix + d;
        }
        return n;
    }

    /** Only ASCII digits count: Character.digit would also take other scripts' digits. */
    private static int digit(char c, int radix) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (radix == 16 && c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (radix == 16 && c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}

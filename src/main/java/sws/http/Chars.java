package sws.http;

/** The character classes of HTTP's grammar (RFC 9110 section 5), for bytes and chars alike. */
public final class Chars {
    private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";

    private Chars() {}

    /** RFC 9110 5.6.2: a character of a token (method names, field names, chunk-extension names). */
    public static boolean isTchar(int c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || (c > 0 && c < 0x80 && TCHAR_SYMBOLS.indexOf(c) >= 0);
    }

    /** Whether text[from, to) is a token: one or more tchars. */
    public static boolean isToken(CharSequence text, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (!isTchar(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Whether bytes[from, to) is a token. */
    public static boolean isToken(byte[] bytes, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (!isTchar(bytes[i])) {
                return false;
            }
        }
        return true;
    }

    /** A C0 control character or DEL: never let into a log line or a path. */
    public static boolean isControl(int c) {
        return (c >= 0 && c < 0x20) || c == 0x7f;
    }

    /** RFC 9110 5.5: field values may hold horizontal tabs, but no other control character. */
    public static boolean isForbiddenInField(int c) {
        return isControl(c) && c != '\t';
    }
}

package sws.io;

/**
 * The one test for printable ASCII, shared by the layers that must not depend on each other's grammar: the
 * access log's escaping, the PROXY line's check, the request target's fast path.
 */
public final class Ascii {
    private Ascii() {}

    /** A byte or char from space to '~': nothing that can end a line, forge a field or hide in a terminal. */
    public static boolean isPrintable(int c) {
        return c >= 0x20 && c < 0x7f;
    }

    /** Text for a one-line message: every character that is not printable ASCII written as \\xHH or \\u{HHHH}. */
    public static String shown(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isPrintable(c)) {
                sb.append(c);
            } else if (c < 0x100) {
                sb.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
            } else {
                sb.append("\\u{").append(Integer.toHexString(c)).append('}');
            }
        }
        return sb.toString();
    }
}

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
}

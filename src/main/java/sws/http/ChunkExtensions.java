package sws.http;

/**
 * The grammar of chunk extensions (RFC 9112 section 7.1.1): {@code *( BWS ";" BWS name [ BWS "=" BWS value ] )}
 * with a token for the name and a token or quoted-string for the value. Whitespace is allowed only before a
 * ";" or "=" and after them; a bare ";", a name that is not a token, or whitespace after the size with no
 * extension are framing that other parsers read differently, so they are refused.
 */
final class ChunkExtensions {
    private ChunkExtensions() {}

    /** Whether line[from..] (what follows the chunk size) is a valid run of chunk extensions. */
    static boolean valid(String line, int from) {
        int i = from;
        int n = line.length();
        while (i < n) {
            i = skipWhitespace(line, i);
            if (i == n || line.charAt(i) != ';') {
                return false; // whitespace not followed by an extension, or something else than ";"
            }
            i = skipWhitespace(line, i + 1);
            int name = i;
            while (i < n && Chars.isTchar(line.charAt(i))) {
                i++;
            }
            if (i == name) {
                return false;
            }
            int afterName = skipWhitespace(line, i);
            if (afterName < n && line.charAt(afterName) == '=') {
                i = value(line, skipWhitespace(line, afterName + 1));
                if (i < 0) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The end of a token or quoted-string value starting at i, or -1 when there is none. */
    private static int value(String line, int i) {
        int n = line.length();
        if (i < n && line.charAt(i) == '"') {
            for (int k = i + 1; k < n; k++) {
                char c = line.charAt(k);
                if (c == '"') {
                    return k + 1;
                }
                if (c == '\\') {
                    k++;
                    if (k == n || !quotable(line.charAt(k))) {
                        return -1;
                    }
                } else if (!quotable(c)) {
                    return -1;
                }
            }
            return -1; // no closing quote
        }
        int start = i;
        while (i < n && Chars.isTchar(line.charAt(i))) {
            i++;
        }
        return i == start ? -1 : i;
    }

    /** qdtext and the characters of a quoted-pair: tab, space, visible ASCII, obs-text. */
    private static boolean quotable(char c) {
        return c == '\t' || (c >= 0x20 && c != 0x7f && c <= 0xff);
    }

    private static int skipWhitespace(String line, int i) {
        while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }
}

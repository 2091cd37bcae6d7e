package sws.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import sws.io.Ascii;

/**
 * A request target split into its parts (RFC 9112 section 3.2), the path percent-decoded once.
 *
 * @param path the decoded path, not yet normalised
 * @param rawPath the path as sent
 * @param query the query as sent, without '?', or null
 * @param error why the target is refused (400), or null
 */
public record RequestTarget(String path, String rawPath, String query, String error) {
    static RequestTarget invalid(String why) {
        return new RequestTarget(null, null, null, why);
    }

    /** The target of a request with this method: origin form, absolute form, or the forms of OPTIONS and CONNECT. */
    public static RequestTarget parse(String method, String target) {
        for (int i = 0; i < target.length(); i++) {
            if (target.charAt(i) >= 0x80) {
                // RFC 9112 3.2 and RFC 3986: a target is ASCII; UTF-8 travels percent-encoded.
                return invalid("raw byte outside ASCII in request target");
            }
        }
        if (method.equals("OPTIONS") && target.equals("*")) {
            return new RequestTarget("*", "*", null, null);
        }
        String rest = target;
        if (!target.startsWith("/")) {
            int schemeEnd = target.indexOf("://");
            String scheme = schemeEnd < 0 ? "" : target.substring(0, schemeEnd);
            if (method.equals("CONNECT")) {
                return new RequestTarget("", target, null, null);
            }
            if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
                return invalid("malformed request target");
            }
            int pathStart = schemeEnd + 3;
            while (pathStart < target.length() && "/?".indexOf(target.charAt(pathStart)) < 0) {
                pathStart++;
            }
            if (pathStart == schemeEnd + 3) {
                return invalid("absolute target without a host");
            }
            rest = pathStart == target.length() ? "/" : target.substring(pathStart);
            if (rest.startsWith("?")) {
                rest = "/" + rest;
            }
        }
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c <= 0x20 || c == 0x7f || c == '#') {
                return invalid("invalid character in request target");
            }
        }
        int q = rest.indexOf('?');
        String rawPath = q < 0 ? rest : rest.substring(0, q);
        String query = q < 0 ? null : rest.substring(q + 1);
        String path = percentDecode(rawPath);
        if (path == null) {
            return invalid("bad percent-encoding in path");
        }
        return new RequestTarget(path, rawPath, query, null);
    }

    /**
     * Decodes %XX escapes once and reads the bytes as strict UTF-8 (so overlong forms such as %c0%ae are
     * refused). Returns null for a bad escape, invalid UTF-8, or a NUL or other control character.
     */
    static String percentDecode(String raw) {
        boolean plain = true;
        for (int i = 0; i < raw.length() && plain; i++) {
            char c = raw.charAt(i);
            plain = Ascii.isPrintable(c) && c != '%';
        }
        if (plain) {
            return raw; // printable ASCII without escapes decodes to itself
        }
        byte[] out = new byte[raw.length()];
        int n = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            int b;
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    return null;
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                b = hi * 16 + lo;
                i += 2;
            } else {
                b = c; // the raw target was read as ISO-8859-1, so each char is one byte
            }
            if (Chars.isControl(b)) {
                return null;
            }
            out[n++] = (byte) b;
        }
        try {
            String decoded = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out, 0, n))
                    .toString();
            // The C1 controls (U+0080 to U+009F) are control characters too, though each takes two bytes.
            return decoded.chars().anyMatch(Character::isISOControl) ? null : decoded;
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}

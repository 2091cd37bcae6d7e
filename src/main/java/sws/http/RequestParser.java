package sws.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * An incremental parser for one request head (RFC 9112 sections 2 to 6). It is fed the same growing run
 * of bytes again and again and resumes where it stopped, so a request may arrive a byte at a time; it
 * stops at the end of the head, so pipelined requests stay in the buffer for the next round.
 */
public final class RequestParser {
    private static final Set<String> KNOWN_METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

    private enum Phase {
        REQUEST_LINE,
        HEADERS
    }

    private final Limits limits;
    private Phase phase;
    private int scan; // next byte to look at, relative to the start of the request
    private int lineStart; // start of the line being read, relative
    private int headerStart; // start of the header section, relative
    private String method;
    private String target;
    private int minor;
    private Headers headers;

    public RequestParser(Limits limits) {
        this.limits = limits;
        reset();
    }

    /** Forgets the request in progress, ready for the next one. */
    public void reset() {
        phase = Phase.REQUEST_LINE;
        scan = 0;
        lineStart = 0;
        headerStart = 0;
        method = null;
        target = null;
        headers = null;
    }

    /**
     * Parses the request whose bytes are buf[from, to). Each call must see the bytes of the previous
     * call again, possibly followed by more.
     */
    public ParseResult parse(byte[] buf, int from, int to) {
        int length = to - from;
        while (scan < length) {
            int nl = indexOf(buf, from + scan, to, (byte) '\n');
            if (nl < 0) {
                scan = length;
                return overLimitWithoutLineEnd(length);
            }
            int lineEnd = nl - from; // relative index of '\n'
            scan = lineEnd + 1;
            int contentEnd = lineEnd > lineStart && buf[from + lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
            ParseResult result = phase == Phase.REQUEST_LINE
                    ? requestLine(buf, from + lineStart, from + contentEnd)
                    : headerLine(buf, from + lineStart, from + contentEnd, scan);
            lineStart = scan;
            if (result != null) {
                return result;
            }
        }
        return overLimitWithoutLineEnd(length);
    }

    private ParseResult overLimitWithoutLineEnd(int length) {
        // Empty lines before the request line count against its limit, so a head never outgrows maxHeadBytes.
        if (phase == Phase.REQUEST_LINE && length > limits.maxRequestLine() + 1) {
            return failed(Status.URI_TOO_LONG, "request line too long");
        }
        if (phase == Phase.HEADERS && length - headerStart > limits.maxHeaderBytes()) {
            return failed(Status.HEADER_FIELDS_TOO_LARGE, "header section too large");
        }
        return ParseResult.INCOMPLETE;
    }

    private ParseResult requestLine(byte[] buf, int start, int end) {
        if (end == start) {
            // RFC 9112 section 2.2: empty lines before the request line are ignored, within the line limit.
            if (scan > limits.maxRequestLine()) {
                return failed(Status.BAD_REQUEST, "no request line");
            }
            return null;
        }
        if (lineStart + (end - start) > limits.maxRequestLine()) {
            return failed(Status.URI_TOO_LONG, "request line too long");
        }
        int sp1 = indexOf(buf, start, end, (byte) ' ');
        int sp2 = sp1 < 0 ? -1 : indexOf(buf, sp1 + 1, end, (byte) ' ');
        if (sp1 <= start || sp2 < 0) {
            return failed(Status.BAD_REQUEST, "malformed request line");
        }
        if (indexOf(buf, sp2 + 1, end, (byte) ' ') >= 0 || sp2 == sp1 + 1) {
            return failed(Status.BAD_REQUEST, "malformed request line");
        }
        for (int i = start; i < end; i++) {
            byte b = buf[i];
            if (b == '\r' || b == 0 || b == '\t') {
                return failed(Status.BAD_REQUEST, "control character in request line");
            }
        }
        for (int i = start; i < sp1; i++) {
            if (!isTchar(buf[i])) {
                return failed(Status.BAD_REQUEST, "malformed method");
            }
        }
        int version = version(buf, sp2 + 1, end);
        if (version == -1) {
            return failed(Status.BAD_REQUEST, "malformed HTTP version");
        }
        if (version / 10 != 1) {
            return failed(Status.HTTP_VERSION_NOT_SUPPORTED, "only HTTP/1.0 and HTTP/1.1 are supported");
        }
        minor = Math.min(version % 10, 1);
        method = method(buf, start, sp1);
        if (!KNOWN_METHODS.contains(method)) {
            return failed(Status.NOT_IMPLEMENTED, "unknown method");
        }
        target = new String(buf, sp1 + 1, sp2 - sp1 - 1, StandardCharsets.ISO_8859_1);
        phase = Phase.HEADERS;
        headerStart = scan;
        headers = new Headers();
        return null;
    }

    /** The method's name; the common ones as constants, so that they cost no allocation. */
    private static String method(byte[] buf, int start, int end) {
        int n = end - start;
        if (n == 3 && buf[start] == 'G' && buf[start + 1] == 'E' && buf[start + 2] == 'T') {
            return "GET";
        }
        if (n == 4 && buf[start] == 'H' && buf[start + 1] == 'E' && buf[start + 2] == 'A' && buf[start + 3] == 'D') {
            return "HEAD";
        }
        return new String(buf, start, n, StandardCharsets.US_ASCII);
    }

    /** Names most requests carry, given as constants when spelled so, to spare an allocation each. */
    private static final String[] COMMON_FIELDS = {
        "Host", "Connection", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language", "Content-Length",
        "Content-Type", "If-Modified-Since", "Range", "Cookie", "Referer", "Cache-Control", "Upgrade-Insecure-Requests"
    };

    private static String fieldName(byte[] buf, int start, int end) {
        int n = end - start;
        for (String common : COMMON_FIELDS) {
            if (common.length() == n && sameBytes(common, buf, start)) {
                return common;
            }
        }
        return new String(buf, start, n, StandardCharsets.US_ASCII);
    }

    private static boolean sameBytes(String s, byte[] buf, int start) {
        for (int i = 0; i < s.length(); i++) {
            if (buf[start + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static final byte[] HTTP_NAME = {'H', 'T', 'T', 'P', '/'};

    /** Returns 10 * major + minor for "HTTP/d.d", or -1 when the text is not of that shape. */
    private static int version(byte[] buf, int start, int end) {
        if (end - start != 8) {
            return -1;
        }
        for (int i = 0; i < HTTP_NAME.length; i++) {
            if (buf[start + i] != HTTP_NAME[i]) {
                return -1;
            }
        }
        byte major = buf[start + 5];
        byte minorDigit = buf[start + 7];
        if (!isDigit(major) || buf[start + 6] != '.' || !isDigit(minorDigit)) {
            return -1;
        }
        return (major - '0') * 10 + (minorDigit - '0');
    }

    private ParseResult headerLine(byte[] buf, int start, int end, int headEnd) {
        if (headEnd - headerStart > limits.maxHeaderBytes()) {
            return failed(Status.HEADER_FIELDS_TOO_LARGE, "header section too large");
        }
        if (end == start) {
            return finish(headEnd);
        }
        if (buf[start] == ' ' || buf[start] == '\t') {
            return failed(Status.BAD_REQUEST, "obsolete line folding");
        }
        if (headers.size() >= limits.maxHeaderFields()) {
            return failed(Status.HEADER_FIELDS_TOO_LARGE, "too many header fields");
        }
        int colon = indexOf(buf, start, end, (byte) ':');
        if (colon <= start) {
            return failed(Status.BAD_REQUEST, "malformed header field");
        }
        for (int i = start; i < colon; i++) {
            if (!isTchar(buf[i])) {
                return failed(Status.BAD_REQUEST, "malformed header field name");
            }
        }
        int vs = colon + 1;
        int ve = end;
        while (vs < ve && (buf[vs] == ' ' || buf[vs] == '\t')) {
            vs++;
        }
        while (ve > vs && (buf[ve - 1] == ' ' || buf[ve - 1] == '\t')) {
            ve--;
        }
        for (int i = vs; i < ve; i++) {
            byte b = buf[i];
            if ((b >= 0 && b < 0x20 && b != '\t') || b == 0x7f) {
                return failed(Status.BAD_REQUEST, "control character in header field");
            }
        }
        headers.add(fieldName(buf, start, colon), new String(buf, vs, ve - vs, StandardCharsets.ISO_8859_1));
        return null;
    }

    /** Checks the head as a whole (RFC 9112 sections 3.2 and 6) and builds the request. */
    private ParseResult finish(int headLength) {
        int hosts = headers.count("Host");
        if (hosts > 1 || (minor >= 1 && hosts == 0)) {
            return failed(Status.BAD_REQUEST, hosts > 1 ? "more than one Host field" : "missing Host field");
        }
        if (hosts == 1 && !validHost(headers.get("Host"))) {
            return failed(Status.BAD_REQUEST, "malformed Host field");
        }
        long bodyLength;
        List<String> te = headers.count("Transfer-Encoding") == 0 ? List.of() : headers.all("Transfer-Encoding");
        List<String> cl = headers.count("Content-Length") == 0 ? List.of() : headers.all("Content-Length");
        if (!te.isEmpty()) {
            if (!cl.isEmpty()) {
                return failed(Status.BAD_REQUEST, "both Transfer-Encoding and Content-Length");
            }
            if (minor == 0) {
                return failed(Status.BAD_REQUEST, "Transfer-Encoding in an HTTP/1.0 request");
            }
            String codings = String.join(",", te);
            String[] parts = codings.split(",", -1);
            if (!parts[parts.length - 1].trim().equalsIgnoreCase("chunked")) {
                return failed(Status.BAD_REQUEST, "chunked is not the final transfer coding");
            }
            if (parts.length > 1) {
                return failed(Status.NOT_IMPLEMENTED, "transfer coding not supported");
            }
            bodyLength = -1;
        } else if (!cl.isEmpty()) {
            bodyLength = contentLength(cl);
            if (bodyLength == -1) {
                return failed(Status.BAD_REQUEST, "invalid Content-Length");
            }
            if (bodyLength > limits.maxBodyBytes()) {
                return failed(Status.CONTENT_TOO_LARGE, "request body too large");
            }
        } else {
            bodyLength = 0;
        }
        Target parsed = Target.parse(method, target);
        if (parsed.error() != null) {
            return failed(Status.BAD_REQUEST, parsed.error());
        }
        int expect = minor >= 1 ? expectation() : EXPECT_NOTHING;
        if (expect == EXPECT_UNKNOWN) {
            return failed(Status.EXPECTATION_FAILED, "unknown expectation");
        }
        boolean keepAlive = minor >= 1
                ? !headers.hasToken("Connection", "close")
                : headers.hasToken("Connection", "keep-alive") && !headers.hasToken("Connection", "close");
        Request request = new Request(
                method,
                target,
                parsed.path(),
                parsed.rawPath(),
                parsed.query(),
                minor,
                headers,
                keepAlive,
                bodyLength,
                expect == EXPECT_CONTINUE && bodyLength != 0);
        reset();
        return new ParseResult.Complete(request, headLength);
    }

    /**
     * The GET request a CGI local redirect (RFC 3875 section 6.2.2) stands for: the original's version and
     * header fields, the new target, no body. Null when the target is not a valid origin-form target.
     */
    public static Request localRedirect(Request original, String target) {
        if (!target.startsWith("/")) {
            return null;
        }
        Target parsed = Target.parse("GET", target);
        if (parsed.error() != null) {
            return null;
        }
        return new Request(
                "GET",
                target,
                parsed.path(),
                parsed.rawPath(),
                parsed.query(),
                original.minorVersion(),
                original.headers(),
                original.keepAlive(),
                0,
                false);
    }

    private static final int EXPECT_NOTHING = 0;
    private static final int EXPECT_CONTINUE = 1;
    private static final int EXPECT_UNKNOWN = 2;

    /**
     * RFC 9110 section 10.1.1: what the Expect fields ask for. 100-continue is the only expectation there
     * is (case-insensitive, repeats allowed, empty list members ignored); anything else is one the server
     * cannot meet, which is 417.
     */
    private int expectation() {
        if (headers.count("Expect") == 0) {
            return EXPECT_NOTHING;
        }
        int found = EXPECT_NOTHING;
        for (String field : headers.all("Expect")) {
            for (String member : field.split(",", -1)) {
                String m = member.trim();
                if (m.isEmpty()) {
                    continue;
                }
                if (!m.equalsIgnoreCase("100-continue")) {
                    return EXPECT_UNKNOWN;
                }
                found = EXPECT_CONTINUE;
            }
        }
        return found;
    }

    /** All Content-Length values, comma lists included, must be the same run of digits; else -1. */
    private static long contentLength(List<String> fields) {
        long value = -1;
        for (String field : fields) {
            for (String part : field.split(",", -1)) {
                String digits = part.trim();
                int zeros = 0;
                while (zeros < digits.length() - 1 && digits.charAt(zeros) == '0') {
                    zeros++; // RFC 9110 8.6: 1*DIGIT, so leading zeros carry no length
                }
                long n = Decimal.parse(digits.substring(zeros));
                if (n < 0) {
                    return -1;
                }
                if (value != -1 && value != n) {
                    return -1;
                }
                value = n;
            }
        }
        return value;
    }

    /** RFC 9110 section 7.2: uri-host [ ":" port ], where the host may be a bracketed IP literal. */
    private static boolean validHost(String host) {
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "-._~!$&'()*+,;=:[]%".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private ParseResult failed(Status status, String message) {
        ParseResult result = new ParseResult.Failed(HttpError.fatal(status, message));
        reset();
        return result;
    }

    private static int indexOf(byte[] buf, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /** RFC 9110 section 5.6.2: the characters of a token. */
    static boolean isTchar(byte b) {
        return (b >= 'a' && b <= 'z')
                || (b >= 'A' && b <= 'Z')
                || (b >= '0' && b <= '9')
                || (b > 0 && "!#$%&'*+-.^_`|~".indexOf(b) >= 0);
    }

    /** The request target split into its parts (RFC 9112 section 3.2) with the path percent-decoded. */
    record Target(String path, String rawPath, String query, String error) {
        static Target invalid(String why) {
            return new Target(null, null, null, why);
        }

        static Target parse(String method, String target) {
            if (method.equals("OPTIONS") && target.equals("*")) {
                return new Target("*", "*", null, null);
            }
            String rest = target;
            if (!target.startsWith("/")) {
                int schemeEnd = target.indexOf("://");
                String scheme = schemeEnd < 0 ? "" : target.substring(0, schemeEnd);
                if (method.equals("CONNECT")) {
                    return new Target("", target, null, null);
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
            return new Target(path, rawPath, query, null);
        }
    }

    /**
     * Decodes %XX escapes once and reads the bytes as strict UTF-8 (so overlong forms such as %c0%ae are
     * refused). Returns null for a bad escape, invalid UTF-8, or a NUL or other control character.
     */
    static String percentDecode(String raw) {
        boolean plain = true;
        for (int i = 0; i < raw.length() && plain; i++) {
            char c = raw.charAt(i);
            plain = c >= 0x20 && c < 0x7f && c != '%';
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
            if (b < 0x20 || b == 0x7f) {
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

package sws.http;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * An incremental parser for one request head (RFC 9112 sections 2 to 6). It is fed the same growing run
 * of bytes again and again and resumes where it stopped, so a request may arrive a byte at a time; it
 * stops at the end of the head, so pipelined requests stay in the buffer for the next round.
 */
public final class RequestParser {
    private static final Set<String> KNOWN_METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

    /** The longest method sws knows (OPTIONS, CONNECT) and a margin: a longer first word is no method of ours. */
    private static final int MAX_METHOD = 7 + 17;

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
                ParseResult early = methodTooLong(buf, from, length);
                return early != null ? early : overLimitWithoutLineEnd(length);
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

    /**
     * A request line still without its end whose first word is already longer than any method sws knows:
     * refused now (501, or 400 when it is not even a token) rather than read up to the line limit.
     */
    private ParseResult methodTooLong(byte[] buf, int from, int length) {
        if (phase != Phase.REQUEST_LINE || buf[from + lineStart] == '\r') {
            return null; // headers, or an empty line before the request line still without its LF
        }
        int methodAt = lineStart + MAX_METHOD + 1;
        int limitAt = limits.maxRequestLine() + 2;
        // Of the two refusals a line without its end can reach, the one its bytes reach first decides,
        // however many bytes each call brings.
        if (length >= methodAt && (length < limitAt || methodAt <= limitAt)) {
            return longMethod(buf, from + lineStart, from + length);
        }
        return null;
    }

    /**
     * What a line that came whole would have got had it come a byte at a time: the first of the two refusals
     * of a line still without its end (a first word too long, the line limit) that its bytes reach.
     */
    private ParseResult beforeTheLineEnd(byte[] buf, int start) {
        if (buf[start] == '\r') {
            return null; // as methodTooLong, which takes such a line for an empty one still to end
        }
        int lineEnd = scan - 1; // relative: the LF
        int methodAt = lineStart + MAX_METHOD + 1;
        int limitAt = limits.maxRequestLine() + 2;
        if (methodAt <= lineEnd && (limitAt > lineEnd || methodAt <= limitAt)) {
            return longMethod(buf, start, start + MAX_METHOD + 1 + 1);
        }
        return null;
    }

    /** The refusal of a first word longer than any method, whether the line's end has come or not; else null. */
    private ParseResult longMethod(byte[] buf, int start, int end) {
        if (end - start <= MAX_METHOD || indexOf(buf, start, start + MAX_METHOD + 1, (byte) ' ') >= 0) {
            return null;
        }
        return Chars.isToken(buf, start, start + MAX_METHOD + 1)
                ? failed(Status.NOT_IMPLEMENTED, "unknown method")
                : failed(Status.BAD_REQUEST, "malformed method");
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
        ParseResult early = beforeTheLineEnd(buf, start);
        if (early != null) {
            return early; // as it would have been had the line come a byte at a time
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
        if (!Chars.isToken(buf, start, sp1)) {
            return failed(Status.BAD_REQUEST, "malformed method");
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
        if (!Chars.isToken(buf, start, colon)) {
            return failed(Status.BAD_REQUEST, "malformed header field name");
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
            if (Chars.isForbiddenInField(buf[i])) {
                return failed(Status.BAD_REQUEST, "control character in header field");
            }
        }
        headers.add(fieldName(buf, start, colon), new String(buf, vs, ve - vs, StandardCharsets.ISO_8859_1));
        return null;
    }

    /** Checks the head as a whole and builds the request; ready for the next one either way. */
    private ParseResult finish(int headLength) {
        ParseResult result = RequestHead.check(method, target, minor, headers, limits, headLength);
        reset();
        return result;
    }

    private ParseResult failed(Status status, String message) {
        reset();
        return new ParseResult.Failed(new HttpError(status, message));
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
}

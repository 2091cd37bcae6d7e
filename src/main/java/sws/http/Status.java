package sws.http;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * A response status with its pre-encoded status lines: the ones sws itself sends (spec section 3) as
 * constants, and any other a CGI program asks for.
 */
public final class Status {
    private static final Map<Integer, Status> KNOWN = new HashMap<>();

    public static final Status OK = known(200, "OK");
    public static final Status NO_CONTENT = known(204, "No Content");
    public static final Status PARTIAL_CONTENT = known(206, "Partial Content");
    public static final Status MOVED_PERMANENTLY = known(301, "Moved Permanently");
    public static final Status FOUND = known(302, "Found");
    public static final Status NOT_MODIFIED = known(304, "Not Modified");
    public static final Status BAD_REQUEST = known(400, "Bad Request");
    public static final Status FORBIDDEN = known(403, "Forbidden");
    public static final Status NOT_FOUND = known(404, "Not Found");
    public static final Status METHOD_NOT_ALLOWED = known(405, "Method Not Allowed");
    public static final Status REQUEST_TIMEOUT = known(408, "Request Timeout");
    public static final Status PRECONDITION_FAILED = known(412, "Precondition Failed");
    public static final Status CONTENT_TOO_LARGE = known(413, "Content Too Large");
    public static final Status URI_TOO_LONG = known(414, "URI Too Long");
    public static final Status RANGE_NOT_SATISFIABLE = known(416, "Range Not Satisfiable");
    public static final Status EXPECTATION_FAILED = known(417, "Expectation Failed");
    public static final Status HEADER_FIELDS_TOO_LARGE = known(431, "Request Header Fields Too Large");
    public static final Status INTERNAL_SERVER_ERROR = known(500, "Internal Server Error");
    public static final Status NOT_IMPLEMENTED = known(501, "Not Implemented");
    public static final Status SERVICE_UNAVAILABLE = known(503, "Service Unavailable");
    public static final Status GATEWAY_TIMEOUT = known(504, "Gateway Timeout");
    public static final Status HTTP_VERSION_NOT_SUPPORTED = known(505, "HTTP Version Not Supported");
    public static final Status INSUFFICIENT_STORAGE = known(507, "Insufficient Storage");

    static {
        // Not sent by sws itself, but given by CGI programs, often without a reason phrase.
        known(201, "Created");
        known(303, "See Other");
        known(307, "Temporary Redirect");
        known(401, "Unauthorized");
        known(502, "Bad Gateway");
    }

    private final int code;
    private final String reason;
    private final byte[] line10;
    private final byte[] line11;

    private Status(int code, String reason) {
        this.code = code;
        this.reason = reason;
        this.line10 = ("HTTP/1.0 " + code + " " + reason + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        this.line11 = ("HTTP/1.1 " + code + " " + reason + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Status known(int code, String reason) {
        Status s = new Status(code, reason);
        KNOWN.put(code, s);
        return s;
    }

    /**
     * The status for a code (100 to 999) and reason phrase; a known code with no reason, or its usual one,
     * gives the constant. The reason must already be free of control characters.
     */
    public static Status of(int code, String reason) {
        Status k = KNOWN.get(code);
        if (k != null && (reason == null || reason.isEmpty() || reason.equals(k.reason))) {
            return k;
        }
        return new Status(code, reason == null ? "" : reason);
    }

    /** Whether this is one of the constants above, not a status a CGI program made up. */
    boolean known() {
        return KNOWN.get(code) == this;
    }

    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }

    /** The encoded status line, CRLF included, for a response in the given minor version of HTTP/1. */
    byte[] statusLine(boolean http11) {
        return http11 ? line11 : line10;
    }

    /** Whether a response with this status never carries a body (RFC 9110 sections 6.4.1, 15.3.5). */
    public boolean forbidsBody() {
        return code == 304 || code == 204 || code < 200;
    }

    @Override
    public String toString() {
        return code + " " + reason;
    }
}

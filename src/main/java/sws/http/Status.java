package sws.http;

import java.nio.charset.StandardCharsets;

/** The response statuses sws sends (spec section 3), each with its pre-encoded status line. */
public enum Status {
    OK(200, "OK"),
    PARTIAL_CONTENT(206, "Partial Content"),
    MOVED_PERMANENTLY(301, "Moved Permanently"),
    FOUND(302, "Found"),
    NOT_MODIFIED(304, "Not Modified"),
    BAD_REQUEST(400, "Bad Request"),
    FORBIDDEN(403, "Forbidden"),
    NOT_FOUND(404, "Not Found"),
    METHOD_NOT_ALLOWED(405, "Method Not Allowed"),
    REQUEST_TIMEOUT(408, "Request Timeout"),
    CONTENT_TOO_LARGE(413, "Content Too Large"),
    URI_TOO_LONG(414, "URI Too Long"),
    RANGE_NOT_SATISFIABLE(416, "Range Not Satisfiable"),
    HEADER_FIELDS_TOO_LARGE(431, "Request Header Fields Too Large"),
    INTERNAL_SERVER_ERROR(500, "Internal Server Error"),
    NOT_IMPLEMENTED(501, "Not Implemented"),
    SERVICE_UNAVAILABLE(503, "Service Unavailable"),
    GATEWAY_TIMEOUT(504, "Gateway Timeout"),
    HTTP_VERSION_NOT_SUPPORTED(505, "HTTP Version Not Supported");

    private final int code;
    private final String reason;
    private final byte[] line10;
    private final byte[] line11;

    Status(int code, String reason) {
        this.code = code;
        this.reason = reason;
        this.line10 = ("HTTP/1.0 " + code + " " + reason + "\r\n").getBytes(StandardCharsets.US_ASCII);
        this.line11 = ("HTTP/1.1 " + code + " " + reason + "\r\n").getBytes(StandardCharsets.US_ASCII);
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

    /** Whether a response with this status never carries a body (RFC 9110 section 6.4.1). */
    public boolean forbidsBody() {
        return this == NOT_MODIFIED;
    }

    /** Finds the status for a numeric code, or null when sws does not use that code. */
    public static Status ofCode(int code) {
        for (Status s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return null;
    }
}

package sws.http;

import java.util.List;

/**
 * The rules a request head must meet as a whole, once all its lines are in: Host (RFC 9112 3.2), the body's
 * framing (RFC 9112 6), the target and Expect (RFC 9110 10.1.1). The framing is strict, since ambiguity is
 * how requests are smuggled.
 */
final class RequestHead {
    private RequestHead() {}

    /** The request, or the error refusing it. */
    static ParseResult check(String method, String target, int minor, Headers headers, Limits limits, int length) {
        int hosts = headers.count("Host");
        if (hosts > 1 || (minor >= 1 && hosts == 0)) {
            return failed(Status.BAD_REQUEST, hosts > 1 ? "more than one Host field" : "missing Host field");
        }
        if (hosts == 1 && !validHost(headers.get("Host"))) {
            return failed(Status.BAD_REQUEST, "malformed Host field");
        }
        if (hosts == 1 && headers.get("Host").isEmpty() && (target.startsWith("/") || target.equals("*"))) {
            // RFC 9112 3.2: an empty Host is only for a target without an authority; this one has ours.
            return failed(Status.BAD_REQUEST, "empty Host field");
        }
        long bodyLength;
        if (headers.count("Transfer-Encoding") > 0) {
            if (headers.count("Content-Length") > 0) {
                return failed(Status.BAD_REQUEST, "both Transfer-Encoding and Content-Length");
            }
            if (minor == 0) {
                return failed(Status.BAD_REQUEST, "Transfer-Encoding in an HTTP/1.0 request");
            }
            String[] codings =
                    String.join(",", headers.all("Transfer-Encoding")).split(",", -1);
            if (!codings[codings.length - 1].trim().equalsIgnoreCase("chunked")) {
                return failed(Status.BAD_REQUEST, "chunked is not the final transfer coding");
            }
            if (codings.length > 1) {
                return failed(Status.NOT_IMPLEMENTED, "transfer coding not supported");
            }
            bodyLength = -1;
        } else if (headers.count("Content-Length") > 0) {
            bodyLength = contentLength(headers.all("Content-Length"));
            if (bodyLength == -1) {
                return failed(Status.BAD_REQUEST, "invalid Content-Length");
            }
            if (bodyLength > limits.maxBodyBytes()) {
                return failed(Status.CONTENT_TOO_LARGE, "request body too large");
            }
        } else {
            bodyLength = 0;
        }
        RequestTarget parsed = RequestTarget.parse(method, target);
        if (parsed.error() != null) {
            return failed(Status.BAD_REQUEST, parsed.error());
        }
        Expectation expect = minor >= 1 ? expectation(headers) : Expectation.NOTHING;
        if (expect == Expectation.UNKNOWN) {
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
                expect == Expectation.CONTINUE && bodyLength != 0);
        return new ParseResult.Complete(request, length);
    }

    private static ParseResult failed(Status status, String message) {
        return new ParseResult.Failed(new HttpError(status, message));
    }

    /** All Content-Length values, comma lists included, must be the same number; else -1. */
    private static long contentLength(List<String> fields) {
        long value = -1;
        for (String field : fields) {
            for (String part : field.split(",", -1)) {
                long n = Numbers.decimal(part.trim());
                if (n < 0 || (value != -1 && value != n)) {
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

    private enum Expectation {
        NOTHING,
        CONTINUE,
        UNKNOWN
    }

    /**
     * RFC 9110 section 10.1.1: what the Expect fields ask for. 100-continue is the only expectation there
     * is (case-insensitive, repeats allowed, empty list members ignored); anything else is one the server
     * cannot meet, which is 417.
     */
    private static Expectation expectation(Headers headers) {
        if (headers.count("Expect") == 0) {
            return Expectation.NOTHING;
        }
        Expectation found = Expectation.NOTHING;
        for (String field : headers.all("Expect")) {
            for (String member : field.split(",", -1)) {
                String m = member.trim();
                if (m.isEmpty()) {
                    continue;
                }
                if (!m.equalsIgnoreCase("100-continue")) {
                    return Expectation.UNKNOWN;
                }
                found = Expectation.CONTINUE;
            }
        }
        return found;
    }
}

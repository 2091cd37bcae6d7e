package sws.cgi;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import sws.http.Chars;
import sws.http.Numbers;
import sws.http.Status;

/**
 * The header block a CGI program prints before its body (RFC 3875 section 6.3): read, checked, and sorted
 * into what the server uses itself (Status, Location, Content-Length) and what it passes on.
 */
record CgiHeaders(
        Status status,
        boolean statusGiven,
        List<String> fields,
        String location,
        long contentLength,
        boolean hasContentType) {

    static final int MAX_BYTES = 64 * 1024;

    /** Fields that describe one connection, not the response, and so never pass through (RFC 9110 7.6.1). */
    private static final Set<String> DROPPED = Set.of(
            "connection",
            "keep-alive",
            "transfer-encoding",
            "te",
            "trailer",
            "upgrade",
            "proxy-connection",
            "date",
            "server");

    /** Why a header block was refused. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    /** Reads up to and including the blank line that ends the block; leaves the body in the stream. */
    static CgiHeaders read(InputStream in) throws IOException, Invalid {
        Status status = Status.OK;
        boolean statusGiven = false;
        String location = null;
        long contentLength = -1;
        boolean contentType = false;
        List<String> fields = new ArrayList<>();
        int total = 0;
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new Invalid(total == 0 ? "no output" : "output ended inside the header block");
            }
            if (++total > MAX_BYTES) {
                throw new Invalid("header block larger than " + MAX_BYTES + " bytes");
            }
            if (b != '\n') {
                line.append((char) b);
                continue;
            }
            int end = line.length();
            if (end > 0 && line.charAt(end - 1) == '\r') {
                line.setLength(--end);
            }
            if (end == 0) {
                break;
            }
            String text = line.toString();
            line.setLength(0);
            int colon = text.indexOf(':');
            if (!Chars.isToken(text, 0, colon)) {
                throw new Invalid("malformed header line");
            }
            String name = text.substring(0, colon);
            String value = text.substring(colon + 1).strip();
            if (value.chars().anyMatch(Chars::isForbiddenInField)) {
                throw new Invalid("control character in header " + name);
            }
            String lower = name.toLowerCase(Locale.ROOT);
            switch (lower) {
                case "status" -> {
                    status = parseStatus(value);
                    statusGiven = true;
                }
                case "location" -> location = value;
                case "content-length" -> contentLength = parseLength(value);
                default -> {
                    if (!DROPPED.contains(lower)) {
                        contentType |= lower.equals("content-type");
                        fields.add(name);
                        fields.add(value);
                    }
                }
            }
        }
        if (!contentType && location == null && !status.forbidsBody()) {
            throw new Invalid("neither Content-Type nor Location");
        }
        return new CgiHeaders(status, statusGiven, fields, location, contentLength, contentType);
    }

    /** A local redirect (RFC 3875 section 6.2.2): a path alone, handled inside the server. */
    boolean localRedirect() {
        return location != null && location.startsWith("/") && !location.startsWith("//") && !statusGiven;
    }

    private static Status parseStatus(String value) throws Invalid {
        if (value.length() < 3) {
            throw new Invalid("malformed Status");
        }
        int code = 0;
        for (int i = 0; i < 3; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw new Invalid("malformed Status");
            }
            code = code * 10 + (c - '0');
        }
        if (code < 200 || (value.length() > 3 && value.charAt(3) != ' ')) {
            throw new Invalid("malformed Status");
        }
        return Status.of(code, value.substring(3).strip());
    }

    private static long parseLength(String value) throws Invalid {
        long n = Numbers.decimal(value);
        if (n < 0) {
            throw new Invalid("malformed Content-Length");
        }
        return n;
    }
}

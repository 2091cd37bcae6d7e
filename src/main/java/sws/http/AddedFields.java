package sws.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import sws.io.Ascii;

/**
 * Fields a listener adds to the responses of its handler: some to every response (Strict-Transport-Security,
 * CORS's Access-Control-Allow-Origin), some only to those that are not errors (the operator's --header
 * fields). Encoded once, each ending in CRLF.
 */
public final class AddedFields {
    /** Nothing added. */
    public static final AddedFields NONE = new AddedFields(List.of(), List.of());

    private final byte[] every;
    private final byte[] unlessError;

    /** @param every and unlessError "Name: value" fields, already checked */
    public AddedFields(List<String> every, List<String> unlessError) {
        this.every = encode(every);
        this.unlessError =
                encode(Stream.concat(every.stream(), unlessError.stream()).toList());
    }

    private static byte[] encode(List<String> fields) {
        StringBuilder sb = new StringBuilder();
        for (String field : fields) {
            sb.append(field).append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The fields for a response of this status. */
    byte[] forStatus(Status status) {
        return status.code() < 400 ? unlessError : every;
    }

    /**
     * Why an operator's "Name: value" field cannot be added, or null when it can: it must parse, its name
     * must be a token sws does not set itself (spec section 8), its value free of control characters.
     */
    public static String refusal(String field) {
        int colon = field.indexOf(':');
        if (colon < 0) {
            return "'" + Ascii.shown(field) + "' is not of the form 'Name: value'";
        }
        String name = field.substring(0, colon);
        if (!Chars.isToken(name, 0, name.length())) {
            return "'" + Ascii.shown(name) + "' is not a valid field name";
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-")
                || List.of("date", "server", "etag", "last-modified", "connection", "transfer-encoding")
                        .contains(lower)) {
            return "sws sets " + name + " itself";
        }
        String value = field.substring(colon + 1);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Chars.isForbiddenInField(c) || c > 0xff) {
                return "the value of " + name + " holds a character a field may not";
            }
        }
        return null;
    }

    /** "Name: value" with the value's surrounding white space taken off, as it is sent. */
    public static String normalized(String field) {
        int colon = field.indexOf(':');
        return field.substring(0, colon) + ": " + field.substring(colon + 1).strip();
    }
}

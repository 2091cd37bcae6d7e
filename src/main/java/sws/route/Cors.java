package sws.route;

import java.util.ArrayList;
import java.util.List;
import sws.http.Body;
import sws.http.Chars;
import sws.http.Request;
import sws.http.Response;
import sws.http.Status;
import sws.io.Ascii;

/**
 * Cross-origin resource sharing for --cors (the Fetch standard's CORS protocol): the origin every response
 * allows, and the answer to a preflight request, which asks before a cross-origin request is made.
 */
public final class Cors {
    private static final String MAX_AGE = "86400";

    private final String origin;

    /** @param origin "*", "null", or a scheme://host[:port] origin, checked by {@link #refusal} */
    public Cors(String origin) {
        this.origin = origin;
    }

    /** Why a value cannot be an allowed origin, or null when it can. */
    public static String refusal(String origin) {
        if (origin.equals("*") || origin.equals("null")) {
            return null;
        }
        int scheme = origin.indexOf("://");
        String name = scheme < 0 ? "" : origin.substring(0, scheme);
        String host = scheme < 0 ? "" : origin.substring(scheme + 3);
        if (!(name.equals("http") || name.equals("https")) || host.isEmpty()) {
            return "'" + Ascii.shown(origin) + "' is not *, null or an origin such as https://example.org";
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean allowed = Character.isLetterOrDigit(c) && c < 0x80
                    || c == '.'
                    || c == '-'
                    || c == ':'
                    || c == '['
                    || c == ']';
            if (!allowed) {
                return "'" + Ascii.shown(origin)
                        + "' is not an origin: no path, query or other characters after the host";
            }
        }
        return null;
    }

    /** The fields every response carries: the allowed origin, and Vary when it is a single one. */
    public List<String> fields() {
        return origin.equals("*")
                ? List.of("Access-Control-Allow-Origin: *")
                : List.of("Access-Control-Allow-Origin: " + origin, "Vary: Origin");
    }

    /** A preflight: OPTIONS that says which method the real request will use. */
    static boolean isPreflight(Request request) {
        return request.method().equals("OPTIONS") && request.headers().get("Access-Control-Request-Method") != null;
    }

    /**
     * 204 with the methods the path allows, how long the answer may be kept, and the request fields asked
     * for when they are tokens (the server reads no field it does not know, so any is fine to send).
     */
    static Response preflight(Request request, String methods) {
        var fields =
                new ArrayList<>(List.of("Access-Control-Allow-Methods", methods, "Access-Control-Max-Age", MAX_AGE));
        String asked = request.headers().get("Access-Control-Request-Headers");
        if (asked != null && tokenList(asked)) {
            fields.add("Access-Control-Allow-Headers");
            fields.add(asked.strip());
        }
        return new Response(Status.NO_CONTENT, List.copyOf(fields), Body.NONE);
    }

    private static boolean tokenList(String value) {
        for (String name : value.split(",", -1)) {
            String t = name.strip();
            if (!Chars.isToken(t, 0, t.length())) {
                return false;
            }
        }
        return !value.isBlank();
    }
}

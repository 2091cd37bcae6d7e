package sws.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A response as a handler describes it: status, header fields beyond the ones every response carries,
 * and a body. The connection decides framing (Content-Length, Connection) when it encodes the head.
 * A response served again and again (a cached file) carries a {@link HeadCache} so its head is encoded
 * once a second, not once a request.
 */
public record Response(Status status, List<String> fields, Body body, HeadCache heads) implements Reply {

    public Response(Status status, List<String> fields, Body body) {
        this(status, fields, body, null);
    }

    /** A response with this status, its fields given as name, value, name, value, ... */
    public static Response of(Status status, Body body, String... nameValues) {
        return new Response(status, List.of(nameValues), body);
    }

    /** The short HTML error page naming the status (spec section 3). */
    public static Response error(Status status, String... nameValues) {
        var fields = new ArrayList<String>(List.of(nameValues));
        fields.add("Content-Type");
        fields.add(HtmlPage.TYPE);
        return new Response(status, List.copyOf(fields), new Body.Bytes(HtmlPage.error(status)));
    }

    /** A generated HTML page. */
    public static Response html(Status status, String page) {
        return of(status, new Body.Bytes(page.getBytes(StandardCharsets.UTF_8)), "Content-Type", HtmlPage.TYPE);
    }
}

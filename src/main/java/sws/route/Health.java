package sws.route;

import java.nio.charset.StandardCharsets;
import sws.http.Body;
import sws.http.Request;
import sws.http.Response;
import sws.http.Status;

/**
 * The health check of --health-path (spec section 9): 200 "ok" while serving, 503 from the moment a graceful
 * stop begins, so a balancer takes the instance out of rotation before anything is refused.
 */
public final class Health {
    private static final Response OK = answer(Status.OK, "ok\n");
    private static final Response DRAINING = answer(Status.SERVICE_UNAVAILABLE, "draining\n");

    private final String path;
    private volatile boolean draining;

    /** @param path the decoded URL path of the check, such as "/healthz" */
    public Health(String path) {
        this.path = path;
    }

    public String path() {
        return path;
    }

    /** From now on the check answers 503. */
    public void drain() {
        draining = true;
    }

    /** Whether this request is the check: a GET or HEAD of its path, whatever the query. */
    boolean checks(Request request) {
        return request.path().equals(path)
                && (request.method().equals("GET") || request.method().equals("HEAD"));
    }

    Response answer() {
        return draining ? DRAINING : OK;
    }

    private static Response answer(Status status, String body) {
        return Response.of(
                status,
                new Body.Bytes(body.getBytes(StandardCharsets.US_ASCII)),
                "Content-Type",
                "text/plain; charset=utf-8",
                "Cache-Control",
                "no-store");
    }
}

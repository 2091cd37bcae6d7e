package sws.route;

import java.nio.charset.StandardCharsets;
import sws.http.Body;
import sws.http.Handler;
import sws.http.Reply;
import sws.http.Request;
import sws.http.Response;
import sws.http.Status;
import sws.metrics.Metrics;
import sws.net.Peer;

/** The whole site of the --metrics listener: GET /metrics in Prometheus's text format, nothing else. */
public final class MetricsPage implements Handler {
    private final Metrics metrics;

    public MetricsPage(Metrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public Reply handle(Request request, Peer client) {
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return Response.error(Status.METHOD_NOT_ALLOWED, "Allow", "GET, HEAD");
        }
        if (!request.path().equals("/metrics")) {
            return Response.error(Status.NOT_FOUND);
        }
        byte[] text = metrics.render().getBytes(StandardCharsets.UTF_8);
        return Response.of(Status.OK, new Body.Bytes(text), "Content-Type", Metrics.TYPE, "Cache-Control", "no-store");
    }
}

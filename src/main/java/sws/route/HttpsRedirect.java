package sws.route;

import sws.http.Handler;
import sws.http.Reply;
import sws.http.Request;
import sws.http.Response;
import sws.http.Status;
import sws.net.Peer;

/**
 * The whole site of the --redirect-port listener (spec section 7.1): every request, whatever its method,
 * is sent to the same target over HTTPS with 301. The host is the one the client asked for (without its
 * port), else the address it reached; the port is the HTTPS listener's, left out when it is 443.
 */
public final class HttpsRedirect implements Handler {
    private final int httpsPort;

    public HttpsRedirect(int httpsPort) {
        this.httpsPort = httpsPort;
    }

    @Override
    public Reply handle(Request request, Peer client) {
        String target = request.rawPath().startsWith("/") ? request.rawPath() : "/";
        if (request.query() != null) {
            target += "?" + request.query();
        }
        String port = httpsPort == 443 ? "" : ":" + httpsPort;
        return Response.error(Status.MOVED_PERMANENTLY, "Location", "https://" + host(request, client) + port + target);
    }

    /**
     * The Host field's host: a name or an IPv4 address of the characters such names have, or a bracketed
     * IPv6 literal. Anything else would let a client steer where the Location points, so the address the
     * client reached is used instead.
     */
    private static String host(Request request, Peer client) {
        String field = request.headers().get("Host");
        if (field != null) {
            String host = field.startsWith("[")
                    ? field.substring(0, Math.max(0, field.indexOf(']') + 1))
                    : field.split(":", -1)[0];
            if (host.matches("[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\\[[0-9A-Fa-f:.]{2,45}\\]")) {
                return host;
            }
        }
        String local = client.localAddress();
        return local.contains(":") && !local.equals(Peer.UNIX) ? "[" + local + "]" : local;
    }
}

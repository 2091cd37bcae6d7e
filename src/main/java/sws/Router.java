package sws;

import sws.cgi.Gateway;
import sws.content.PathResolver;
import sws.content.Site;
import sws.http.Client;
import sws.http.Handler;
import sws.http.Reply;
import sws.http.Request;
import sws.http.Response;

/**
 * Sends each request to what serves it: /cgi-bin/ to the CGI gateway when there is one, everything else
 * to the site. The choice is made on the path after dot segments are removed, so no spelling of a path
 * reaches the gateway's programs as static files or the other way round.
 */
final class Router implements Handler {
    private final Site site;
    private final Gateway gateway;

    Router(Site site, Gateway gateway) {
        this.site = site;
        this.gateway = gateway;
    }

    @Override
    public Reply handle(Request request, Client client) {
        // Only paths the site answered before are in its cache, so a hit never belongs to the gateway.
        Response cached = site.cached(request);
        if (cached != null) {
            return cached;
        }
        PathResolver.Segments segments = PathResolver.segments(request.path());
        if (gateway != null
                && segments.refusal() == null
                && !segments.names().isEmpty()
                && segments.names().get(0).equals(Gateway.PREFIX)) {
            return gateway.handle(request, client, segments);
        }
        return site.handle(request, segments);
    }
}

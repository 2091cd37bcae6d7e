package sws.route;

import java.nio.file.Path;
import sws.cgi.Gateway;
import sws.content.PathResolver;
import sws.content.Site;
import sws.content.UserDirs;
import sws.http.Body;
import sws.http.Handler;
import sws.http.Reply;
import sws.http.Request;
import sws.http.RequestTarget;
import sws.http.Response;
import sws.http.Status;
import sws.net.Peer;

/**
 * Sends each request to what serves it, and owns the rules of that choice: which methods each part of the
 * server takes, /cgi-bin/ to the CGI gateway when there is one, /~user/ to that user's directory, the
 * docroot for the rest, the file cache before all of them, and where a CGI local redirect leads. The choice
 * is made on the path after dot segments are removed, so no spelling of a path reaches the gateway's
 * programs as static files or the other way round.
 */
public final class Router implements Handler {
    /** The first path segment that leads to the CGI gateway. */
    public static final String CGI_PREFIX = "cgi-bin";

    private static final int MAX_LOCAL_REDIRECTS = 8;
    private static final String ALLOW_STATIC = "GET, HEAD, OPTIONS";
    private static final String ALLOW_CGI = "GET, HEAD, POST, OPTIONS";

    private final Site site;
    private final UserDirs userDirs;
    private final Gateway gateway;
    private final boolean cors;
    private final String fallback;
    private final Health health;

    /**
     * @param gateway the CGI gateway, or null when CGI is off
     * @param cors whether CORS preflight requests are answered
     * @param fallback the URL path of the docroot file a missing extensionless path gets, or null
     * @param health the health check, or null for none
     */
    public Router(Site site, UserDirs userDirs, Gateway gateway, boolean cors, String fallback, Health health) {
        this.site = site;
        this.userDirs = userDirs;
        this.gateway = gateway;
        this.cors = cors;
        this.fallback = fallback;
        this.health = health;
    }

    @Override
    public Reply handle(Request request, Peer client) {
        return route(request, client, 0);
    }

    private Reply route(Request request, Peer client, int redirects) {
        if (health != null && redirects == 0 && health.checks(request)) {
            return health.answer();
        }
        boolean read = request.method().equals("GET") || request.method().equals("HEAD");
        if (read) {
            // Only paths the site answered are in its cache, so a hit never belongs to the gateway.
            Response hit = site.cached(request);
            if (hit != null) {
                return hit;
            }
        }
        PathResolver.Segments segments = PathResolver.segments(request.path());
        boolean cgi = gateway != null && segments.refusal() == null && segments.startsWith(CGI_PREFIX);
        if (cors && Cors.isPreflight(request)) {
            return Cors.preflight(request, cgi ? "GET, HEAD, POST" : "GET, HEAD");
        }
        if (request.method().equals("OPTIONS")) {
            // RFC 9110 9.3.7: what this part of the server allows; "*" asks about the server as a whole.
            boolean post = request.path().equals("*") ? gateway != null : cgi;
            return Response.of(Status.NO_CONTENT, Body.NONE, "Allow", post ? ALLOW_CGI : ALLOW_STATIC);
        }
        if (cgi) {
            if (!read && !request.method().equals("POST")) {
                return Response.error(Status.METHOD_NOT_ALLOWED, "Allow", ALLOW_CGI);
            }
            return gateway.handle(
                    request, client, segments, target -> redirect(request, target, client, redirects + 1));
        }
        if (!read) {
            return Response.error(Status.METHOD_NOT_ALLOWED, "Allow", ALLOW_STATIC);
        }
        if (segments.refusal() != null) {
            return Response.error(segments.refusal());
        }
        if (!segments.names().isEmpty() && segments.names().get(0).startsWith("~")) {
            return userDirectory(request, segments);
        }
        Response response = site.serve(request, site.docroot(), segments, "");
        if (fallback != null && response.status() == Status.NOT_FOUND && redirects == 0 && extensionless(segments)) {
            return route(request.redirectedTo(fallback, RequestTarget.parse("GET", fallback)), client, 1);
        }
        return response;
    }

    /** --fallback: a path whose last segment names no file type is an application's route, not a file. */
    private static boolean extensionless(PathResolver.Segments segments) {
        var names = segments.names();
        return names.isEmpty() || names.get(names.size() - 1).indexOf('.') < 0;
    }

    /** /~user/rest: rest in that user's directory; /~user alone is redirected to /~user/. */
    private Response userDirectory(Request request, PathResolver.Segments segments) {
        String user = segments.names().get(0).substring(1);
        Path home = userDirs.root(user);
        if (home == null) {
            return Response.error(Status.NOT_FOUND);
        }
        String prefix = "/~" + user;
        if (segments.names().size() == 1 && !segments.trailingSlash()) {
            return Site.redirect(prefix + "/", request);
        }
        return site.serve(request, home, segments.tail(), prefix);
    }

    /**
     * RFC 3875 6.2.2: a program's "Location: /path" alone is answered as if the client had asked for that
     * path with GET (a HEAD stays a HEAD), at most eight times in a row; an invalid target, or a ninth, is a
     * failure of the program's (500).
     */
    private Reply redirect(Request original, String target, Peer client, int redirects) {
        if (redirects > MAX_LOCAL_REDIRECTS || !target.startsWith("/")) {
            return Response.error(Status.INTERNAL_SERVER_ERROR);
        }
        RequestTarget parsed = RequestTarget.parse("GET", target);
        if (parsed.error() != null) {
            return Response.error(Status.INTERNAL_SERVER_ERROR);
        }
        return route(original.redirectedTo(target, parsed), client, redirects);
    }
}

package sws.content;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import sws.http.Request;
import sws.http.Response;
import sws.http.Status;

/** The static content of spec section 4: the docroot and the user directories under /~user/. */
public final class Site {
    private final Path root;
    private final UserDirs userDirs;

    /** A site serving docroot (made real here) with user directories found by userDirs. */
    public Site(Path docroot, UserDirs userDirs) throws IOException {
        this.root = docroot.toRealPath();
        this.userDirs = userDirs;
    }

    /** The response to a request whose path has been split into segments. */
    public Response handle(Request request, PathResolver.Segments segments) {
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return Response.error(Status.METHOD_NOT_ALLOWED, "Allow", "GET, HEAD");
        }
        if (segments.refusal() != null) {
            return Response.error(segments.refusal());
        }
        var names = segments.names();
        if (!names.isEmpty() && names.get(0).startsWith("~")) {
            String user = names.get(0).substring(1);
            Path home = userDirs.root(user);
            if (home == null) {
                return Response.error(Status.NOT_FOUND);
            }
            String prefix = "/~" + user;
            if (names.size() == 1 && !segments.trailingSlash()) {
                return redirect(prefix + "/", request);
            }
            return serve(request, home, segments.tail(), prefix);
        }
        return serve(request, root, segments, "");
    }

    private static Response serve(Request request, Path root, PathResolver.Segments segments, String prefix) {
        var resolved = PathResolver.resolve(root, segments.names());
        if (resolved.refusal() != null) {
            return Response.error(resolved.refusal());
        }
        if (resolved.attributes().isDirectory()) {
            if (!segments.trailingSlash() && !segments.names().isEmpty()) {
                return redirect(prefix + segments.urlPath() + "/", request);
            }
            var withIndex = new ArrayList<>(segments.names());
            withIndex.add("index.html");
            var index = PathResolver.resolve(root, withIndex);
            if (index.refusal() == null && index.attributes().isRegularFile()) {
                return StaticFile.serve(request, index.file(), index.attributes());
            }
            return DirectoryIndex.list(resolved.file(), prefix + segments.urlPath());
        }
        if (segments.trailingSlash()) {
            return Response.error(Status.NOT_FOUND);
        }
        return StaticFile.serve(request, resolved.file(), resolved.attributes());
    }

    /** 301 to the same place with its query; the path is re-encoded, so nothing in it is taken raw. */
    public static Response redirect(String path, Request request) {
        String location = Escape.path(path) + (request.query() == null ? "" : "?" + request.query());
        return Response.error(Status.MOVED_PERMANENTLY, "Location", location);
    }
}

package sws.content;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import sws.http.Escape;
import sws.http.Request;
import sws.http.Response;
import sws.http.Status;

/**
 * The static content of spec section 4: the docroot and the user directories under /~user/. Small files
 * and listings are answered from a cache that re-runs every check of the path at most once a second.
 */
public final class Site {
    private final Path root;
    private final UserDirs userDirs;
    private final FileCache cache = new FileCache();

    /** Where a path leads, with every check of containment and hidden names done. */
    sealed interface Located {
        record Refused(Status status) implements Located {}

        record Redirect(String path) implements Located {}

        record File(Path file, BasicFileAttributes attributes) implements Located {}

        record Listing(Path dir, String urlPath) implements Located {}
    }

    /** A site serving docroot (made real here) with user directories found by userDirs. */
    public Site(Path docroot, UserDirs userDirs) throws IOException {
        this.root = docroot.toRealPath();
        this.userDirs = userDirs;
    }

    /**
     * The response from the cache for a request it has seen, or null. A cached answer is as the full path
     * would give it: the file is statted on every hit, and the whole lookup through {@link #locate} runs
     * again whenever a second has passed.
     */
    public Response cached(Request request) {
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return null;
        }
        FileCache.Entry entry = cache.get(request.path());
        if (entry == null) {
            return null;
        }
        long now = System.currentTimeMillis() / 1000;
        boolean valid = entry.checkedSecond() == now
                ? entry.unchanged()
                : entry.stillLeadsTo(locate(PathResolver.segments(request.path())));
        if (!valid) {
            cache.remove(entry);
            return null;
        }
        entry.checked(now);
        return entry.respond(request);
    }

    /** The response to a request whose path has been split into segments. */
    public Response handle(Request request, PathResolver.Segments segments) {
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return Response.error(Status.METHOD_NOT_ALLOWED, "Allow", "GET, HEAD");
        }
        return switch (locate(segments)) {
            case Located.Refused r -> Response.error(r.status());
            case Located.Redirect r -> redirect(r.path(), request);
            case Located.File f -> {
                FileCache.Entry entry = cache.loadFile(request.path(), f);
                yield entry != null ? entry.respond(request) : StaticFile.serve(request, f.file(), f.attributes());
            }
            case Located.Listing l -> {
                Response listing = DirectoryIndex.list(l.dir(), l.urlPath());
                FileCache.Entry entry = cache.storeListing(request.path(), l, listing);
                yield entry != null ? entry.respond(request) : listing;
            }
        };
    }

    /** Follows a path through the user directories, the docroot, links and index.html. */
    Located locate(PathResolver.Segments segments) {
        if (segments.refusal() != null) {
            return new Located.Refused(segments.refusal());
        }
        var names = segments.names();
        if (!names.isEmpty() && names.get(0).startsWith("~")) {
            String user = names.get(0).substring(1);
            Path home = userDirs.root(user);
            if (home == null) {
                return new Located.Refused(Status.NOT_FOUND);
            }
            String prefix = "/~" + user;
            if (names.size() == 1 && !segments.trailingSlash()) {
                return new Located.Redirect(prefix + "/");
            }
            return locate(home, segments.tail(), prefix);
        }
        return locate(root, segments, "");
    }

    private static Located locate(Path root, PathResolver.Segments segments, String prefix) {
        var resolved = PathResolver.resolve(root, segments.names());
        if (resolved.refusal() != null) {
            return new Located.Refused(resolved.refusal());
        }
        if (resolved.attributes().isDirectory()) {
            if (!segments.trailingSlash() && !segments.names().isEmpty()) {
                return new Located.Redirect(prefix + segments.urlPath() + "/");
            }
            var withIndex = new ArrayList<>(segments.names());
            withIndex.add("index.html");
            var index = PathResolver.resolve(root, withIndex);
            if (index.refusal() == null && index.attributes().isRegularFile()) {
                return new Located.File(index.file(), index.attributes());
            }
            return new Located.Listing(resolved.file(), prefix + segments.urlPath());
        }
        if (segments.trailingSlash()) {
            return new Located.Refused(Status.NOT_FOUND);
        }
        return new Located.File(resolved.file(), resolved.attributes());
    }

    /** 301 to the same place with its query; the path is re-encoded, so nothing in it is taken raw. */
    public static Response redirect(String path, Request request) {
        String location = Escape.path(path) + (request.query() == null ? "" : "?" + request.query());
        return Response.error(Status.MOVED_PERMANENTLY, "Location", location);
    }
}

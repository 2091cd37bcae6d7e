package sws.content;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import sws.http.Escape;
import sws.http.Request;
import sws.http.Response;
import sws.http.Status;

/**
 * The static content of spec section 4 below one root (the docroot, or a user's directory): files, index.html
 * and generated listings. Small files and listings are answered from a cache, whose entries the whole lookup
 * checks again at most once a second.
 */
public final class Site {
    private final Path docroot;
    private final Policy policy;
    private final FileCache cache = new FileCache();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    /** Where a path leads, with every check of containment and hidden names done. */
    sealed interface Located {
        record Refused(Status status) implements Located {}

        record Redirect(String path) implements Located {}

        record File(Path file, BasicFileAttributes attributes) implements Located {}

        record Listing(Path dir, String urlPath) implements Located {}
    }

    /**
     * What every file response of the site shares.
     *
     * @param compress whether compressible files are gzipped for clients that take it
     * @param cacheControl the Cache-Control value of every file and listing response, or null for none
     */
    public record Policy(boolean compress, String cacheControl) {
        /** Whether a file of this type and size without sidecars is sent gzipped to clients that take it. */
        boolean gzips(String type, long size) {
            return compress && size >= Codings.MIN_COMPRESSED_SIZE && Codings.compressible(type);
        }
    }

    /** A site whose docroot is made real here. */
    public Site(Path docroot, Policy policy) throws IOException {
        this.docroot = docroot.toRealPath();
        this.policy = policy;
    }

    /** The document root, as a real path. */
    public Path docroot() {
        return docroot;
    }

    /**
     * The answer from the cache to a GET or HEAD it has answered within this second, or null. A hit costs a
     * stat of the file, which catches a file changed in place; anything older goes the whole way through
     * {@link #serve}, which renews the entry if the path still leads to the same file.
     */
    public Response cached(Request request) {
        FileCache.Entry entry = cache.get(request.path());
        if (entry == null || entry.checkedSecond() != FileCache.now()) {
            return null;
        }
        if (!entry.unchanged()) {
            cache.remove(entry);
            return null;
        }
        hits.increment();
        return entry.respond(request);
    }

    /** GETs and HEADs the cache answered without a lookup of the path. */
    public long cacheHits() {
        return hits.sum();
    }

    /** GETs and HEADs that took the whole lookup of the path. */
    public long cacheMisses() {
        return misses.sum();
    }

    /**
     * The answer to a GET or HEAD of the path below root.
     *
     * @param segments the path's segments below root
     * @param prefix the URL path of root itself: "" for the docroot, "/~user" for a user's directory
     */
    public Response serve(Request request, Path root, PathResolver.Segments segments, String prefix) {
        misses.increment();
        Located located = locate(root, segments, prefix);
        if (!(located instanceof Located.File) && !(located instanceof Located.Listing)) {
            cache.forget(request.path());
        }
        return switch (located) {
            case Located.Refused r -> Response.error(r.status());
            case Located.Redirect r -> redirect(r.path(), request);
            case Located.File f -> {
                var sidecars = Sidecars.of(root, f.file(), f.attributes());
                FileCache.Entry entry = cache.file(request.path(), f, sidecars, policy);
                yield entry != null
                        ? entry.respond(request)
                        : StaticFile.serve(request, f.file(), f.attributes(), sidecars, policy);
            }
            case Located.Listing l -> {
                Response listing = withCacheControl(DirectoryIndex.list(l.dir(), l.urlPath()));
                FileCache.Entry entry = cache.listing(request.path(), l, listing);
                yield entry != null ? entry.respond(request) : listing;
            }
        };
    }

    /** Follows a path through root, links and index.html. */
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

    /** A listing with the Cache-Control of every file and listing response, when there is one. */
    private Response withCacheControl(Response listing) {
        if (policy.cacheControl() == null || listing.status() != Status.OK) {
            return listing;
        }
        var fields = new ArrayList<>(listing.fields());
        fields.add("Cache-Control");
        fields.add(policy.cacheControl());
        return new Response(listing.status(), List.copyOf(fields), listing.body());
    }

    /** 301 to the same place with its query; the path is re-encoded, so nothing in it is taken raw. */
    public static Response redirect(String path, Request request) {
        String location = Escape.path(path) + (request.query() == null ? "" : "?" + request.query());
        return Response.error(Status.MOVED_PERMANENTLY, "Location", location);
    }
}

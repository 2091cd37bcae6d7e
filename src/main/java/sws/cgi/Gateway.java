package sws.cgi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import sws.content.PathResolver;
import sws.http.Reply;
import sws.http.Request;
import sws.http.Response;
import sws.http.Status;
import sws.net.Peer;

/**
 * The CGI gateway of spec section 5: finds the program a /cgi-bin/ path names inside the CGI directory and
 * starts an exchange with it, within the bound on programs running at once.
 */
public final class Gateway implements AutoCloseable {
    private final Path root;
    private final Path docroot;
    private final Duration timeout;
    private final Limiter limiter;
    private final ScheduledExecutorService timer;
    private final ExecutorService workers = Executors.newCachedThreadPool(new Workers());
    private final Spawner spawner = Spawner.choose();
    private final AtomicLong timeouts = new AtomicLong();

    /**
     * @param cgiDir the CGI directory (made real here)
     * @param docroot the document root, for DOCUMENT_ROOT and PATH_TRANSLATED
     * @param maxRunning how many programs may run at once
     * @param maxQueued how many more may wait for a slot before requests are refused with 503
     */
    public Gateway(Path cgiDir, Path docroot, Duration timeout, int maxRunning, int maxQueued) throws IOException {
        this.root = cgiDir.toRealPath();
        this.docroot = docroot.toRealPath();
        this.timeout = timeout;
        this.limiter = new Limiter(workers, maxRunning, maxQueued);
        this.timer = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().name("sws-cgi-timer").daemon().unstarted(r));
    }

    /** How many programs run now (spec section 9's sws_cgi_running). */
    public int running() {
        return limiter.running();
    }

    /** How many requests wait for a free slot. */
    public int queued() {
        return limiter.queued();
    }

    /** How many programs were killed for outliving --cgi-timeout. */
    public long timeouts() {
        return timeouts.get();
    }

    void timedOut() {
        timeouts.incrementAndGet();
    }

    /**
     * The reply to a request whose path (dot segments removed) begins with /cgi-bin.
     *
     * @param localRedirect what a program's "Location: /path" alone is answered with
     */
    public Reply handle(
            Request request, Peer client, PathResolver.Segments segments, Function<String, Reply> localRedirect) {
        List<String> names = segments.names();
        // The script is the first existing regular file along the path (a file has no children, so it is
        // also the longest existing prefix); the rest of the path is PATH_INFO.
        Path walk = root;
        int script = -1;
        for (int i = 1; i < names.size(); i++) {
            String name = names.get(i);
            if (PathResolver.isHidden(name)) {
                return Response.error(Status.NOT_FOUND);
            }
            walk = walk.resolve(name);
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(walk, BasicFileAttributes.class);
            } catch (IOException | RuntimeException e) {
                return Response.error(Status.NOT_FOUND);
            }
            if (a.isRegularFile()) {
                script = i;
                break;
            }
            if (!a.isDirectory()) {
                return Response.error(Status.FORBIDDEN);
            }
        }
        if (script < 0) {
            return Response.error(Status.FORBIDDEN); // a directory of programs is never listed
        }
        var resolved = PathResolver.resolve(root, names.subList(1, script + 1));
        if (resolved.refusal() != null) {
            return Response.error(resolved.refusal());
        }
        if (!Files.isExecutable(resolved.file())) {
            return Response.error(Status.FORBIDDEN);
        }
        String scriptName = "/" + String.join("/", names.subList(0, script + 1));
        String pathInfo = pathInfo(names.subList(script + 1, names.size()), segments.trailingSlash());
        return new CgiExchange(this, request, client, resolved.file(), scriptName, pathInfo, localRedirect);
    }

    private static String pathInfo(List<String> rest, boolean trailingSlash) {
        if (rest.isEmpty()) {
            return trailingSlash ? "/" : "";
        }
        return "/" + String.join("/", rest) + (trailingSlash ? "/" : "");
    }

    Path docroot() {
        return docroot;
    }

    Duration timeout() {
        return timeout;
    }

    Limiter limiter() {
        return limiter;
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    /**
     * The threads a program's pipes are served on, three a program at most, kept for reuse. Platform threads:
     * a virtual thread blocked reading a pipe would hold its carrier, so a few busy programs could stall the
     * rest.
     */
    ExecutorService workers() {
        return workers;
    }

    /** Daemon threads with small stacks, named for what they serve. */
    private static final class Workers implements java.util.concurrent.ThreadFactory {
        private final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            return Thread.ofPlatform()
                    .name("sws-cgi-" + count.incrementAndGet())
                    .daemon()
                    .stackSize(256 * 1024)
                    .unstarted(task);
        }
    }

    Spawner spawner() {
        return spawner;
    }

    /** How programs are started here: "posix_spawn", or "ProcessBuilder" and why. */
    public String spawning() {
        return spawner.description();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        workers.shutdown();
    }
}

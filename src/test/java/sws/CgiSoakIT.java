package sws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import sws.testing.Poll;
import sws.testing.RawClient;
import sws.testing.TestServer;

/**
 * Issue 10, item 7: twenty thousand CGI requests from eight clients at once, with clients that reset the
 * connection while their program runs and programs that outlive the timeout mixed in. Afterwards no program
 * is left running, none is a zombie, and the server's JVM holds no more descriptors than before. The server
 * runs in this JVM, so that its children and descriptors are this process's. The count is the system
 * property {@code sws.cgi.soak.requests} (default 20,000).
 */
class CgiSoakIT {
    private static final int REQUESTS = Integer.getInteger("sws.cgi.soak.requests", 20_000);
    private static final int CLIENTS = 8;
    private static final int DESCRIPTOR_SLACK = 8;
    private static final Duration SETTLE = Duration.ofSeconds(15);

    private enum Kind {
        GET,
        POST,
        RESET,
        TIMEOUT
    }

    /** Mostly plain programs; one in fifty reset while their program sleeps, one in five hundred time out. */
    private static Kind kind(int n) {
        if (n % 500 == 7) {
            return Kind.TIMEOUT;
        }
        if (n % 50 == 3) {
            return Kind.RESET;
        }
        return n % 10 == 1 ? Kind.POST : Kind.GET;
    }

    @Test
    void twentyThousandProgramsLeaveNoChildNoZombieAndNoDescriptor() throws Exception {
        Path root = TestServer.newDocroot();
        Path cgi = Files.createDirectories(root.getParent().resolve("cgi"));
        program(cgi, "hello.sh", "printf 'Content-Type: text/plain\\r\\n\\r\\nhello %s' \"$QUERY_STRING\"\n");
        program(cgi, "count.sh", "n=$(wc -c | tr -d ' ')\nprintf 'Content-Type: text/plain\\r\\n\\r\\n%s' \"$n\"\n");
        // Both start a grandchild too, so that a kill must take the whole process group; its pid is noted.
        Path grandchildren = root.getParent().resolve("grandchildren");
        program(
                cgi,
                "slow.sh",
                "sleep 30 &\necho $! >>" + grandchildren
                        + "\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\nexec sleep 30\n");
        program(cgi, "stall.sh", "sleep 30 &\necho $! >>" + grandchildren + "\nexec sleep 30\n");
        try (var server = TestServer.start(root, c -> c.cgi(new Config.Cgi(cgi, Duration.ofSeconds(1), 16, 1024)))) {
            warmUp(server);
            Set<Long> childrenBefore = children();
            int fdsBefore = openDescriptors();

            AtomicInteger next = new AtomicInteger();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                done.add(clients.submit(() -> {
                    int n;
                    while ((n = next.getAndIncrement()) < REQUESTS) {
                        String failure = request(server, n);
                        if (failure != null) {
                            failures.add(failure);
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.MINUTES);
            }
            clients.shutdown();

            assertThat(failures).as("requests answered wrongly").isEmpty();
            assertThat(Poll.until(SETTLE, () -> childrenBefore.containsAll(descendants())))
                    .as("no program left running: %s", descendants())
                    .isTrue();
            List<Long> started = Files.readAllLines(grandchildren).stream()
                    .map(Long::parseLong)
                    .toList();
            assertThat(started).as("grandchildren noted").hasSizeGreaterThanOrEqualTo(REQUESTS / 50);
            assertThat(Poll.until(SETTLE, () -> started.stream().noneMatch(CgiSoakIT::aSleepRuns)))
                    .as("no grandchild outlives its program's kill")
                    .isTrue();
            CgiTest.assertNoZombieChildren();
            assertThat(Poll.until(SETTLE, () -> openDescriptors() <= fdsBefore + DESCRIPTOR_SLACK))
                    .as("descriptors: %d before, %d after", fdsBefore, openDescriptors())
                    .isTrue();
        }
    }

    /** One request of the n-th kind; what went wrong, or null. */
    private static String request(TestServer server, int n) {
        Kind kind = kind(n);
        try (RawClient c = server.ipv4()) {
            switch (kind) {
                case GET -> {
                    var r = c.send("GET /cgi-bin/hello.sh?" + n + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
                            .read();
                    return r.status() == 200 && r.text().equals("hello " + n) ? null : n + ": " + r.statusLine();
                }
                case POST -> {
                    String body = "x".repeat(1 + n % 5000);
                    var r = c.send("POST /cgi-bin/count.sh HTTP/1.1\r\nHost: h\r\nConnection: close\r\nContent-Length: "
                                    + body.length() + "\r\n\r\n" + body)
                            .read();
                    return r.status() == 200 && r.text().equals(String.valueOf(body.length()))
                            ? null
                            : n + ": " + r.statusLine() + " " + r.text();
                }
                case RESET -> {
                    // Once the head is here the program runs, and its grandchild too; then an RST, not a
                    // FIN: the client is gone, and its program and everything it started must go too.
                    var head = c.send("GET /cgi-bin/slow.sh HTTP/1.1\r\nHost: h\r\n\r\n")
                            .readHead();
                    c.reset();
                    return head.status() == 200 ? null : n + ": " + head.statusLine();
                }
                case TIMEOUT -> {
                    var r = c.send("GET /cgi-bin/stall.sh HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
                            .read();
                    return r.status() == 504 ? null : n + ": " + r.statusLine();
                }
            }
        } catch (UncheckedIOException e) {
            return n + ": " + e.getCause();
        }
        return null;
    }

    /** Whether this pid is (still) one of the sleeps the programs started. */
    private static boolean aSleepRuns(long pid) {
        return ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .flatMap(h -> h.info().command())
                .map(c -> c.endsWith("/sleep"))
                .orElse(false);
    }

    private static void warmUp(TestServer server) {
        for (int i = 0; i < 50; i++) {
            assertThat(request(server, i % 10 == 1 ? 1 : 0)).isNull();
        }
    }

    private static void program(Path dir, String name, String body) throws IOException {
        Path p = Files.writeString(dir.resolve(name), "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static Set<Long> children() {
        return ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    /** Every process below this JVM, the session leaders that CGI programs are included. */
    private static Set<Long> descendants() {
        return ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    private static int openDescriptors() {
        String[] names = new File("/proc/self/fd").list();
        return names == null ? -1 : names.length;
    }
}

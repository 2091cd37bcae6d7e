package sws.cgi;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import sws.http.Body;
import sws.http.Chars;
import sws.http.Deferred;
import sws.http.Reply;
import sws.http.Request;
import sws.http.Response;
import sws.http.Status;
import sws.net.Peer;

/**
 * One run of a CGI program. Pipes to a process block in Java, so the program's stdin, stdout and stderr
 * each get a thread of the gateway's; the event loop only hands over request body bytes ({@link BodyFeed}) and takes
 * output pieces ({@link Output}) from bounded queues, so a slow program, a slow client or a program that
 * never reads its stdin holds nothing but its own exchange.
 */
final class CgiExchange implements Deferred {
    private static final int CHUNK = 16 * 1024;

    private final Gateway gateway;
    private final Request request;
    private final Peer client;
    private final Path script;
    private final String scriptName;
    private final String pathInfo;
    private final Function<String, Reply> localRedirect;
    private final BodyFeed feed = new BodyFeed();
    private final Output output = new Output();
    private final AtomicBoolean answered = new AtomicBoolean();

    private Back back;
    private volatile GatheredBody chunkedBody;
    private volatile long bodyLength;
    private volatile boolean cancelled;
    private volatile Program program;

    /** @param localRedirect what a "Location: /path" alone is answered with */
    CgiExchange(
            Gateway gateway,
            Request request,
            Peer client,
            Path script,
            String scriptName,
            String pathInfo,
            Function<String, Reply> localRedirect) {
        this.gateway = gateway;
        this.request = request;
        this.client = client;
        this.script = script;
        this.scriptName = scriptName;
        this.pathInfo = pathInfo;
        this.localRedirect = localRedirect;
    }

    @Override
    public void start(Back back) {
        this.back = back;
        if (request.chunked()) {
            // RFC 3875 4.1.2 wants CONTENT_LENGTH, which a chunked body tells only at its end: gather it
            // first (the body limit bounds it), then start the program. When no program could even wait
            // for a slot, say so now rather than after the upload.
            if (!gateway.limiter().hasRoom()) {
                answer(Response.error(Status.SERVICE_UNAVAILABLE));
                return;
            }
            chunkedBody = new GatheredBody();
        } else {
            boolean hasBody = request.headers().get("Content-Length") != null;
            bodyLength = hasBody ? request.bodyLength() : -1;
            submit();
        }
    }

    private void submit() {
        if (!gateway.limiter().submit(this::run)) {
            discardGathered();
            answer(Response.error(Status.SERVICE_UNAVAILABLE));
        }
    }

    private void discardGathered() {
        GatheredBody gathered = chunkedBody;
        if (gathered != null) {
            gathered.discard();
        }
    }

    @Override
    public void body(byte[] buf, int offset, int length) {
        GatheredBody gathered = chunkedBody;
        if (gathered == null) {
            feed.add(buf, offset, length);
            return;
        }
        gathered.write(buf, offset, length);
        if (gathered.failure() != null && !answered.get()) {
            warn("cannot keep the request body: " + gathered.failure().getMessage());
            gathered.discard();
            answer(Response.error(Status.INSUFFICIENT_STORAGE));
        }
    }

    /**
     * A chunked body is needed at once, to be gathered; a body of known length only once its program runs,
     * so that a client waiting for 100 Continue gets it when the program is there to read what follows.
     * Nothing is needed once the request was answered before the program could start.
     */
    @Override
    public boolean wantsBody() {
        if (program == null) {
            return chunkedBody != null && !answered.get();
        }
        return feed.hasRoom();
    }

    @Override
    public void bodyEnd() {
        GatheredBody gathered = chunkedBody;
        if (gathered != null) {
            if (answered.get()) {
                return; // refused while it arrived: the storage failed
            }
            bodyLength = gathered.length();
            submit();
        }
        feed.end();
    }

    @Override
    public void cancel() {
        cancelled = true;
        discardGathered();
        kill();
        output.clear(); // frees the stdout thread if it waits for room
        feed.end();
    }

    // ---- the program's side, on the gateway's worker threads

    /** Holds a limiter slot from start to the program's exit. */
    private void run() {
        ScheduledFuture<?> killer = null;
        try {
            if (cancelled) {
                return;
            }
            try {
                program = gateway.spawner()
                        .start(
                                script,
                                CgiEnvironment.build(
                                        request, client, gateway.docroot(), script, scriptName, pathInfo, bodyLength));
            } catch (IOException e) {
                discardGathered();
                warn("cannot run: " + e.getMessage());
                answer(Response.error(Status.INTERNAL_SERVER_ERROR));
                return;
            }
            if (cancelled) {
                kill();
            }
            back.wake(); // the program is there: its body may flow now
            killer = gateway.timer().schedule(this::timedOut, gateway.timeout().toMillis(), TimeUnit.MILLISECONDS);
            gateway.workers().execute(this::feedStdin);
            gateway.workers().execute(this::relayStderr);
            readStdout();
            program.waitFor();
        } catch (InterruptedException e) {
            kill();
        } finally {
            if (killer != null) {
                killer.cancel(false);
            }
            gateway.limiter().release();
        }
    }

    private void readStdout() {
        InputStream in = new BufferedInputStream(program.stdout(), CHUNK);
        try (in) {
            CgiHeaders headers;
            try {
                headers = CgiHeaders.read(in);
            } catch (CgiHeaders.Invalid e) {
                if (!answered.get()) {
                    warn("invalid response: " + e.getMessage());
                }
                answer(Response.error(Status.INTERNAL_SERVER_ERROR));
                kill();
                return;
            }
            if (headers.localRedirect()) {
                if (answered.compareAndSet(false, true)) {
                    back.respond(localRedirect.apply(headers.location()));
                }
                in.transferTo(OutputStream.nullOutputStream());
                return;
            }
            Response response = response(headers);
            if (!(response.body() instanceof Body.Stream)) {
                answer(response);
                in.transferTo(OutputStream.nullOutputStream());
                return;
            }
            if (answer(response)) {
                pump(in, headers.contentLength());
            }
        } catch (IOException e) {
            if (!answer(Response.error(Status.INTERNAL_SERVER_ERROR))) {
                endOutput(true);
            }
        } catch (InterruptedException e) {
            endOutput(true);
        }
    }

    /** The response to send for a header block that is not a local redirect (RFC 3875 6.2.3, 6.2.4). */
    private Response response(CgiHeaders h) {
        var fields = new ArrayList<>(h.fields());
        Status status = h.status();
        if (h.location() != null) {
            fields.add("Location");
            fields.add(h.location());
            if (!h.statusGiven()) {
                status = Status.FOUND;
            }
            if (!h.hasContentType()) {
                return Response.error(status, fields.toArray(String[]::new));
            }
        }
        if (status.forbidsBody()) {
            return new Response(status, List.copyOf(fields), Body.NONE);
        }
        return new Response(status, List.copyOf(fields), new Body.Stream(output, h.contentLength()));
    }

    private void pump(InputStream in, long declared) throws IOException, InterruptedException {
        long sent = 0;
        while (!cancelled) {
            byte[] piece = new byte[CHUNK];
            int n = in.read(piece);
            if (n < 0) {
                break;
            }
            if (declared >= 0) {
                n = (int) Math.min(n, declared - sent);
                if (n == 0) {
                    continue; // more than Content-Length promised: read and drop so the program can finish
                }
            }
            sent += n;
            output.put(ByteBuffer.wrap(piece, 0, n));
            back.wake();
        }
        endOutput(declared >= 0 && sent < declared);
    }

    private void endOutput(boolean failed) {
        output.end(failed);
        if (back != null) {
            back.wake();
        }
    }

    private void feedStdin() {
        OutputStream stdin = program.stdin();
        boolean broken = false;
        GatheredBody gathered = chunkedBody;
        if (gathered != null) {
            try {
                gathered.copyTo(stdin);
            } catch (IOException e) {
                broken = true; // the program stopped reading; the rest of the body is dropped
            }
        }
        try {
            feed.writeTo(stdin, broken, back::wake);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void relayStderr() {
        try (var err = new BufferedReader(new InputStreamReader(program.stderr(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = err.readLine()) != null) {
                warn(line);
            }
        } catch (IOException e) {
            // the program's stderr closed with it
        }
    }

    private void timedOut() {
        if (output.over() && !program.alive()) {
            return;
        }
        warn("killed after " + gateway.timeout().toSeconds() + " s");
        gateway.timedOut();
        // Decided before the kill: once the program dies its output ends, and that end must not pass
        // for a complete body.
        boolean answeredNow = answer(Response.error(Status.GATEWAY_TIMEOUT));
        if (!answeredNow) {
            output.fail();
        }
        kill();
        if (!answeredNow) {
            endOutput(true);
        }
    }

    /** Sends the response unless one was sent already; true when this call sent it. */
    private boolean answer(Response response) {
        if (answered.compareAndSet(false, true)) {
            back.respond(response);
            return true;
        }
        return false;
    }

    private void kill() {
        Program p = program;
        if (p != null) {
            p.kill();
        }
    }

    /** A line on the server's error output, prefixed with the program's name, control bytes escaped. */
    private void warn(String message) {
        StringBuilder sb = new StringBuilder("sws: ").append(scriptName).append(": ");
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (Chars.isControl(c)) {
                sb.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
            } else {
                sb.append(c);
            }
        }
        System.err.println(sb);
    }
}

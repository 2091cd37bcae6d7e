package sws.cgi;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import sws.http.Body;
import sws.http.Client;
import sws.http.Deferred;
import sws.http.Request;
import sws.http.Response;
import sws.http.Status;
import sws.http.StreamSource;

/**
 * One run of a CGI program. Pipes to a process block in Java, so the program's stdin, stdout and stderr
 * each get a virtual thread; the event loop only hands over request body bytes and takes output pieces
 * from bounded queues, so a slow program, a slow client or a program that never reads its stdin holds
 * nothing but its own exchange.
 */
final class CgiExchange implements Deferred, StreamSource {
    private static final int CHUNK = 16 * 1024;
    private static final int BODY_BUDGET = 256 * 1024;
    private static final int OUTPUT_PIECES = 4;
    private static final byte[] END = new byte[0];
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final boolean HAS_SETSID = Files.isExecutable(SETSID);

    private final Gateway gateway;
    private final Request request;
    private final Client client;
    private final Path script;
    private final String scriptName;
    private final String pathInfo;

    private Back back;
    private volatile GatheredBody chunkedBody;
    private volatile long bodyLength;
    private final LinkedBlockingQueue<byte[]> bodyQueue = new LinkedBlockingQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final ArrayBlockingQueue<ByteBuffer> output = new ArrayBlockingQueue<>(OUTPUT_PIECES);
    private volatile boolean outputEnded;
    private volatile boolean outputFailed;
    private volatile boolean cancelled;
    private final AtomicBoolean answered = new AtomicBoolean();
    private volatile Process process;

    CgiExchange(Gateway gateway, Request request, Client client, Path script, String scriptName, String pathInfo) {
        this.gateway = gateway;
        this.request = request;
        this.client = client;
        this.script = script;
        this.scriptName = scriptName;
        this.pathInfo = pathInfo;
    }

    @Override
    public void start(Back back) {
        this.back = back;
        boolean hasBody = request.headers().get("Content-Length") != null || request.chunked();
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
        if (gathered != null) {
            gathered.write(buf, offset, length);
            if (gathered.failure() != null && !answered.get()) {
                warn("cannot keep the request body: " + gathered.failure().getMessage());
                gathered.discard();
                answer(Response.error(Status.INSUFFICIENT_STORAGE));
            }
            return;
        }
        byte[] copy = new byte[length];
        System.arraycopy(buf, offset, copy, 0, length);
        queuedBytes.addAndGet(length);
        bodyQueue.add(copy);
    }

    /**
     * A chunked body is needed at once, to be gathered; a body of known length only once its program runs,
     * so that a client waiting for 100 Continue gets it when the program is there to read what follows.
     * Nothing is needed once the request was answered before the program could start.
     */
    @Override
    public boolean wantsBody() {
        if (process == null) {
            return chunkedBody != null && !answered.get();
        }
        return queuedBytes.get() < BODY_BUDGET;
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
        bodyQueue.add(END);
    }

    @Override
    public void cancel() {
        cancelled = true;
        discardGathered();
        kill();
        output.clear(); // frees the stdout thread if it waits for room
        bodyQueue.add(END);
    }

    // ---- StreamSource: the program's output after its header block, polled by the event loop

    @Override
    public ByteBuffer next() {
        return output.poll();
    }

    @Override
    public boolean ended() {
        return outputEnded && output.isEmpty();
    }

    @Override
    public boolean failed() {
        return outputFailed;
    }

    // ---- the program's side, on virtual threads

    /** Holds a limiter slot from start to the program's exit. */
    private void run() {
        ScheduledFuture<?> killer = null;
        try {
            if (cancelled) {
                return;
            }
            try {
                process = launch();
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
            Thread.ofVirtual().name("sws-cgi-stdin").start(this::feedStdin);
            Thread.ofVirtual().name("sws-cgi-stderr").start(this::relayStderr);
            readStdout();
            process.waitFor();
        } catch (InterruptedException e) {
            kill();
        } finally {
            if (killer != null) {
                killer.cancel(false);
            }
            gateway.limiter().release();
        }
    }

    private Process launch() throws IOException {
        List<String> command = new ArrayList<>(2);
        if (HAS_SETSID) {
            // A session (and process group) of its own, so a timeout can kill everything it started.
            command.add(SETSID.toString());
        }
        command.add(script.toString());
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(script.getParent().toFile());
        var env = builder.environment();
        env.clear();
        env.putAll(CgiEnvironment.build(request, client, gateway.docroot(), script, scriptName, pathInfo, bodyLength));
        return builder.start();
    }

    private void readStdout() {
        InputStream in = new BufferedInputStream(process.getInputStream(), CHUNK);
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
                    back.redirect(headers.location());
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
        return new Response(status, List.copyOf(fields), new Body.Stream(this, h.contentLength()));
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
        outputFailed |= failed;
        outputEnded = true;
        if (back != null) {
            back.wake();
        }
    }

    private void feedStdin() {
        OutputStream stdin = process.getOutputStream();
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
            while (true) {
                byte[] piece = bodyQueue.take();
                if (piece == END) {
                    break;
                }
                long before = queuedBytes.getAndAdd(-piece.length);
                if (!broken) {
                    try {
                        stdin.write(piece);
                    } catch (IOException e) {
                        // The program stopped reading (or exited); what is left of the body is dropped.
                        broken = true;
                    }
                }
                if (before >= BODY_BUDGET && before - piece.length < BODY_BUDGET) {
                    back.wake();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                stdin.close();
            } catch (IOException e) {
                // the program has gone: nothing more to give it
            }
        }
    }

    private void relayStderr() {
        try (var err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = err.readLine()) != null) {
                warn(line);
            }
        } catch (IOException e) {
            // the program's stderr closed with it
        }
    }

    private void timedOut() {
        if (outputEnded && !process.isAlive()) {
            return;
        }
        warn("killed after " + gateway.timeout().toSeconds() + " s");
        // Decided before the kill: once the program dies its output ends, and that end must not pass
        // for a complete body.
        boolean answeredNow = answer(Response.error(Status.GATEWAY_TIMEOUT));
        if (!answeredNow) {
            outputFailed = true;
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

    /** Kills the program, its process group and every descendant still known. */
    private void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        List<ProcessHandle> tree = p.descendants().toList();
        if (HAS_SETSID && p.isAlive()) {
            try {
                new ProcessBuilder("kill", "-KILL", "--", "-" + p.pid())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
            } catch (IOException e) {
                // the direct kills below still apply
            }
        }
        p.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
    }

    /** A line on the server's error output, prefixed with the program's name, control bytes escaped. */
    private void warn(String message) {
        StringBuilder sb = new StringBuilder("sws: ").append(scriptName).append(": ");
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        System.err.println(sb);
    }
}

package sws.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A raw HTTP client over a UNIX-domain stream socket (spec section 7.2), the counterpart of {@link RawClient}:
 * it sends bytes exactly as given and reads responses itself. The channel is non-blocking and every wait is
 * a select with a bound (10 s unless set), so no test hangs on a server that says nothing.
 */
public final class UnixClient implements AutoCloseable {
    private static final long DEFAULT_WAIT_MILLIS = 10_000;

    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey key;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024).flip();
    private long waitMillis = DEFAULT_WAIT_MILLIS;
    private boolean ended;

    private UnixClient(SocketChannel channel) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        this.key = channel.register(selector, 0);
    }

    /** Connects to the socket at path; fails at once when nothing listens there. */
    public static UnixClient connect(Path path) {
        try {
            SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(path));
            try {
                return new UnixClient(channel);
            } catch (IOException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How long one read or write may wait for the server. */
    public UnixClient waitAtMost(long millis) {
        waitMillis = millis;
        return this;
    }

    public UnixClient send(String text) {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public UnixClient send(byte[] bytes) {
        ByteBuffer out = ByteBuffer.wrap(bytes);
        try {
            long deadline = System.nanoTime() + waitMillis * 1_000_000;
            while (out.hasRemaining()) {
                if (channel.write(out) == 0) {
                    await(SelectionKey.OP_WRITE, deadline);
                }
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Half-closes the connection: the server sees end of input but can still answer. */
    public void shutdownOutput() {
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one response whose body is framed by its header fields (or by the end of the connection). */
    public RawClient.Reply read() {
        return read(false);
    }

    /** Reads one response to a HEAD request: the head only, whatever Content-Length says. */
    public RawClient.Reply readHead() {
        return read(true);
    }

    private RawClient.Reply read(boolean headOnly) {
        try {
            String statusLine = line();
            if (statusLine == null) {
                throw new IOException("connection closed before a response");
            }
            int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            List<String> raw = new ArrayList<>();
            String l;
            while ((l = line()) != null && !l.isEmpty()) {
                raw.add(l);
                int colon = l.indexOf(':');
                headers.put(
                        l.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        l.substring(colon + 1).trim());
            }
            byte[] body;
            String length = headers.get("content-length");
            if (headOnly || status == 304 || status == 204 || (status >= 100 && status < 200)) {
                body = new byte[0];
            } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = chunked();
            } else if (length != null) {
                body = bytes(Integer.parseInt(length));
            } else {
                body = readToClose();
            }
            return new RawClient.Reply(statusLine, status, headers, raw, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Everything the server sends until it closes the connection. */
    public byte[] readToClose() {
        try {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            while (fill()) {
                all.write(in.array(), in.position(), in.remaining());
                in.position(in.limit());
            }
            return all.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether the server closes the connection within the time given, sending nothing more: true at the end
     * of the stream or a reset, false when the connection is still open by then.
     */
    public boolean closedWithin(long millis) {
        long saved = waitMillis;
        waitMillis = millis;
        try {
            if (fill()) {
                throw new IllegalStateException("unexpected byte from server: " + in.get(in.position()));
            }
            return true;
        } catch (Timeout e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        } finally {
            waitMillis = saved;
        }
    }

    private byte[] chunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line();
            int n = Integer.parseInt(size.split(";")[0].trim(), 16);
            if (n == 0) {
                while (!line().isEmpty()) {
                    // trailer fields
                }
                return body.toByteArray();
            }
            body.write(bytes(n));
            line();
        }
    }

    private byte[] bytes(int n) throws IOException {
        byte[] b = new byte[n];
        int at = 0;
        while (at < n) {
            if (!fill()) {
                throw new IOException("connection closed after " + at + " of " + n + " bytes");
            }
            int chunk = Math.min(n - at, in.remaining());
            in.get(b, at, chunk);
            at += chunk;
        }
        return b;
    }

    /** A CRLF- or LF-terminated line as ISO-8859-1, or null at the end of the stream. */
    private String line() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        while (fill()) {
            byte b = in.get();
            if (b == '\n') {
                byte[] bytes = buf.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            buf.write(b);
        }
        return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
    }

    /** Makes sure there are bytes to take; false at the end of the stream. Waits at most waitMillis. */
    private boolean fill() throws IOException {
        if (in.hasRemaining()) {
            return true;
        }
        if (ended) {
            return false;
        }
        long deadline = System.nanoTime() + waitMillis * 1_000_000;
        in.clear();
        try {
            while (true) {
                int n = channel.read(in);
                if (n > 0) {
                    return true;
                }
                if (n < 0) {
                    ended = true;
                    return false;
                }
                await(SelectionKey.OP_READ, deadline);
            }
        } finally {
            in.flip();
        }
    }

    private void await(int op, long deadline) throws IOException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new Timeout(waitMillis);
        }
        key.interestOps(op);
        selector.select(left);
        selector.selectedKeys().clear();
        key.interestOps(0);
    }

    /** The server sent nothing within the bound. */
    public static final class Timeout extends IOException {
        Timeout(long millis) {
            super("nothing from the server within " + millis + " ms");
        }
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException e) {
            // nothing to lose
        }
        try {
            channel.close();
        } catch (IOException e) {
            // closing a test socket cannot lose anything
        }
    }
}

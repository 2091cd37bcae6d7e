package sws.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A client that speaks raw bytes over a real socket and reads responses itself, so malformed requests
 * can be sent exactly and every byte of the answer seen. Reads time out after 10 s so no test hangs.
 */
public final class RawClient implements AutoCloseable {
    private static final int READ_TIMEOUT_MILLIS = 10_000;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public static RawClient connect(InetAddress address, int port) {
        return new RawClient(plain(address, port));
    }

    /** A client that speaks TLS with the context given, the handshake done before it returns. */
    public static RawClient connectTls(InetAddress address, int port, SSLContext context) {
        try {
            SSLSocket tls =
                    (SSLSocket) context.getSocketFactory().createSocket(plain(address, port), "localhost", port, true);
            tls.setSoTimeout(READ_TIMEOUT_MILLIS);
            tls.startHandshake();
            return new RawClient(tls);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Socket plain(InetAddress address, int port) {
        try {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(address, port), 5_000);
            s.setSoTimeout(READ_TIMEOUT_MILLIS);
            s.setTcpNoDelay(true);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private RawClient(Socket socket) {
        this.socket = socket;
        try {
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One response: status line, fields (names lower-cased, the last value of each), body bytes. */
    public record Reply(
            String statusLine, int status, Map<String, String> headers, List<String> rawHeaders, byte[] body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** The port of this end of the connection: the peer's port as the server sees it. */
    public int localPort() {
        return socket.getLocalPort();
    }

    public void setReadTimeout(int millis) {
        try {
            socket.setSoTimeout(millis);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public RawClient send(String text) {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawClient send(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Half-closes the connection: the server sees end of input but can still answer. */
    public void shutdownOutput() {
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one response to a GET or other request whose response has a body framed by the headers. */
    public Reply read() {
        return read(false);
    }

    /** Reads the final response, passing over interim (1xx) ones as every HTTP/1.1 client does. */
    public Reply readFinal() {
        Reply r;
        do {
            r = read(false);
        } while (r.status() >= 100 && r.status() < 200);
        return r;
    }

    /**
     * Whether the server sends nothing (neither a byte nor the end of the stream) for the given time; what
     * it sends afterwards is still there to read.
     */
    public boolean silentFor(int millis) {
        try {
            socket.setSoTimeout(millis);
            in.mark(1);
            in.read();
            in.reset();
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } catch (IOException e) {
            return false;
        } finally {
            try {
                socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            } catch (IOException ignored) {
                // the socket is closed
            }
        }
    }

    /** Reads one response to a HEAD request: the head only, whatever Content-Length says. */
    public Reply readHead() {
        return read(true);
    }

    private Reply read(boolean headOnly) {
        try {
            String statusLine = line();
            if (statusLine == null) {
                throw new IOException("connection closed before a response");
            }
            String[] parts = statusLine.split(" ", 3);
            int status = Integer.parseInt(parts[1]);
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
                body = in.readNBytes(Integer.parseInt(length));
            } else {
                body = in.readAllBytes();
            }
            return new Reply(statusLine, status, headers, raw, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
            body.write(in.readNBytes(n));
            line();
        }
    }

    /** A CRLF- or LF-terminated line as ISO-8859-1, or null at end of stream. */
    private String line() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = buf.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            buf.write(b);
        }
        return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
    }

    /** Everything the server sends until it closes the connection. */
    public byte[] readToClose() {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Whether the server has closed the connection: true at end of stream or reset, false when the
     * connection is still open after waiting the given time for its end.
     */
    public boolean closedWithin(int millis) {
        try {
            socket.setSoTimeout(millis);
            int b = in.read();
            if (b != -1) {
                throw new IllegalStateException("unexpected byte from server: " + b);
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by the server
        } finally {
            try {
                socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            } catch (IOException ignored) {
                // the socket is closed
            }
        }
    }

    /** Ends the connection with a reset (RST), as a client that crashed or gave up does. */
    public void reset() {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        close();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a test socket cannot lose anything
        }
    }
}

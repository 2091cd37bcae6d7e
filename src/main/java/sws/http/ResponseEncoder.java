package sws.http;

import java.nio.charset.StandardCharsets;

/** Encodes a response head: status line, the fields every response carries, then the handler's. */
public final class ResponseEncoder {
    private ResponseEncoder() {}

    /**
     * The head's bytes.
     *
     * @param http11 answer as HTTP/1.1 (else 1.0)
     * @param keepAlive whether the connection stays open afterwards
     * @param chunked whether a streamed body of unknown length is sent in chunks
     */
    public static byte[] head(Response response, boolean http11, boolean keepAlive, boolean chunked) {
        if (response.heads() != null && !chunked) {
            return response.heads().head(response, http11, keepAlive);
        }
        return encode(response, http11, keepAlive, chunked, HttpDate.now());
    }

    /** The head with more fields before its blank line; the head itself when there are none. */
    static byte[] withFields(byte[] head, byte[] fields) {
        if (fields.length == 0) {
            return head;
        }
        byte[] out = new byte[head.length + fields.length];
        System.arraycopy(head, 0, out, 0, head.length - 2);
        System.arraycopy(fields, 0, out, head.length - 2, fields.length);
        out[out.length - 2] = '\r';
        out[out.length - 1] = '\n';
        return out;
    }

    static byte[] encode(Response response, boolean http11, boolean keepAlive, boolean chunked, String date) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("Date: ").append(date).append("\r\n");
        sb.append("Server: ").append(Version.PRODUCT).append("\r\n");
        var fields = response.fields();
        for (int i = 0; i < fields.size(); i += 2) {
            sb.append(fields.get(i)).append(": ").append(fields.get(i + 1)).append("\r\n");
        }
        Body body = response.body();
        if (chunked) {
            sb.append("Transfer-Encoding: chunked\r\n");
        } else if (!(body instanceof Body.None) && body.length() >= 0) {
            sb.append("Content-Length: ").append(body.length()).append("\r\n");
        }
        if (http11 && !keepAlive) {
            sb.append("Connection: close\r\n");
        } else if (!http11 && keepAlive) {
            sb.append("Connection: keep-alive\r\n");
        }
        sb.append("\r\n");
        byte[] statusLine = response.status().statusLine(http11);
        byte[] out = new byte[statusLine.length + sb.length()];
        System.arraycopy(statusLine, 0, out, 0, statusLine.length);
        // Field values reaching here are ISO-8859-1 at most (names and values the server chose or checked).
        byte[] rest = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(rest, 0, out, statusLine.length, rest.length);
        return out;
    }
}

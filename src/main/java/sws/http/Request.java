package sws.http;

/**
 * One parsed request head.
 *
 * @param method the method name, exactly as sent (methods are case-sensitive)
 * @param target the request target as sent
 * @param path the percent-decoded path, not yet normalised
 * @param rawPath the path as sent, still percent-encoded
 * @param query the query string as sent, without '?', or null when there was none
 * @param minorVersion 0 for HTTP/1.0, 1 for HTTP/1.1 and every later 1.x
 * @param headers the header fields
 * @param keepAlive whether the connection stays open after the response (RFC 9112 section 9.3)
 * @param bodyLength the Content-Length of the body, 0 when there is none, -1 when it is chunked
 */
public record Request(
        String method,
        String target,
        String path,
        String rawPath,
        String query,
        int minorVersion,
        Headers headers,
        boolean keepAlive,
        long bodyLength) {

    public boolean isHead() {
        return method.equals("HEAD");
    }

    public boolean isHttp11() {
        return minorVersion >= 1;
    }

    public boolean chunked() {
        return bodyLength < 0;
    }
}

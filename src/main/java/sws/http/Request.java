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
 * @param expectsContinue whether the client waits for {@code 100 Continue} before it sends the body
 *     (RFC 9110 section 10.1.1); only ever true for an HTTP/1.1 request that has a body
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
        long bodyLength,
        boolean expectsContinue) {

    public boolean isHead() {
        return method.equals("HEAD");
    }

    public boolean isHttp11() {
        return minorVersion >= 1;
    }

    public boolean chunked() {
        return bodyLength < 0;
    }

    /**
     * The request a CGI local redirect stands for (RFC 3875 section 6.2.2): a GET of the new target (a HEAD
     * stays a HEAD, so its answer still has no body), in this request's version and with its fields, without
     * a body.
     */
    public Request redirectedTo(String newTarget, RequestTarget parsed) {
        return new Request(
                isHead() ? "HEAD" : "GET",
                newTarget,
                parsed.path(),
                parsed.rawPath(),
                parsed.query(),
                minorVersion,
                headers,
                keepAlive,
                0,
                false);
    }
}

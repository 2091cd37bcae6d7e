package sws.http;

/**
 * The request limits of spec section 3, each enforced before memory is spent on what it bounds.
 *
 * @param maxRequestLine longest request line in bytes (414 beyond)
 * @param maxHeaderBytes largest header section in bytes (431 beyond)
 * @param maxHeaderFields most header fields (431 beyond)
 * @param maxBodyBytes largest request body (413 beyond)
 */
public record Limits(int maxRequestLine, int maxHeaderBytes, int maxHeaderFields, long maxBodyBytes) {
    public static final Limits DEFAULT = new Limits(8 * 1024, 64 * 1024, 100, 1024L * 1024 * 1024);

    /** The most bytes a request head can take: the request line, the header section and their line ends. */
    public int maxHeadBytes() {
        return maxRequestLine + maxHeaderBytes + 4;
    }
}

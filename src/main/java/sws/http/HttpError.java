package sws.http;

/**
 * A protocol error found while reading a request: the status to answer with, whether the connection may
 * be kept afterwards, and a short reason for the error page.
 */
public record HttpError(Status status, boolean keepAlive, String message) {

    /** An error after which the byte stream can no longer be trusted, so the connection must close. */
    public static HttpError fatal(Status status, String message) {
        return new HttpError(status, false, message);
    }
}

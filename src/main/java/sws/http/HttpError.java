package sws.http;

/**
 * A protocol error found while reading a request: the status to answer with and a short reason. After one,
 * the byte stream can no longer be trusted, so the connection is closed after the answer.
 */
public record HttpError(Status status, String message) {}

package sws.http;

/** Turns a request into a response; what it may block on is up to the caller to know. */
@FunctionalInterface
public interface Handler {
    Response handle(Request request);
}

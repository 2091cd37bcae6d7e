package sws.http;

/** What the request parser made of the bytes so far. */
public sealed interface ParseResult {
    /** More bytes are needed before anything can be said. */
    record Incomplete() implements ParseResult {}

    /** A whole head: the request, and the offset just past it (relative to where parsing started). */
    record Complete(Request request, int headLength) implements ParseResult {}

    /** The bytes are not an acceptable request. */
    record Failed(HttpError error) implements ParseResult {}

    ParseResult INCOMPLETE = new Incomplete();
}

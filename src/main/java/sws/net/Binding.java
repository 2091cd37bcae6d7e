package sws.net;

/**
 * A listening socket and what its connections speak, watched by one event loop.
 *
 * @param limit the connections this listener may hold open, or null to share the server's --max-connections
 *     (the metrics listener has its own, so a scrape still gets through when clients hold every connection)
 */
public record Binding(Listener listener, Endpoint endpoint, ConnectionLimit limit) {
    public Binding(Listener listener, Endpoint endpoint) {
        this(listener, endpoint, null);
    }
}

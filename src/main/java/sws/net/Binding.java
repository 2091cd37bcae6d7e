package sws.net;

/** A listening socket and what its connections speak. */
public record Binding(Listener listener, Endpoint endpoint) {}

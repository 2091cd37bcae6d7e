package sws.http;

import sws.net.Peer;

/** Turns a request head into a reply; it runs on an event loop, so it must not block. */
@FunctionalInterface
public interface Handler {
    Reply handle(Request request, Peer client);
}

package sws.net;

import java.nio.ByteBuffer;

/** What runs on the connections of the event loops: it opens a session for each transport accepted. */
public interface Protocol {
    /** A session for a connection just accepted. */
    Session open(Transport transport, LoopContext loop);

    /**
     * The bytes sent, if the socket takes them at once, to a connection refused because too many are open;
     * the loop then closes it. Each call returns a buffer of its own.
     */
    ByteBuffer refusal();

    /**
     * A connection given up before it could carry a request, because what must come first (a PROXY header)
     * was missing, malformed or late; the transport closes it without an answer.
     *
     * @param startMillis when it was accepted, epoch milliseconds
     */
    void rejected(Peer peer, long startMillis);
}

package sws.http;

/**
 * A reply made off the event loop (a CGI program): it takes the request body as it arrives and answers
 * through its {@link Back} when it can. Every method here is called on the connection's event loop.
 */
public non-sealed interface Deferred extends Reply {
    /** The way back to the connection; callable from any thread. */
    interface Back {
        /**
         * Delivers the answer, at most once: a response (its body may still be streaming), or another reply
         * to take this one's place (a local redirect's).
         */
        void respond(Reply reply);

        /** Something changed: more output is ready, or room for more request body. */
        void wake();
    }

    /** Called once, right after the head, before any body. */
    void start(Back back);

    /** Request body bytes, already unframed; the reply copies what it keeps. */
    void body(byte[] buf, int offset, int length);

    /** Whether it has room for more body now; when not, the connection stops reading until wake(). */
    boolean wantsBody();

    /** The request body is complete. */
    void bodyEnd();

    /** The connection is gone or gave up: stop all work and free everything. */
    void cancel();
}

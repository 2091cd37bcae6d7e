package sws.net;

/**
 * What speaks a protocol over one transport; its event loop calls these on the loop's thread, one at a
 * time, and nothing here may block.
 */
public interface Session {
    /** Bytes, or the end of the input, can be read. */
    void onReadable();

    /** There is room to write again. */
    void onWritable();

    /** Called about once a second with the loop's clock (epoch milliseconds): the time to enforce timeouts. */
    void onTick(long now);

    /** Whether nothing is in flight, so that a stopping server may close the connection at once. */
    boolean idle();

    /**
     * The server has begun to stop: a connection with nothing in flight may still get one more request
     * (answered with Connection: close) until the given time, then it is closed. A client that sent its
     * request just as the stop began is answered, not reset.
     */
    void closeIdleBy(long time);

    /** The loop gives up on the connection (a failure, or the end of a stop): close it now. */
    void abort();
}

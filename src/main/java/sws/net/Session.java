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
     * The server has begun to stop: what is in flight finishes and the next response says Connection: close.
     * An idle connection stays open for a request that may be on its way, rather than being reset.
     */
    void stopping();

    /** The loop gives up on the connection (a failure, or the end of a stop): close it now. */
    void abort();
}

package sws.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import sws.http.Body;
import sws.http.Client;
import sws.http.Handler;
import sws.http.Limits;
import sws.http.Response;
import sws.http.ResponseEncoder;
import sws.http.Status;
import sws.log.AccessLog;

/**
 * One selector thread. Every loop watches the shared listening sockets and accepts what it can, so new
 * connections go to whichever loop is free; each connection then stays on the loop that accepted it.
 */
public final class EventLoop implements Runnable {
    private static final int BUFFER_SIZE = 16 * 1024;
    private static final int POOLED_BUFFERS = 256;
    private static final long SWEEP_MILLIS = 1000;
    private static final long ACCEPT_PAUSE_MILLIS = 100;
    private static final Response TOO_MANY = Response.error(Status.SERVICE_UNAVAILABLE);
    private static final byte[] TOO_MANY_PAGE = ((Body.Bytes) TOO_MANY.body()).data();

    private final Selector selector;
    private final List<SelectionKey> listenerKeys = new ArrayList<>();
    private final Handler handler;
    private final Limits limits;
    private final Timeouts timeouts;
    private final AccessLog accessLog;
    private final boolean oneAtATime;
    private final ConnectionLimit connectionLimit;
    private final ArrayDeque<ByteBuffer> buffers = new ArrayDeque<>();
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(BUFFER_SIZE);
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();

    private int connections;
    private long now = System.currentTimeMillis();
    private boolean clockSet;
    private long lastSweep = now;
    private long acceptPausedUntil;
    private final CountDownLatch listenersReleased = new CountDownLatch(1);
    private volatile boolean stopRequested;
    private boolean stopping;
    private long stopDeadline;

    /**
     * @param oneAtATime serve one connection at a time (the -d mode of spec section 1)
     */
    public EventLoop(
            List<ServerSocketChannel> listeners,
            Handler handler,
            Limits limits,
            Timeouts timeouts,
            AccessLog accessLog,
            ConnectionLimit connectionLimit,
            boolean oneAtATime)
            throws IOException {
        this.selector = Selector.open();
        this.connectionLimit = connectionLimit;
        this.handler = handler;
        this.limits = limits;
        this.timeouts = timeouts;
        this.accessLog = accessLog;
        this.oneAtATime = oneAtATime;
        for (ServerSocketChannel listener : listeners) {
            listenerKeys.add(listener.register(selector, SelectionKey.OP_ACCEPT));
        }
    }

    @Override
    public void run() {
        try {
            while (true) {
                long timeout = SWEEP_MILLIS;
                if (acceptPausedUntil > 0) {
                    timeout = Math.max(1, Math.min(timeout, acceptPausedUntil - now));
                }
                clockSet = false;
                selector.select(this::dispatch, timeout);
                if (!clockSet) {
                    now = System.currentTimeMillis();
                }
                runTasks();
                if (acceptPausedUntil > 0 && now >= acceptPausedUntil) {
                    acceptPausedUntil = 0;
                    setAccepting(true);
                }
                if (now - lastSweep >= SWEEP_MILLIS) {
                    lastSweep = now;
                    sweep();
                }
                if (stopRequested && !stopping) {
                    beginStop();
                }
                if (stopping && (connections == 0 || now >= stopDeadline)) {
                    break;
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            reportError(e);
        } finally {
            closeAll();
            listenersReleased.countDown();
        }
    }

    /** Called by the selector for each ready key; the first call of a round reads the clock. */
    private void dispatch(SelectionKey key) {
        if (!clockSet) {
            now = System.currentTimeMillis();
            clockSet = true;
        }
        try {
            if (!key.isValid()) {
                return;
            }
            if (key.attachment() instanceof Connection c) {
                if (key.isWritable()) {
                    c.onWritable();
                } else if (key.isReadable()) {
                    c.onReadable();
                }
            } else if (key.isAcceptable()) {
                accept((ServerSocketChannel) key.channel());
            }
        } catch (CancelledKeyException e) {
            if (key.attachment() instanceof Connection c) {
                c.close();
            }
        } catch (RuntimeException e) {
            // A bug in one connection's handling must not take the loop and its other clients down.
            reportError(e);
            if (key.attachment() instanceof Connection c) {
                c.abort();
            }
        }
    }

    /** Runs an action on this loop's thread soon; callable from any thread. */
    void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                reportError(e);
            }
        }
    }

    private void accept(ServerSocketChannel listener) {
        for (int i = 0; i < 64 && !stopping; i++) {
            if (oneAtATime && connections > 0) {
                return;
            }
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException e) {
                // Out of file descriptors, most likely: stop accepting for a moment rather than spin.
                acceptPausedUntil = now + ACCEPT_PAUSE_MILLIS;
                setAccepting(false);
                return;
            }
            if (channel == null) {
                return;
            }
            if (!connectionLimit.tryAcquire()) {
                refuse(channel);
                continue;
            }
            try {
                channel.configureBlocking(false);
                var remote = (InetSocketAddress) channel.getRemoteAddress();
                var local = (InetSocketAddress) channel.getLocalAddress();
                var client = new Client(
                        Addresses.text(remote.getAddress()),
                        remote.getPort(),
                        Addresses.text(local.getAddress()),
                        local.getPort());
                SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
                key.attach(new Connection(this, channel, key, client));
                connections++;
                if (oneAtATime) {
                    setAccepting(false);
                }
            } catch (IOException e) {
                connectionLimit.release();
                closeQuietly(channel);
            }
        }
    }

    /**
     * Over --max-connections: a 503 if the socket takes it at once, then close; never more work than
     * that, so a flood of connections costs the server nothing it would not spend on closing them.
     */
    private static void refuse(SocketChannel channel) {
        try {
            channel.configureBlocking(false);
            channel.write(new ByteBuffer[] {
                ByteBuffer.wrap(ResponseEncoder.head(TOO_MANY, true, false, false)), ByteBuffer.wrap(TOO_MANY_PAGE)
            });
        } catch (IOException e) {
            // the client is gone already; closing is all that is left
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // the connection had already failed
        }
    }

    private void setAccepting(boolean on) {
        if (stopping || (on && oneAtATime && connections > 0)) {
            return;
        }
        for (SelectionKey key : listenerKeys) {
            if (key.isValid()) {
                key.interestOps(on ? SelectionKey.OP_ACCEPT : 0);
            }
        }
    }

    private void sweep() {
        for (SelectionKey key : List.copyOf(selector.keys())) {
            if (key.attachment() instanceof Connection c) {
                c.checkTimeout(now);
            }
        }
    }

    private void beginStop() {
        stopping = true;
        stopDeadline = now + timeouts.grace().toMillis();
        for (SelectionKey key : listenerKeys) {
            key.cancel();
        }
        try {
            selector.selectNow(); // completes the cancellation, so the listening sockets can really close
        } catch (IOException e) {
            reportError(e);
        }
        listenersReleased.countDown();
        for (SelectionKey key : List.copyOf(selector.keys())) {
            if (key.attachment() instanceof Connection c && c.idle()) {
                c.close();
            }
        }
    }

    private void closeAll() {
        for (SelectionKey key : List.copyOf(selector.keys())) {
            if (key.attachment() instanceof Connection c) {
                c.abort();
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            reportError(e);
        }
    }

    /** Asks the loop to stop accepting, finish what is in flight within the grace period, and end. */
    public void stop() {
        stopRequested = true;
        selector.wakeup();
    }

    /** Waits (boundedly) until this loop, asked to stop, no longer watches the listening sockets. */
    public void awaitListenersReleased() throws InterruptedException {
        listenersReleased.await(5, TimeUnit.SECONDS);
    }

    void closed(Connection c) {
        connections--;
        connectionLimit.release();
        if (oneAtATime && connections == 0) {
            setAccepting(true);
        }
    }

    ByteBuffer takeBuffer() {
        ByteBuffer b = buffers.pollFirst();
        return b != null ? b.clear() : ByteBuffer.allocate(BUFFER_SIZE);
    }

    void returnBuffer(ByteBuffer b) {
        if (b.capacity() == BUFFER_SIZE && buffers.size() < POOLED_BUFFERS) {
            buffers.addFirst(b);
        }
    }

    ByteBuffer scratch() {
        return scratch;
    }

    long now() {
        return now;
    }

    boolean stopping() {
        return stopping || stopRequested;
    }

    Handler handler() {
        return handler;
    }

    Limits limits() {
        return limits;
    }

    Timeouts timeouts() {
        return timeouts;
    }

    AccessLog accessLog() {
        return accessLog;
    }

    void reportError(Throwable e) {
        System.err.println("sws: internal error: " + e);
        StackTraceElement[] where = e.getStackTrace();
        if (where.length > 0) {
            System.err.println("sws:   at " + where[0]);
        }
    }
}

package sws.net;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import sws.io.Quietly;
import sws.metrics.LoopCounters;

/**
 * One selector thread with listening sockets of its own (and shared ones, such as a UNIX socket): it
 * accepts connections, turns each into a transport of its listener's kind, and drives them by readiness
 * events and a once-a-second tick until they close. Each connection stays on the loop that accepted it.
 */
public final class EventLoop implements Runnable {
    private static final int BUFFER_SIZE = 16 * 1024;
    private static final int POOLED_BUFFERS = 256;
    private static final long TICK_MILLIS = 1000;
    private static final long ACCEPT_PAUSE_MILLIS = 100;

    private final Selector selector;
    private final List<SelectionKey> listenerKeys = new ArrayList<>();
    private final ConnectionLimit connectionLimit;
    private final boolean oneAtATime;
    private final Duration grace;
    private final Context context = new Context();
    private final BufferPool buffers = new BufferPool(BUFFER_SIZE, POOLED_BUFFERS);
    private BufferPool tlsBuffers;
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(BUFFER_SIZE);
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final CountDownLatch listenerReleased = new CountDownLatch(1);
    private final ArrayList<SocketChannel> closing = new ArrayList<>();
    private final LoopCounters counters;

    private int connections;
    private long now = System.currentTimeMillis();
    private boolean clockSet;
    private long lastTick = now;
    private long acceptPausedUntil;
    private volatile boolean stopRequested;
    private boolean stopping;
    private long stopDeadline;

    /**
     * @param oneAtATime serve one connection at a time (the -d mode of spec section 1)
     * @param grace how long a stop lets what is in flight finish
     */
    public EventLoop(
            List<Binding> bindings,
            ConnectionLimit connectionLimit,
            boolean oneAtATime,
            Duration grace,
            LoopCounters counters)
            throws IOException {
        this.counters = counters;
        this.selector = Selector.open();
        this.connectionLimit = connectionLimit;
        this.oneAtATime = oneAtATime;
        this.grace = grace;
        for (Binding binding : bindings) {
            SelectionKey key = binding.listener().register(selector);
            key.attach(binding);
            listenerKeys.add(key);
        }
    }

    @Override
    public void run() {
        try {
            while (!(stopping && (connections == 0 || now >= stopDeadline))) {
                long timeout = TICK_MILLIS;
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
                if (now - lastTick >= TICK_MILLIS) {
                    lastTick = now;
                    forEachTransport(t -> t.onTick(now));
                }
                if (stopRequested && !stopping) {
                    beginStop();
                }
                finishClosing();
            }
        } catch (IOException | ClosedSelectorException e) {
            context.reportError(e);
        } finally {
            forEachTransport(SocketTransport::abort);
            Quietly.close(selector); // deregisters every channel, so each closes at once below
            closing.forEach(Quietly::close);
            listenerReleased.countDown();
        }
    }

    /** Called by the selector for each ready key; the first call of a round reads the clock. */
    private void dispatch(SelectionKey key) {
        if (!clockSet) {
            now = System.currentTimeMillis();
            clockSet = true;
        }
        SocketTransport transport = key.attachment() instanceof SocketTransport t ? t : null;
        try {
            if (!key.isValid()) {
                return;
            }
            if (key.attachment() instanceof Binding binding) {
                accept(binding);
            } else if (transport == null) {
                return;
            } else if (key.isWritable()) {
                transport.onWritable();
            } else if (key.isReadable()) {
                transport.onReadable();
            }
        } catch (CancelledKeyException e) {
            if (transport != null) {
                transport.abort();
            }
        } catch (RuntimeException e) {
            // A bug in one connection's handling must not take the loop and its other clients down.
            context.reportError(e);
            if (transport != null) {
                transport.abort();
            }
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                context.reportError(e);
            }
        }
    }

    private void accept(Binding binding) {
        Endpoint endpoint = binding.endpoint();
        for (int i = 0; i < 64 && !stopping && !(oneAtATime && connections > 0); i++) {
            SocketChannel channel;
            try {
                channel = binding.listener().accept();
            } catch (IOException e) {
                // Out of file descriptors, most likely: stop accepting for a moment rather than spin.
                acceptPausedUntil = now + ACCEPT_PAUSE_MILLIS;
                setAccepting(false);
                return;
            }
            if (channel == null) {
                return;
            }
            if (!trusted(channel, endpoint)) {
                counters.refusedUntrusted();
                Quietly.close(channel); // it could name any client it liked in a PROXY header
                continue;
            }
            ConnectionLimit limit = binding.limit() != null ? binding.limit() : connectionLimit;
            if (!limit.tryAcquire()) {
                counters.refusedOverLimit();
                refuse(channel, endpoint);
                continue;
            }
            try {
                channel.configureBlocking(false);
                Peer peer = binding.listener().peerOf(channel, endpoint.tls() != null);
                SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
                SocketTransport transport = endpoint.tls() == null
                        ? new PlainTransport(channel, key, peer, endpoint, context, ch -> closed(ch, limit))
                        : new TlsTransport(
                                channel,
                                key,
                                peer,
                                endpoint,
                                context,
                                tlsBuffers(endpoint.tls()),
                                ch -> closed(ch, limit));
                key.attach(transport);
                connections++;
                counters.accepted();
                if (oneAtATime) {
                    setAccepting(false);
                }
                transport.start();
            } catch (IOException e) {
                limit.release();
                Quietly.close(channel);
            }
        }
    }

    private static boolean trusted(SocketChannel channel, Endpoint endpoint) {
        if (endpoint.proxies() == null) {
            return true;
        }
        try {
            return endpoint.proxies().allows(channel.getRemoteAddress());
        } catch (IOException e) {
            return false;
        }
    }

    private BufferPool tlsBuffers(TlsContext tls) {
        if (tlsBuffers == null || tlsBuffers.size() != tls.bufferSize()) {
            tlsBuffers = new BufferPool(tls.bufferSize(), POOLED_BUFFERS);
        }
        return tlsBuffers;
    }

    /**
     * Over --max-connections: the protocol's refusal if the socket takes it at once, then close; never more
     * work than that, so a flood of connections costs the server nothing it would not spend on closing them.
     * A TLS client could not read a refusal without a handshake, which is the very cost to avoid: it is
     * closed without one.
     */
    private void refuse(SocketChannel channel, Endpoint endpoint) {
        if (endpoint.tls() == null) {
            try {
                channel.configureBlocking(false);
                channel.write(endpoint.protocol().refusal());
            } catch (IOException e) {
                // the client is gone already; closing is all that is left
            }
        }
        Quietly.close(channel);
    }

    /**
     * The JDK closes a channel that a selector still holds by shutting its output down (after looking up
     * SO_LINGER) and closes it for real when the selector lets go. A channel whose key is cancelled leaves the
     * selector at its next select: so select once more now, then close what was closed, each with one close.
     */
    private void finishClosing() throws IOException {
        while (!closing.isEmpty()) {
            var batch = List.copyOf(closing);
            closing.clear();
            selector.selectNow(this::dispatch);
            batch.forEach(Quietly::close);
        }
    }

    private void closed(SocketChannel channel, ConnectionLimit limit) {
        closing.add(channel);
        connections--;
        counters.closed();
        limit.release();
        if (oneAtATime && connections == 0) {
            setAccepting(true);
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

    private void forEachTransport(java.util.function.Consumer<SocketTransport> action) {
        for (SelectionKey key : List.copyOf(selector.keys())) {
            if (key.attachment() instanceof SocketTransport t) {
                action.accept(t);
            }
        }
    }

    private void beginStop() {
        stopping = true;
        stopDeadline = now + grace.toMillis();
        listenerKeys.forEach(SelectionKey::cancel);
        try {
            selector.selectNow(); // completes the cancellation, so the listening socket can really close
        } catch (IOException e) {
            context.reportError(e);
        }
        listenerReleased.countDown();
        // Idle kept-alive connections are not reset: a balancer may be about to send on one, and it gets its
        // answer with Connection: close (spec section 9); those that bring nothing in a second are closed.
        forEachTransport(SocketTransport::stopping);
    }

    /** Asks the loop to stop accepting, finish what is in flight within the grace period, and end. */
    public void stop() {
        stopRequested = true;
        selector.wakeup();
    }

    /** Waits (boundedly) until this loop, asked to stop, no longer watches its listening socket. */
    public void awaitListenerReleased() throws InterruptedException {
        listenerReleased.await(5, TimeUnit.SECONDS);
    }

    /** The narrow view of this loop that its sessions get. */
    private final class Context implements LoopContext {
        @Override
        public long now() {
            return now;
        }

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
            selector.wakeup();
        }

        @Override
        public ByteBuffer takeBuffer() {
            return buffers.take();
        }

        @Override
        public void returnBuffer(ByteBuffer b) {
            buffers.give(b);
        }

        @Override
        public ByteBuffer scratch() {
            return scratch;
        }

        @Override
        public boolean stopping() {
            return stopping || stopRequested;
        }

        @Override
        public LoopCounters counters() {
            return counters;
        }

        @Override
        public void reportError(Throwable e) {
            System.err.println("sws: internal error: " + e);
            StackTraceElement[] where = e.getStackTrace();
            if (where.length > 0) {
                System.err.println("sws:   at " + where[0]);
            }
        }
    }
}

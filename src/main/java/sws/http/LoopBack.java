package sws.http;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import sws.net.LoopContext;

/**
 * The way back onto a connection's loop from the threads that make its replies: an answer becomes a task
 * tagged with its exchange, and wake-ups become one task at a time however many come.
 */
final class LoopBack {
    private final LoopContext loop;
    private final BiConsumer<Exchange, Reply> onReply;
    private final Runnable onWake;
    private final AtomicBoolean wakePosted = new AtomicBoolean();

    LoopBack(LoopContext loop, BiConsumer<Exchange, Reply> onReply, Runnable onWake) {
        this.loop = loop;
        this.onReply = onReply;
        this.onWake = onWake;
    }

    /** The Back a deferred reply for this exchange answers through. */
    Deferred.Back forExchange(Exchange exchange) {
        return new Deferred.Back() {
            @Override
            public void respond(Reply reply) {
                loop.execute(() -> onReply.accept(exchange, reply));
            }

            @Override
            public void wake() {
                if (wakePosted.compareAndSet(false, true)) {
                    loop.execute(() -> {
                        wakePosted.set(false);
                        onWake.run();
                    });
                }
            }
        };
    }
}

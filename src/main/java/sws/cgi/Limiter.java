package sws.cgi;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * Bounds how many CGI programs run at once; the excess waits its turn in a queue of bounded length, and
 * only what does not fit there is refused (503).
 */
final class Limiter {
    private final Executor executor;
    private final int maxRunning;
    private final int maxQueued;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private int running;

    /** Runs what it admits on the executor. */
    Limiter(Executor executor, int maxRunning, int maxQueued) {
        this.executor = executor;
        this.maxRunning = maxRunning;
        this.maxQueued = maxQueued;
    }

    /** Runs the task now or when a slot frees; false when the queue is full too. */
    synchronized boolean submit(Runnable task) {
        if (running < maxRunning) {
            running++;
            executor.execute(task);
            return true;
        }
        if (queue.size() < maxQueued) {
            queue.addLast(task);
            return true;
        }
        return false;
    }

    /** Whether a task submitted now would run or wait, rather than be refused. */
    synchronized boolean hasRoom() {
        return running < maxRunning || queue.size() < maxQueued;
    }

    /** How many programs run now. */
    synchronized int running() {
        return running;
    }

    /** How many wait for a slot. */
    synchronized int queued() {
        return queue.size();
    }

    /** A task is done with its slot: the next one waiting gets it. */
    synchronized void release() {
        Runnable next = queue.pollFirst();
        if (next != null) {
            executor.execute(next);
        } else {
            running--;
        }
    }
}

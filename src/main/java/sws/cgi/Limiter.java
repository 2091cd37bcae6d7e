package sws.cgi;

import java.util.ArrayDeque;

/**
 * Bounds how many CGI programs run at once; the excess waits its turn in a queue of bounded length, and
 * only what does not fit there is refused (503).
 */
final class Limiter {
    private final int maxRunning;
    private final int maxQueued;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private int running;

    Limiter(int maxRunning, int maxQueued) {
        this.maxRunning = maxRunning;
        this.maxQueued = maxQueued;
    }

    /** Runs the task on a virtual thread now or when a slot frees; false when the queue is full too. */
    synchronized boolean submit(Runnable task) {
        if (running < maxRunning) {
            running++;
            Thread.ofVirtual().name("sws-cgi").start(task);
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

    /** A task is done with its slot: the next one waiting gets it. */
    synchronized void release() {
        Runnable next = queue.pollFirst();
        if (next != null) {
            Thread.ofVirtual().name("sws-cgi").start(next);
        } else {
            running--;
        }
    }
}

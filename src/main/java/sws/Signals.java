package sws;

import sun.misc.Signal;

/** SIGTERM and SIGINT as requests for a graceful stop that ends with exit status 0 (spec section 2). */
final class Signals {
    private Signals() {}

    /**
     * Replaces the JVM's own handling of both signals, which would run shutdown hooks and exit with
     * 128 + the signal number, by the given action.
     */
    static void onStop(Runnable action) {
        Signal.handle(new Signal("TERM"), s -> action.run());
        Signal.handle(new Signal("INT"), s -> action.run());
    }
}

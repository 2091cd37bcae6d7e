package sws.cli;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT as requests for a graceful stop that ends with exit status 0 (spec section 2); SIGHUP
 * as the request to reopen the log file that logrotate and its kind send.
 */
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

    /** Replaces the JVM's handling of SIGHUP, which would stop the server, by the given action. */
    static void onHangUp(Runnable action) {
        Signal.handle(new Signal("HUP"), s -> action.run());
    }
}

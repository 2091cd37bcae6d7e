package sws.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The tests' one way to wait for something the server does in its own time: check a condition every 10 ms
 * until it holds or the bound is reached. Never a sleep of a guessed length.
 */
public final class Poll {
    private static final long PAUSE_NANOS = 10_000_000;

    private Poll() {}

    /** Whether the condition holds within the bound. */
    public static boolean until(Duration bound, BooleanSupplier condition) {
        long end = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            // a timed park, not a sleep: gives the condition's producers the CPU
            LockSupport.parkNanos(PAUSE_NANOS);
        }
        return condition.getAsBoolean();
    }

    /** Fails the test unless the condition holds within the bound. */
    public static void await(Duration bound, BooleanSupplier condition) {
        if (!until(bound, condition)) {
            throw new AssertionError("condition not met within " + bound);
        }
    }
}

package sws.io;

import java.io.Closeable;
import java.io.IOException;

/** Closing what has already failed, or what loses nothing when its close fails. */
public final class Quietly {
    private Quietly() {}

    /**
     * Closes a resource whose close cannot lose data (a file opened for reading, a socket that is being
     * abandoned); a failure there has nothing left to report.
     */
    public static void close(Closeable resource) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (IOException e) {
            // nothing was lost: see above
        }
    }
}

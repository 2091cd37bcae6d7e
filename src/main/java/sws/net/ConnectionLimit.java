package sws.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** The bound on connections open at once, shared by all event loops (--max-connections). */
public final class ConnectionLimit {
    private final int max;
    private final AtomicInteger open = new AtomicInteger();

    public ConnectionLimit(int max) {
        this.max = max;
    }

    /**
     * The default: what the process's file-descriptor limit leaves after a reserve for files being sent,
     * CGI pipes and the log (a tenth of the limit, at least 64).
     */
    public static int fromDescriptorLimit() {
        long limit = descriptorLimit();
        long reserve = Math.max(64, limit / 10);
        return (int) Math.max(16, Math.min(Integer.MAX_VALUE, limit - reserve));
    }

    /** The soft RLIMIT_NOFILE, from /proc/self/limits; 1024 when it cannot be read. */
    static long descriptorLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft =
                            line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Integer.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through to the common default
        }
        return 1024;
    }

    boolean tryAcquire() {
        while (true) {
            int n = open.get();
            if (n >= max) {
                return false;
            }
            if (open.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void release() {
        open.decrementAndGet();
    }
}

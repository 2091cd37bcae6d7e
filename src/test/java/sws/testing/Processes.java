package sws.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged sws run as a real process, with its stdout and stderr collected as they arrive. Every
 * process started here, and every process the test registers, is killed by {@link #close()}.
 */
public final class Processes implements AutoCloseable {
    private final List<ProcessHandle> started = new ArrayList<>();

    /** A process's collected output so far, which a test can wait on. */
    public static final class Output {
        private final StringBuilder text = new StringBuilder();
        private boolean ended;

        private Output(InputStream stream, String name) {
            Thread.ofPlatform().daemon().name(name).start(() -> drain(stream));
        }

        private void drain(InputStream stream) {
            byte[] buffer = new byte[8192];
            try (stream) {
                int n;
                while ((n = stream.read(buffer)) > 0) {
                    synchronized (this) {
                        text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                        notifyAll();
                    }
                }
            } catch (IOException e) {
                // the process is gone; what was read is all there is
            } finally {
                synchronized (this) {
                    ended = true;
                    notifyAll();
                }
            }
        }

        /** Everything collected so far. */
        public synchronized String text() {
            return text.toString();
        }

        /** The lines collected so far, without their line ends. */
        public List<String> lines() {
            String t = text();
            return t.isEmpty() ? List.of() : List.of(t.split("\r?\n"));
        }

        /**
         * Waits until some line matches the pattern and returns its match; fails when the stream ends or
         * the time is up first.
         */
        public synchronized Matcher awaitLine(Pattern pattern, Duration bound) {
            long deadline = System.nanoTime() + bound.toNanos();
            while (true) {
                for (String line : text.toString().split("\r?\n")) {
                    Matcher m = pattern.matcher(line);
                    if (m.matches()) {
                        return m;
                    }
                }
                long left = deadline - System.nanoTime();
                if (ended || left <= 0) {
                    throw new AssertionError("no line matching " + pattern + " within " + bound + "; got: " + text);
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }

        /** Waits until the stream has ended (the writing process is gone), then returns everything. */
        public synchronized String awaitEnd(Duration bound) {
            long deadline = System.nanoTime() + bound.toNanos();
            while (!ended) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("output did not end within " + bound + "; got: " + text);
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
            return text.toString();
        }
    }

    /** A running sws and its output. */
    public record Running(Process process, Output stdout, Output stderr) {
        /** Waits for the process to end and returns its exit status; fails when it outlives the bound. */
        public int awaitExit(Duration bound) {
            try {
                if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("sws still running after " + bound + "; stderr: " + stderr.text());
                }
                return process.exitValue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** What a finished sws left behind. */
    public record Result(int status, String stdout, String stderr) {
        public List<String> stderrLines() {
            return stderr.isEmpty() ? List.of() : List.of(stderr.split("\r?\n"));
        }
    }

    /** Starts {@code java -jar sws.jar args...} in the background. */
    public Running start(String... args) {
        return launch(new ArrayList<>(), args);
    }

    /**
     * Starts sws after a shell command that sets up its process ({@code ulimit -f 1024}, say): bash runs
     * the setup, then execs java, so the process started is sws itself.
     */
    public Running startAfter(String setup, String... args) {
        return launch(new ArrayList<>(List.of("bash", "-c", setup + " && exec \"$@\"", "sws")), args);
    }

    private Running launch(List<String> command, String... args) {
        command.add(System.getProperty("java.home") + "/bin/java");
        command.add("-jar");
        command.add(jar());
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            started.add(p.toHandle());
            return new Running(
                    p, new Output(p.getInputStream(), "sws-stdout"), new Output(p.getErrorStream(), "sws-stderr"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs sws to its end, which must come within the bound, and returns its status and output. */
    public Result run(Duration bound, String... args) {
        Running r = start(args);
        int status = r.awaitExit(bound);
        Duration drain = Duration.ofSeconds(5);
        return new Result(status, r.stdout().awaitEnd(drain), r.stderr().awaitEnd(drain));
    }

    /** Has a process the test found (a daemon, by its pid) killed at the end as well. */
    public void register(ProcessHandle handle) {
        started.add(handle);
    }

    private static String jar() {
        String jar = System.getProperty("sws.jar");
        if (jar == null) {
            throw new IllegalStateException("system property sws.jar is not set: run this test with failsafe");
        }
        return jar;
    }

    /** Kills every process started or registered here, and their descendants, and waits for them. */
    @Override
    public void close() {
        List<ProcessHandle> all = new ArrayList<>();
        for (ProcessHandle p : started) {
            p.descendants().forEach(all::add);
            all.add(p);
        }
        for (ProcessHandle p : all) {
            p.destroyForcibly();
        }
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // a process that will not die is the kernel's business now
            }
        }
        started.clear();
    }
}

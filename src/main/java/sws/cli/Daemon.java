package sws.cli;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Daemonizing without fork(2): the launching process starts the same command line again as a child in a
 * new session, with no terminal, and waits until the child says it listens, or has failed to start.
 */
final class Daemon {
    private static final String CHILD_ENV = "SWS_DAEMON_CHILD";
    private static final String READY = "sws: ready";
    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private Daemon() {}

    /** Whether this process is the background child of a launching sws. */
    static boolean isChild() {
        return "1".equals(System.getenv(CHILD_ENV));
    }

    /**
     * Starts the child and relays what it prints until it is ready; returns the launching process's exit
     * status: 0 once the child listens, else the child's own status (at least 1).
     */
    static int launch() throws Failure {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            command.add(SETSID.toString());
        }
        command.addAll(ownCommandLine());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put(CHILD_ENV, "1");
        Process child;
        try {
            child = builder.start();
        } catch (IOException e) {
            throw new Failure("cannot start the background server: " + e.getMessage());
        }
        try (var reader = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.equals(READY)) {
                    return 0;
                }
                System.err.println(line);
            }
            int status = child.waitFor();
            return status == 0 ? 1 : status;
        } catch (IOException e) {
            throw new Failure("lost the background server while it started: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /**
     * Called in the child once it listens: tells the launcher, then lets go of the launcher's pipe. Nothing
     * more is printed: output after start-up in the background would go to a closed pipe.
     */
    static void ready() {
        System.err.flush();
        System.out.println(READY);
        System.out.flush();
        PrintStream none = new PrintStream(OutputStream.nullOutputStream());
        System.setOut(none);
        System.setErr(none);
    }

    /** This JVM's own command line, as the kernel recorded it. */
    private static List<String> ownCommandLine() throws Failure {
        var info = ProcessHandle.current().info();
        if (info.command().isEmpty() || info.arguments().isEmpty()) {
            throw new Failure("cannot daemonize: this system does not show the process's command line");
        }
        List<String> line = new ArrayList<>();
        line.add(info.command().get());
        line.addAll(List.of(info.arguments().get()));
        return line;
    }
}

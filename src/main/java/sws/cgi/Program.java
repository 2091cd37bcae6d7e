package sws.cgi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One running CGI program: its process, in a session and process group of its own, with its three pipes;
 * and the one way to stop it, which takes everything it started down with it.
 */
final class Program {
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final boolean HAS_SETSID = Files.isExecutable(SETSID);

    private final Process process;

    private Program(Process process) {
        this.process = process;
    }

    /** Starts the program in its own directory with exactly this environment. */
    static Program start(Path script, Map<String, String> environment) throws IOException {
        List<String> command = new ArrayList<>(2);
        if (HAS_SETSID) {
            // A session (and process group) of its own, so a timeout can kill everything it started.
            command.add(SETSID.toString());
        }
        command.add(script.toString());
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(script.getParent().toFile());
        var env = builder.environment();
        env.clear();
        env.putAll(environment);
        return new Program(builder.start());
    }

    OutputStream stdin() {
        return process.getOutputStream();
    }

    InputStream stdout() {
        return process.getInputStream();
    }

    InputStream stderr() {
        return process.getErrorStream();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Waits for the program's exit, so that it never lingers as a zombie. */
    void waitFor() throws InterruptedException {
        process.waitFor();
    }

    /** Kills the program, its process group and every descendant still known. */
    void kill() {
        List<ProcessHandle> tree = process.descendants().toList();
        if (HAS_SETSID && process.isAlive()) {
            try {
                new ProcessBuilder("kill", "-KILL", "--", "-" + process.pid())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
            } catch (IOException e) {
                // the direct kills below still apply
            }
        }
        process.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
    }
}

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
 * A CGI program started by the JDK's ProcessBuilder, the way where posix_spawn cannot be called: through
 * setsid(1) for a session of its own, so its whole process group can be killed.
 */
final class ProcessProgram implements Program {
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final boolean HAS_SETSID = Files.isExecutable(SETSID);

    private final Process process;

    private ProcessProgram(Process process) {
        this.process = process;
    }

    /** Starts the program in its own directory with exactly this environment. */
    static ProcessProgram start(Path script, Map<String, String> environment) throws IOException {
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
        return new ProcessProgram(builder.start());
    }

    @Override
    public OutputStream stdin() {
        return process.getOutputStream();
    }

    @Override
    public InputStream stdout() {
        return process.getInputStream();
    }

    @Override
    public InputStream stderr() {
        return process.getErrorStream();
    }

    @Override
    public boolean alive() {
        return process.isAlive();
    }

    @Override
    public void waitFor() throws InterruptedException {
        process.waitFor();
    }

    @Override
    public void kill() {
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

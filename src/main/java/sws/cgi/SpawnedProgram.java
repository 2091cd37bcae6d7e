package sws.cgi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

/**
 * A CGI program started by one posix_spawn (see {@link PosixSpawn}), reaped by its own pid once the JDK's
 * process watcher has seen it exit.
 */
final class SpawnedProgram implements Program {
    private final PosixSpawn posix;
    private final PosixSpawn.Spawned spawned;
    private boolean reaped;

    private SpawnedProgram(PosixSpawn posix, PosixSpawn.Spawned spawned) {
        this.posix = posix;
        this.spawned = spawned;
    }

    static SpawnedProgram start(PosixSpawn posix, Path script, Map<String, String> environment) throws IOException {
        return new SpawnedProgram(posix, posix.start(script, script.getParent(), environment));
    }

    @Override
    public OutputStream stdin() {
        return spawned.stdin();
    }

    @Override
    public InputStream stdout() {
        return spawned.stdout();
    }

    @Override
    public InputStream stderr() {
        return spawned.stderr();
    }

    @Override
    public synchronized boolean alive() {
        if (!reaped) {
            reaped = posix.reap(spawned.pid());
        }
        return !reaped;
    }

    /**
     * The JDK watches for the exit without reaping (waitid with WNOWAIT); the reap is ours, by this pid, so
     * no other process's status is ever taken.
     */
    @Override
    public void waitFor() throws InterruptedException {
        var handle = ProcessHandle.of(spawned.pid());
        if (handle.isPresent()) {
            try {
                handle.get().onExit().get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("watching a program's exit failed", e.getCause());
            }
        }
        alive();
    }

    @Override
    public synchronized void kill() {
        if (reaped) {
            return; // its pid may belong to another process by now
        }
        int pid = spawned.pid();
        List<ProcessHandle> tree =
                ProcessHandle.of(pid).map(h -> h.descendants().toList()).orElse(List.of());
        posix.kill(-pid, PosixSpawn.SIGKILL); // the session's process group: pgid == pid after setsid
        posix.kill(pid, PosixSpawn.SIGKILL);
        tree.forEach(ProcessHandle::destroyForcibly);
    }
}

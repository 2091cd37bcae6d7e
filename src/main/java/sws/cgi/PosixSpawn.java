package sws.cgi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import sws.io.Quietly;

/**
 * posix_spawn(3) and the few calls around it (pipe2, close, kill, waitpid), bound through java.lang.foreign
 * to the C library: one call starts a program with its pipes in place, in a session of its own, with a clean
 * signal state, its directory set and every other descriptor closed. Linux with glibc 2.34 or later.
 */
final class PosixSpawn {
    // <fcntl.h>, <spawn.h>, <signal.h>, <sys/wait.h> on Linux (the same on x86-64 and arm64)
    private static final int O_CLOEXEC = 02000000;
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final short POSIX_SPAWN_SETSID = 0x80;
    private static final int ENOEXEC = 8;
    private static final int ECHILD = 10;
    private static final int WNOHANG = 1;
    static final int SIGKILL = 9;

    // Opaque glibc types, given more room than they take (80, 336 and 128 bytes on x86-64).
    private static final long FILE_ACTIONS_BYTES = 256;
    private static final long ATTRIBUTES_BYTES = 1024;
    private static final long SIGSET_BYTES = 256;

    private static final MemoryLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    /**
     * The three pipes of a program started, as the parent holds them, and the program's process id. Streams,
     * not channels: a virtual thread blocked in a stream's read lends its carrier to others meanwhile, one
     * blocked in a FileChannel's read does not.
     */
    record Spawned(int pid, FileOutputStream stdin, FileInputStream stdout, FileInputStream stderr) {}

    private final MethodHandle pipe2;
    private final MethodHandle close;
    private final MethodHandle kill;
    private final MethodHandle waitpid;
    private final MethodHandle spawn;
    private final MethodHandle actionsInit;
    private final MethodHandle actionsDestroy;
    private final MethodHandle addDup2;
    private final MethodHandle addClosefrom;
    private final MethodHandle addChdir;
    private final MethodHandle attributesInit;
    private final MethodHandle attributesDestroy;
    private final MethodHandle setFlags;
    private final MethodHandle setSigmask;
    private final MethodHandle setSigdefault;
    private final MethodHandle sigemptyset;
    private final MethodHandle sigfillset;
    private final MethodHandle strerror;

    private PosixSpawn(Linker linker, SymbolLookup libc) {
        var errno = Linker.Option.captureCallState("errno");
        pipe2 = bind(linker, libc, "pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), errno);
        close = bind(linker, libc, "close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        kill = bind(linker, libc, "kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        waitpid = bind(linker, libc, "waitpid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), errno);
        spawn = bind(
                linker,
                libc,
                "posix_spawn",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        var onObject = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        actionsInit = bind(linker, libc, "posix_spawn_file_actions_init", onObject);
        actionsDestroy = bind(linker, libc, "posix_spawn_file_actions_destroy", onObject);
        addDup2 = bind(
                linker,
                libc,
                "posix_spawn_file_actions_adddup2",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        addClosefrom = bind(
                linker,
                libc,
                "posix_spawn_file_actions_addclosefrom_np",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        addChdir = bind(
                linker,
                libc,
                "posix_spawn_file_actions_addchdir_np",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        attributesInit = bind(linker, libc, "posix_spawnattr_init", onObject);
        attributesDestroy = bind(linker, libc, "posix_spawnattr_destroy", onObject);
        setFlags = bind(linker, libc, "posix_spawnattr_setflags", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_SHORT));
        var withSet = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
        setSigmask = bind(linker, libc, "posix_spawnattr_setsigmask", withSet);
        setSigdefault = bind(linker, libc, "posix_spawnattr_setsigdefault", withSet);
        sigemptyset = bind(linker, libc, "sigemptyset", onObject);
        sigfillset = bind(linker, libc, "sigfillset", onObject);
        strerror = bind(linker, libc, "strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    private static MethodHandle bind(
            Linker linker, SymbolLookup libc, String name, FunctionDescriptor signature, Linker.Option... options) {
        MemorySegment symbol =
                libc.find(name).orElseThrow(() -> new UnsupportedOperationException("the C library lacks " + name));
        return linker.downcallHandle(symbol, signature, options);
    }

    /**
     * The bindings, or why there are none: this is not Linux, the JVM may not call native code, or the C
     * library lacks a function (posix_spawn_file_actions_addclosefrom_np came with glibc 2.34).
     */
    static PosixSpawn load() {
        if (!System.getProperty("os.name", "").equals("Linux")) {
            throw new UnsupportedOperationException("not Linux");
        }
        Linker linker = Linker.nativeLinker();
        return new PosixSpawn(linker, linker.defaultLookup());
    }

    /**
     * Starts program in dir with exactly this environment, its stdin, stdout and stderr on pipes whose other
     * ends are returned. A file that is not a binary and has no "#!" line is run by /bin/sh, as execvp(3)
     * would.
     */
    Spawned start(Path program, Path dir, Map<String, String> environment) throws IOException {
        int[] in = pipe();
        int[] out = null;
        int[] err = null;
        FileOutputStream stdin = null;
        FileInputStream stdout = null;
        FileInputStream stderr = null;
        try {
            out = pipe();
            err = pipe();
            // The parent's ends become channels now, while both ends of each pipe are open (an open of a
            // pipe's read end waits for a writer); the originals are closed once the child has its own.
            stdin = new FileOutputStream(reopened(in[1]));
            stdout = new FileInputStream(reopened(out[0]));
            stderr = new FileInputStream(reopened(err[0]));
            int pid = spawn(program, dir, environment, in[0], out[1], err[1]);
            return new Spawned(pid, stdin, stdout, stderr);
        } catch (IOException | RuntimeException e) {
            Quietly.close(stdin);
            Quietly.close(stdout);
            Quietly.close(stderr);
            throw e;
        } finally {
            closeAll(in, out, err);
        }
    }

    private int spawn(Path program, Path dir, Map<String, String> environment, int stdin, int stdout, int stderr)
            throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(FILE_ACTIONS_BYTES, 16);
            MemorySegment attributes = arena.allocate(ATTRIBUTES_BYTES, 16);
            check("posix_spawn_file_actions_init", (int) actionsInit.invokeExact(actions));
            try {
                check("posix_spawnattr_init", (int) attributesInit.invokeExact(attributes));
                try {
                    check("adddup2", (int) addDup2.invokeExact(actions, stdin, 0));
                    check("adddup2", (int) addDup2.invokeExact(actions, stdout, 1));
                    check("adddup2", (int) addDup2.invokeExact(actions, stderr, 2));
                    // Nothing else of the server's reaches the program: not its sockets, not its files.
                    check("addclosefrom", (int) addClosefrom.invokeExact(actions, 3));
                    MemorySegment where = arena.allocateFrom(dir.toString());
                    check("addchdir", (int) addChdir.invokeExact(actions, where));
                    MemorySegment empty = arena.allocate(SIGSET_BYTES, 8);
                    MemorySegment all = arena.allocate(SIGSET_BYTES, 8);
                    check("sigemptyset", (int) sigemptyset.invokeExact(empty));
                    check("sigfillset", (int) sigfillset.invokeExact(all));
                    check("setsigmask", (int) setSigmask.invokeExact(attributes, empty));
                    check("setsigdefault", (int) setSigdefault.invokeExact(attributes, all));
                    short flags = POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
                    check("setflags", (int) setFlags.invokeExact(attributes, flags));
                    MemorySegment envp = strings(
                            arena,
                            environment.entrySet().stream()
                                    .map(e -> e.getKey() + "=" + e.getValue())
                                    .toList());
                    MemorySegment pid = arena.allocate(JAVA_INT);
                    String path = program.toString();
                    int failed = (int) spawn.invokeExact(
                            pid, arena.allocateFrom(path), actions, attributes, strings(arena, List.of(path)), envp);
                    if (failed == ENOEXEC) {
                        failed = (int) spawn.invokeExact(
                                pid,
                                arena.allocateFrom("/bin/sh"),
                                actions,
                                attributes,
                                strings(arena, List.of("/bin/sh", path)),
                                envp);
                    }
                    if (failed != 0) {
                        throw new IOException(program + ": " + describe(failed));
                    }
                    return pid.get(JAVA_INT, 0);
                } finally {
                    int ignored = (int) attributesDestroy.invokeExact(attributes);
                }
            } finally {
                int ignored = (int) actionsDestroy.invokeExact(actions);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("a native call failed", e);
        }
    }

    /** A NULL-terminated array of C strings. */
    private static MemorySegment strings(Arena arena, List<String> values) {
        MemorySegment array = arena.allocate(ADDRESS, values.size() + 1L);
        for (int i = 0; i < values.size(); i++) {
            array.setAtIndex(ADDRESS, i, arena.allocateFrom(values.get(i)));
        }
        array.setAtIndex(ADDRESS, values.size(), MemorySegment.NULL);
        return array;
    }

    /** The C library's text for an error number, as strerror(3) gives it. */
    private String describe(int errno) {
        try {
            MemorySegment text = (MemorySegment) strerror.invokeExact(errno);
            return text.reinterpret(256).getString(0);
        } catch (Throwable e) {
            return "error " + errno;
        }
    }

    private void check(String call, int result) throws IOException {
        if (result != 0) {
            throw new IOException(call + ": " + describe(result));
        }
    }

    /** A pipe whose two descriptors are closed on exec: [read end, write end]. */
    private int[] pipe() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            MemorySegment state = arena.allocate(CAPTURE);
            if ((int) pipe2.invokeExact(state, fds, O_CLOEXEC) != 0) {
                throw new IOException("pipe2: " + describe((int) ERRNO.get(state, 0L)));
            }
            return new int[] {fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1)};
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("a native call failed", e);
        }
    }

    /** Where the pipe end can be opened anew, as a descriptor of the JDK's own. */
    private static File reopened(int fd) {
        return new File("/proc/self/fd/" + fd);
    }

    private void closeAll(int[]... pipes) {
        for (int[] pipe : pipes) {
            if (pipe != null) {
                for (int fd : pipe) {
                    closeFd(fd);
                }
            }
        }
    }

    private void closeFd(int fd) {
        try {
            int ignored = (int) close.invokeExact(fd);
        } catch (Throwable e) {
            throw new IllegalStateException("close failed", e);
        }
    }

    /** Sends a signal to a process, or with a negative pid to a process group; false when none was there. */
    boolean kill(int pid, int signal) {
        try {
            return (int) kill.invokeExact(pid, signal) == 0;
        } catch (Throwable e) {
            throw new IllegalStateException("kill failed", e);
        }
    }

    /**
     * Reaps the child if it has exited: true once it is gone (reaped now, or already), false while it runs.
     * Only this child's status is taken, never another's.
     */
    boolean reap(int pid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(JAVA_INT);
            MemorySegment state = arena.allocate(CAPTURE);
            int result = (int) waitpid.invokeExact(state, pid, status, WNOHANG);
            return result == pid || (result < 0 && (int) ERRNO.get(state, 0L) == ECHILD);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("waitpid failed", e);
        }
    }
}

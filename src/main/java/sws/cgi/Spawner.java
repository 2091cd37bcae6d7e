package sws.cgi;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * How CGI programs are started, chosen once per server: one posix_spawn through java.lang.foreign where the C
 * library has everything it takes, else the JDK's ProcessBuilder. The system property {@code sws.cgi.spawn}
 * set to {@code processbuilder} chooses the second (the tests run the CGI suite both ways).
 */
final class Spawner {
    /** The property that forces ProcessBuilder. */
    static final String PROPERTY = "sws.cgi.spawn";

    private final PosixSpawn posix;
    private final String description;

    private Spawner(PosixSpawn posix, String description) {
        this.posix = posix;
        this.description = description;
    }

    static Spawner choose() {
        if ("processbuilder".equals(System.getProperty(PROPERTY))) {
            return new Spawner(null, "ProcessBuilder (chosen by -D" + PROPERTY + ")");
        }
        try {
            return new Spawner(PosixSpawn.load(), "posix_spawn");
        } catch (UnsupportedOperationException | IllegalCallerException | LinkageError e) {
            return new Spawner(null, "ProcessBuilder (posix_spawn unavailable: " + e.getMessage() + ")");
        }
    }

    Program start(Path script, Map<String, String> environment) throws IOException {
        return posix != null
                ? SpawnedProgram.start(posix, script, environment)
                : ProcessProgram.start(script, environment);
    }

    /** Which way programs start, for the -d output. */
    String description() {
        return description;
    }
}

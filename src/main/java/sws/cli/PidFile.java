package sws.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The file --pid-file names: written once the server listens, removed again on a graceful stop. */
final class PidFile {
    private final Path file;

    private PidFile(Path file) {
        this.file = file;
    }

    /** Writes this process's id to file; nothing when file is null. */
    static PidFile write(Path file) throws Failure {
        if (file != null) {
            try {
                Files.writeString(file, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new Failure("cannot write pid file " + file + ": " + e.getMessage());
            }
        }
        return new PidFile(file);
    }

    void delete() {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            System.err.println("sws: cannot remove pid file " + file + ": " + e.getMessage());
        }
    }
}

package sws;

import java.io.IOException;

/** Why a server could not start, as a user can act on it; the message names the cause in one line. */
public final class StartException extends IOException {
    /** What went wrong. */
    public enum Kind {
        /** Another program holds the port. */
        PORT_IN_USE,
        /** The address to listen on is not one of this host's. */
        ADDRESS_NOT_LOCAL,
        /** The access log file cannot be opened for appending. */
        LOG_FILE,
        /** A directory to serve (the docroot, the CGI directory) cannot be used. */
        DIRECTORY,
        /** The TLS certificate or key cannot be used. */
        TLS,
        /** The UNIX socket path cannot be listened on. */
        UNIX_SOCKET,
        /** A setting's value cannot be served with (a field sws owns, a fallback file that is missing). */
        SETTING,
        /** Anything else the system refused (out of descriptors, say). */
        OTHER
    }

    private final Kind kind;

    StartException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}

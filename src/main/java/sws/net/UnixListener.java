package sws.net;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;

/**
 * A UNIX-domain stream socket at a path (spec section 7.2): for a reverse proxy on the same host, with no
 * open port. The file is the server's while it runs and removed when it stops.
 */
public final class UnixListener extends Listener {
    /**
     * sun_path holds 108 bytes, the terminating NUL among them; the JDK keeps one more byte back, so 106 is
     * the longest path it binds.
     */
    static final int MAX_PATH_BYTES = 106;

    private static final int BACKLOG = 1024;
    private static final int TYPE_MASK = 0170000;
    private static final int SOCKET_TYPE = 0140000;

    private final Path path;

    private UnixListener(ServerSocketChannel channel, Path path) {
        super(channel);
        this.path = path;
    }

    /** Why a UNIX socket cannot be made at a path; the message is one line naming it. */
    public static final class Refused extends IOException {
        Refused(String message) {
            super(message, null);
        }
    }

    /**
     * Listens at path with the given permission bits. A socket file nothing accepts on (left by a server
     * that died) is replaced; a live one, or anything that is not a socket, is left alone and refused.
     */
    public static UnixListener bind(Path path, int mode) throws IOException {
        int length = path.toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_PATH_BYTES) {
            throw new Refused("cannot listen on " + path + ": the path is " + length
                    + " bytes, longer than a UNIX socket address holds (" + MAX_PATH_BYTES + ")");
        }
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            removeStale(path);
        }
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(UnixDomainSocketAddress.of(path), BACKLOG);
            Files.setPosixFilePermissions(path, permissions(mode));
            channel.configureBlocking(false);
            return new UnixListener(channel, path);
        } catch (IOException e) {
            channel.close();
            throw new Refused("cannot listen on " + path + ": " + reason(e));
        }
    }

    private static void removeStale(Path path) throws IOException {
        int fileMode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((fileMode & TYPE_MASK) != SOCKET_TYPE) {
            throw new Refused("cannot listen on " + path + ": it exists and is not a socket (left as it is)");
        }
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            throw new Refused("cannot listen on " + path + ": in use (another server accepts on it)");
        } catch (ConnectException stale) {
            Files.delete(path); // nothing accepts on it: what a server that died left behind
        } catch (Refused e) {
            throw e;
        } catch (IOException e) {
            throw new Refused("cannot listen on " + path + ": " + reason(e));
        }
    }

    private static String reason(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** The nine permission bits of an octal mode such as 0660. */
    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ
        };
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                set.add(order[bit]);
            }
        }
        return set;
    }

    public Path path() {
        return path;
    }

    @Override
    Peer peerOf(SocketChannel connection, boolean secure) {
        return Peer.unix(secure);
    }

    @Override
    public String describe() {
        return path.toString();
    }

    /** Stops listening and removes the socket file, if it is still a socket. */
    @Override
    public void close() {
        boolean wasOpen = channel.isOpen();
        super.close();
        if (!wasOpen) {
            return;
        }
        try {
            int fileMode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if ((fileMode & TYPE_MASK) == SOCKET_TYPE) {
                Files.delete(path);
            }
        } catch (IOException | RuntimeException e) {
            // gone already, or not ours to remove
        }
    }
}

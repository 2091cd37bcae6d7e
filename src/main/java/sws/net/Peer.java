package sws.net;

import java.net.InetSocketAddress;

/**
 * The two ends of a connection, in canonical text form (spec section 2), for the access log and CGI. The
 * text is made when first asked for: a connection that logs nothing and runs no program never needs it. A
 * client on a UNIX-domain socket is "unix:" with no port (spec section 7.2), unless a PROXY header named
 * the real one.
 */
public final class Peer {
    /** How a client on a UNIX-domain socket is written. */
    public static final String UNIX = "unix:";

    private final InetSocketAddress remote;
    private final InetSocketAddress local;
    private final boolean secure;
    private String address;
    private String localAddress;

    private Peer(InetSocketAddress remote, InetSocketAddress local, boolean secure) {
        this.remote = remote;
        this.local = local;
        this.secure = secure;
    }

    /** The ends of a TCP connection; secure when it speaks TLS. */
    static Peer tcp(InetSocketAddress remote, InetSocketAddress local, boolean secure) {
        return new Peer(remote, local, secure);
    }

    /** A client on a UNIX-domain socket: neither end has an address or a port. */
    static Peer unix(boolean secure) {
        return new Peer(null, null, secure);
    }

    /** Ends given as text already. */
    public Peer(String address, int port, String localAddress, int localPort, boolean secure) {
        this(
                InetSocketAddress.createUnresolved(address, port),
                InetSocketAddress.createUnresolved(localAddress, localPort),
                secure);
        this.address = address;
        this.localAddress = localAddress;
    }

    /** The same connection with the client a PROXY header names in place of the socket's peer. */
    Peer withClient(InetSocketAddress client) {
        return new Peer(client, local, secure);
    }

    /** The client's address, or "unix:". */
    public String address() {
        if (address == null) {
            address = remote == null ? UNIX : Addresses.text(remote.getAddress());
        }
        return address;
    }

    /** The client's port; -1 for a client on a UNIX-domain socket. */
    public int port() {
        return remote == null ? -1 : remote.getPort();
    }

    /** The server's address the client reached, or "unix:". */
    public String localAddress() {
        if (localAddress == null) {
            localAddress = local == null ? UNIX : Addresses.text(local.getAddress());
        }
        return localAddress;
    }

    /** The server's port the client reached; -1 on a UNIX-domain socket. */
    public int localPort() {
        return local == null ? -1 : local.getPort();
    }

    /** Whether the connection speaks TLS. */
    public boolean secure() {
        return secure;
    }
}

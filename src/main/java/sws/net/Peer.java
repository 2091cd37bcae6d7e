package sws.net;

import java.net.InetSocketAddress;

/**
 * The two ends of a connection, in canonical text form (spec section 2), for the access log and CGI. The
 * text is made when first asked for: a connection that logs nothing and runs no program never needs it.
 */
public final class Peer {
    private final InetSocketAddress remote;
    private final InetSocketAddress local;
    private String address;
    private String localAddress;

    /** The ends of a TCP connection. */
    Peer(InetSocketAddress remote, InetSocketAddress local) {
        this.remote = remote;
        this.local = local;
    }

    /** Ends given as text already. */
    public Peer(String address, int port, String localAddress, int localPort) {
        this(
                InetSocketAddress.createUnresolved(address, port),
                InetSocketAddress.createUnresolved(localAddress, localPort));
        this.address = address;
        this.localAddress = localAddress;
    }

    /** The client's address. */
    public String address() {
        if (address == null) {
            address = Addresses.text(remote.getAddress());
        }
        return address;
    }

    /** The client's port. */
    public int port() {
        return remote.getPort();
    }

    /** The server's address the client reached. */
    public String localAddress() {
        if (localAddress == null) {
            localAddress = Addresses.text(local.getAddress());
        }
        return localAddress;
    }

    /** The server's port the client reached. */
    public int localPort() {
        return local.getPort();
    }
}

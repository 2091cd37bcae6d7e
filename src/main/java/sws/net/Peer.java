package sws.net;

/**
 * The two ends of a connection, in canonical text form (spec section 2), for the access log and CGI.
 *
 * @param address the client's address
 * @param port the client's port
 * @param localAddress the server's address the client reached
 * @param localPort the server's port the client reached
 */
public record Peer(String address, int port, String localAddress, int localPort) {}

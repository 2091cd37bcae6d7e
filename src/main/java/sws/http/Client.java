package sws.http;

/**
 * The two ends of the connection a request came on, for handlers that pass them on (CGI).
 *
 * @param address the client's address in canonical text form
 * @param port the client's port
 * @param localAddress the server's address the client reached, canonical text
 * @param localPort the server's port the client reached
 */
public record Client(String address, int port, String localAddress, int localPort) {}

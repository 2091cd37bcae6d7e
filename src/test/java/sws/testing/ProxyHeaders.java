package sws.testing;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

/**
 * PROXY protocol headers (HAProxy's proxy-protocol.txt) written byte by byte for the tests: version 1 lines,
 * and version 2 headers from their fields, so that a test can get every field right, or one of them wrong.
 */
public final class ProxyHeaders {
    /** The 12 bytes that begin every version 2 header (proxy-protocol.txt section 2.2). */
    public static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    /** Version 2 and a command: PROXY (a client is named) or LOCAL (a balancer's own connection). */
    public static final int PROXY = 0x21;

    public static final int LOCAL = 0x20;

    /** Family and transport: TCP over IPv4 or IPv6, a stream over AF_UNIX, nothing specified. */
    public static final int TCP4 = 0x11;

    public static final int TCP6 = 0x21;
    public static final int UNIX_STREAM = 0x31;
    public static final int UNSPEC = 0x00;

    private ProxyHeaders() {}

    /** A version 1 line: the text given and CRLF. */
    public static byte[] v1(String line) {
        return (line + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A version 2 header: signature, version and command, family and transport, length, payload. */
    public static byte[] v2(int versionCommand, int familyTransport, byte[] payload) {
        return concat(
                SIGNATURE, bytes(versionCommand, familyTransport, payload.length >> 8, payload.length & 0xff), payload);
    }

    /**
     * Source address, destination address, source port, destination port, as version 2 writes them: 4 bytes
     * an address for IPv4, 16 for IPv6 (an IPv4 address given with "::ffff:" in front is written mapped).
     */
    public static byte[] addresses(String source, String destination, int sourcePort, int destinationPort) {
        int size = source.contains(":") ? 16 : 4;
        return concat(
                raw(source, size),
                raw(destination, size),
                bytes(sourcePort >> 8, sourcePort & 0xff, destinationPort >> 8, destinationPort & 0xff));
    }

    /** Two 108-byte sun_path fields, the source a balancer's socket, the destination empty. */
    public static byte[] unixAddresses() {
        byte[] b = new byte[216];
        byte[] source = "/run/balancer.sock".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(source, 0, b, 0, source.length);
        return b;
    }

    /** PP2_TYPE_ALPN "h2", PP2_TYPE_AUTHORITY "example.com", PP2_TYPE_UNIQUE_ID, an empty PP2_TYPE_NOOP. */
    public static byte[] tlvs() {
        return concat(
                bytes(0x01, 0, 2, 'h', '2'),
                bytes(0x02, 0, 11),
                "example.com".getBytes(StandardCharsets.US_ASCII),
                bytes(0x05, 0, 4, 1, 2, 3, 4),
                bytes(0x04, 0, 0));
    }

    /** One PP2_TYPE_NOOP TLV of this many bytes in all, its own three included. */
    public static byte[] noop(int total) {
        byte[] b = new byte[total];
        b[0] = 0x04;
        b[1] = (byte) ((total - 3) >> 8);
        b[2] = (byte) (total - 3);
        return b;
    }

    public static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    public static byte[] concat(byte[]... parts) {
        var out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] raw(String address, int size) {
        byte[] b = InetAddress.ofLiteral(address).getAddress();
        if (b.length == size) {
            return b;
        }
        if (size != 16) {
            throw new IllegalArgumentException(address + " is not an IPv4 address");
        }
        byte[] mapped = new byte[16]; // the JDK gives an IPv4-mapped literal back as IPv4: map it again
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(b, 0, mapped, 12, 4);
        return mapped;
    }
}

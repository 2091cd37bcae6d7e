package sws.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * The PROXY protocol header (HAProxy's proxy-protocol.txt, versions 1 and 2) that a balancer sends before
 * anything else on a connection, naming the client it accepted. Parsed from the bytes received so far,
 * whole each time: the header is small and bounded, so a byte arriving at a time costs nothing, and the
 * answer never depends on how the bytes were split.
 */
public final class ProxyHeader {
    /** The longest version 1 line, CRLF included (the specification's own bound). */
    static final int MAX_V1 = 107;

    /** The most a version 2 header may announce after its 16 fixed bytes; more is refused, not awaited. */
    static final int MAX_V2_PAYLOAD = 2048;

    /** The longest header of either version this server accepts. */
    static final int MAX_LENGTH = 16 + MAX_V2_PAYLOAD;

    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final byte[] V1_PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    private static final Pattern HEX_GROUP = Pattern.compile("[0-9A-Fa-f]{0,4}");

    /** What the bytes so far make of a header. */
    public sealed interface Result {}

    /** More bytes are needed. */
    public record Incomplete() implements Result {}

    /** Not a header this server accepts; the reason is for diagnostics only. */
    public record Invalid(String reason) implements Result {}

    /**
     * A whole header of the given length; the client is the source it names, or null to keep the peer the
     * socket shows (a version 2 LOCAL header, a balancer's health check; version 1 UNKNOWN; an unspecified
     * family).
     */
    public record Parsed(int length, InetSocketAddress client) implements Result {}

    private static final Incomplete INCOMPLETE = new Incomplete();

    private ProxyHeader() {}

    /** The header in bytes[0, length): whole, incomplete, or refused. Never guesses that there is none. */
    public static Result parse(byte[] bytes, int length) {
        if (length == 0) {
            return INCOMPLETE;
        }
        if (bytes[0] == V2_SIGNATURE[0]) {
            return version2(bytes, length);
        }
        if (bytes[0] == 'P') {
            return version1(bytes, length);
        }
        return new Invalid("no PROXY header");
    }

    // ---- version 1: "PROXY TCP4 192.0.2.1 198.51.100.1 56324 443\r\n"

    private static Result version1(byte[] b, int length) {
        int prefix = Math.min(length, V1_PREFIX.length);
        for (int i = 0; i < prefix; i++) {
            if (b[i] != V1_PREFIX[i]) {
                return new Invalid("not a PROXY line");
            }
        }
        int lf = -1;
        for (int i = 0; i < Math.min(length, MAX_V1); i++) {
            if (b[i] == '\n') {
                lf = i;
                break;
            }
        }
        if (lf < 0) {
            return length >= MAX_V1 ? new Invalid("PROXY line longer than " + MAX_V1 + " bytes") : INCOMPLETE;
        }
        if (lf < V1_PREFIX.length || b[lf - 1] != '\r') {
            return new Invalid("PROXY line not ended by CRLF");
        }
        for (int i = 0; i < lf - 1; i++) {
            if (b[i] < 0x20 || b[i] >= 0x7f) {
                return new Invalid("control or non-ASCII byte in the PROXY line");
            }
        }
        String[] words =
                new String(b, V1_PREFIX.length, lf - 1 - V1_PREFIX.length, StandardCharsets.US_ASCII).split(" ", -1);
        int total = lf + 1;
        if (words[0].equals("UNKNOWN")) {
            return new Parsed(total, null); // the rest of the line is to be ignored
        }
        if (words.length != 5 || !(words[0].equals("TCP4") || words[0].equals("TCP6"))) {
            return new Invalid("malformed PROXY line");
        }
        boolean v6 = words[0].equals("TCP6");
        InetAddress source = literal(words[1], v6);
        InetAddress destination = literal(words[2], v6);
        int sourcePort = port(words[3]);
        int destinationPort = port(words[4]);
        if (source == null || destination == null || sourcePort < 0 || destinationPort < 0) {
            return new Invalid("malformed address or port in the PROXY line");
        }
        return new Parsed(total, new InetSocketAddress(source, sourcePort));
    }

    /** An address of the family given, written as a literal: never a name to look up. */
    private static InetAddress literal(String text, boolean v6) {
        if (v6 && !ipv6Groups(text)) {
            return null;
        }
        InetAddress address = Addresses.literal(text);
        return address != null && (text.indexOf(':') >= 0) == v6 ? address : null;
    }

    /**
     * Whether an IPv6 address is written in groups of at most four hexadecimal digits, the last of them
     * perhaps a dotted quad (RFC 4291 section 2.2). Inet6Address.ofLiteral alone also takes "[2001:db8::7]",
     * "::00007" and "::ffff:192.0.2.07", none of which a PROXY line may carry (found by ProxyHeaderTest).
     */
    private static boolean ipv6Groups(String text) {
        String[] groups = text.split(":", -1);
        for (int i = 0; i < groups.length; i++) {
            String group = groups[i];
            boolean quad = i == groups.length - 1 && group.indexOf('.') >= 0;
            if (quad
                    ? Addresses.literal(group) == null
                    : !HEX_GROUP.matcher(group).matches()) {
                return false;
            }
        }
        return true;
    }

    /** A port of 1 to 5 digits up to 65535, without a sign or leading zeros; -1 for anything else. */
    private static int port(String text) {
        if (text.isEmpty() || text.length() > 5 || (text.length() > 1 && text.charAt(0) == '0')) {
            return -1;
        }
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n <= 65535 ? n : -1;
    }

    // ---- version 2: the 12-byte signature, version and command, family, length, addresses, TLVs

    private static Result version2(byte[] b, int length) {
        int prefix = Math.min(length, V2_SIGNATURE.length);
        for (int i = 0; i < prefix; i++) {
            if (b[i] != V2_SIGNATURE[i]) {
                return new Invalid("not a PROXY v2 signature");
            }
        }
        if (length < 16) {
            return INCOMPLETE;
        }
        int version = (b[12] & 0xf0) >> 4;
        int command = b[12] & 0x0f;
        int family = (b[13] & 0xf0) >> 4;
        int transport = b[13] & 0x0f;
        int payload = ((b[14] & 0xff) << 8) | (b[15] & 0xff);
        if (version != 2 || command > 1) {
            return new Invalid("unknown PROXY v2 version or command");
        }
        if (payload > MAX_V2_PAYLOAD) {
            return new Invalid("PROXY v2 header larger than " + (16 + MAX_V2_PAYLOAD) + " bytes");
        }
        if (family > 3 || transport > 2) {
            return new Invalid("unknown PROXY v2 family or transport");
        }
        if (length < 16 + payload) {
            return INCOMPLETE;
        }
        int total = 16 + payload;
        if (command == 0 || family == 0) {
            return new Parsed(total, null); // LOCAL (a health check), or no address given: keep the peer
        }
        if (transport != 1) {
            return new Invalid("PROXY v2 header for a transport other than a stream");
        }
        return switch (family) {
            case 1 -> address(b, payload, 4, total);
            case 2 -> address(b, payload, 16, total);
            default -> payload >= 216 ? new Parsed(total, null) : new Invalid("short PROXY v2 UNIX addresses");
        };
    }

    /** Source address and port from a TCP over IPv4 or IPv6 block; TLVs after it are skipped unread. */
    private static Result address(byte[] b, int payload, int size, int total) {
        if (payload < 2 * size + 4) {
            return new Invalid("PROXY v2 addresses shorter than their family needs");
        }
        byte[] source = new byte[size];
        System.arraycopy(b, 16, source, 0, size);
        int port = ((b[16 + 2 * size] & 0xff) << 8) | (b[17 + 2 * size] & 0xff);
        try {
            return new Parsed(total, new InetSocketAddress(InetAddress.getByAddress(source), port));
        } catch (UnknownHostException e) {
            return new Invalid("bad PROXY v2 address");
        }
    }
}

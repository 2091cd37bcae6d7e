package sws.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The peers allowed to connect when every connection must begin with a PROXY header (--trusted-proxy):
 * address ranges in CIDR notation, and "unix" for the UNIX-domain socket. Anyone else could name any
 * client it liked, so it is not let in at all.
 */
public final class TrustedProxies {
    /** Loopback, both families, and the UNIX socket: a balancer on the same host. */
    public static final TrustedProxies DEFAULT = parse("127.0.0.0/8,::1/128,unix");

    private record Range(byte[] network, int bits) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int whole = bits / 8;
            for (int i = 0; i < whole; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = bits % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (address[whole] & mask) == (network[whole] & mask);
        }
    }

    private final List<Range> ranges;
    private final boolean unix;

    private TrustedProxies(List<Range> ranges, boolean unix) {
        this.ranges = ranges;
        this.unix = unix;
    }

    /**
     * "CIDR[,CIDR…]", each an IPv4 or IPv6 address with an optional /bits (a single address without it), or
     * "unix". IllegalArgumentException with a one-line reason for anything else.
     */
    public static TrustedProxies parse(String list) {
        List<Range> ranges = new ArrayList<>();
        boolean unix = false;
        for (String item : list.split(",", -1)) {
            String text = item.trim();
            if (text.equals("unix")) {
                unix = true;
                continue;
            }
            int slash = text.indexOf('/');
            String host = slash < 0 ? text : text.substring(0, slash);
            InetAddress literal = Addresses.literal(host);
            if (literal == null) {
                throw new IllegalArgumentException("not an address range: '" + text + "'");
            }
            byte[] network = literal.getAddress();
            int bits = network.length * 8;
            if (slash >= 0) {
                String count = text.substring(slash + 1);
                if (!count.matches("[0-9]{1,3}") || Integer.parseInt(count) > network.length * 8) {
                    throw new IllegalArgumentException("not an address range: '" + text + "'");
                }
                bits = Integer.parseInt(count);
            }
            ranges.add(new Range(network, bits));
        }
        return new TrustedProxies(List.copyOf(ranges), unix);
    }

    /** Whether a peer at this socket address may connect. */
    boolean allows(SocketAddress peer) {
        if (peer instanceof UnixDomainSocketAddress) {
            return unix;
        }
        if (peer instanceof InetSocketAddress inet && inet.getAddress() != null) {
            byte[] bytes = inet.getAddress().getAddress(); // the JDK makes an IPv4-mapped peer an IPv4 one
            for (Range range : ranges) {
                if (range.contains(bytes)) {
                    return true;
                }
            }
        }
        return false;
    }
}

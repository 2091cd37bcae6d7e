package sws.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/** Client addresses in their canonical text form (spec section 2). */
public final class Addresses {
    private Addresses() {}

    /**
     * IPv4 as dotted quad (an IPv4-mapped IPv6 address included), IPv6 compressed as RFC 5952 section 4
     * says: lower case, no leading zeros, the longest run of two or more zero groups as "::".
     */
    public static String text(InetAddress address) {
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        byte[] b = address.getAddress();
        if (isV4Mapped(b)) {
            return (b[12] & 0xff) + "." + (b[13] & 0xff) + "." + (b[14] & 0xff) + "." + (b[15] & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        if (address instanceof Inet6Address v6 && v6.getScopeId() != 0) {
            sb.append('%').append(v6.getScopeId());
        }
        return sb.toString();
    }

    /**
     * The address an IPv4 dotted quad (four decimal numbers up to 255, without leading zeros, which some
     * read as octal) or an IPv6 literal (without brackets or a zone) stands for; null for anything else.
     * Parsed, never looked up: InetAddress.getByName would take whatever is not a literal for a host name.
     */
    public static InetAddress literal(String text) {
        if (text.isEmpty() || text.length() > 45) {
            return null;
        }
        try {
            if (text.indexOf(':') >= 0) {
                return text.indexOf('%') < 0 ? Inet6Address.ofLiteral(text) : null;
            }
            if (!text.matches("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}")) {
                return null;
            }
            return Inet4Address.ofLiteral(text); // refuses a number over 255
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }
}

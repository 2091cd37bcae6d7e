package sws.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Spec section 2: a client address in its canonical text form (RFC 5952 for IPv6). */
class AddressesTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # written                                | canonical
            127.0.0.1                                | 127.0.0.1
            10.20.30.40                              | 10.20.30.40
            0:0:0:0:0:0:0:1                          | ::1
            ::1                                      | ::1
            0:0:0:0:0:0:0:0                          | ::
            2001:db8:0:0:0:0:0:1                     | 2001:db8::1
            2001:0db8:0000:0000:0000:0000:0000:0001  | 2001:db8::1
            2001:db8:0:0:1:0:0:1                     | 2001:db8::1:0:0:1
            2001:db8:0:0:0:0:2:1                     | 2001:db8::2:1
            2001:db8:0:1:1:1:1:1                     | 2001:db8:0:1:1:1:1:1
            2001:0:0:1:0:0:0:1                       | 2001:0:0:1::1
            2001:db8:1:0:0:0:0:0                     | 2001:db8:1::
            0:0:0:0:1:0:0:0                          | ::1:0:0:0
            2001:DB8:ABCD:EF01:0:0:0:AAAA            | 2001:db8:abcd:ef01::aaaa
            2001:db8:00ff:0f00:000a:1:1:1            | 2001:db8:ff:f00:a:1:1:1
            fe80:0:0:0:0:0:0:1                       | fe80::1
            """)
    void canonicalText(String written, String canonical) throws UnknownHostException {
        assertThat(Addresses.text(InetAddress.getByName(written))).isEqualTo(canonical);
    }

    @Test
    void ipv4MappedIpv6AddressIsWrittenAsIpv4() throws UnknownHostException {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1};
        // Inet6Address.getByAddress keeps the IPv6 form that an IPv6 socket reports for an IPv4 client.
        InetAddress address = Inet6Address.getByAddress(null, mapped, -1);
        assertThat(address).isInstanceOf(Inet6Address.class);
        assertThat(Addresses.text(address)).isEqualTo("127.0.0.1");
    }

    @Test
    void ipv4MappedLiteralIsWrittenAsIpv4() throws UnknownHostException {
        assertThat(Addresses.text(InetAddress.getByName("::ffff:127.0.0.1"))).isEqualTo("127.0.0.1");
    }

    @Test
    void ipv4CompatibleLookingAddressStaysIpv6() throws UnknownHostException {
        // ::7f00:1 is not IPv4-mapped (no ffff group): it must not be mistaken for 127.0.0.1.
        byte[] bytes = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 127, 0, 0, 1};
        assertThat(Addresses.text(Inet6Address.getByAddress(null, bytes, -1))).isEqualTo("::7f00:1");
    }

    /**
     * Literals only, never a lookup: "256.1.1.1" and ".1:2" once went to InetAddress.getByName, which took
     * them for host names and asked the resolver (on an event loop, for a PROXY header); "01.2.3.4" was read
     * as 1.2.3.4 where others read octal.
     */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "256.1.1.1",
                "01.2.3.4",
                "1.2.3",
                "1.2.3.4.5",
                "1.2.3.04",
                "localhost",
                "example.com",
                ".1:2",
                "1:2:3:4:5:6:7:8:9",
                "fe80::1%1",
                "::g",
                ""
            })
    void anythingButALiteralIsNoAddress(String text) {
        assertThat(Addresses.literal(text)).isNull();
    }

    @ParameterizedTest
    @CsvSource({
        "1.2.3.4, 1.2.3.4",
        "0.0.0.0, 0.0.0.0",
        "255.255.255.255, 255.255.255.255",
        "::1, ::1",
        "2001:DB8::1, 2001:db8::1",
        "::ffff:10.0.0.1, 10.0.0.1"
    })
    void literalsAreParsed(String text, String canonical) {
        assertThat(Addresses.text(Addresses.literal(text))).isEqualTo(canonical);
    }
}

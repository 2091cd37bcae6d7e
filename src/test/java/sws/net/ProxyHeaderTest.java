package sws.net;

import static org.assertj.core.api.Assertions.assertThat;
import static sws.testing.ProxyHeaders.LOCAL;
import static sws.testing.ProxyHeaders.PROXY;
import static sws.testing.ProxyHeaders.SIGNATURE;
import static sws.testing.ProxyHeaders.TCP4;
import static sws.testing.ProxyHeaders.TCP6;
import static sws.testing.ProxyHeaders.UNIX_STREAM;
import static sws.testing.ProxyHeaders.UNSPEC;
import static sws.testing.ProxyHeaders.addresses;
import static sws.testing.ProxyHeaders.bytes;
import static sws.testing.ProxyHeaders.concat;
import static sws.testing.ProxyHeaders.noop;
import static sws.testing.ProxyHeaders.tlvs;
import static sws.testing.ProxyHeaders.unixAddresses;
import static sws.testing.ProxyHeaders.v2;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import sws.net.ProxyHeader.Incomplete;
import sws.net.ProxyHeader.Invalid;
import sws.net.ProxyHeader.Parsed;
import sws.net.ProxyHeader.Result;

/**
 * Spec section 7.3, the header itself: {@link ProxyHeader#parse} on versions 1 and 2 as HAProxy's
 * proxy-protocol.txt defines them, what it accepts and the client it names, what it refuses, and that a
 * header is never taken for whole, nor refused, before its last byte; nor awaited past its bounds.
 */
class ProxyHeaderTest {
    /** What a request after the header looks like: never part of it. */
    private static final byte[] REQUEST = ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n");

    private static final String LONGEST_V6 = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";

    // ---- version 1 accepted

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # line, CRLF left out                                           | client           | port
            PROXY TCP4 192.0.2.7 192.0.2.1 51234 80                         | 192.0.2.7        | 51234
            PROXY TCP4 0.0.0.0 255.255.255.255 0 65535                      | 0.0.0.0          | 0
            PROXY TCP4 255.255.255.255 0.0.0.0 65535 1                      | 255.255.255.255  | 65535
            PROXY TCP4 10.0.0.1 10.0.0.2 1 2                                | 10.0.0.1         | 1
            PROXY TCP6 2001:db8::7 2001:db8::1 51234 443                    | 2001:db8::7      | 51234
            PROXY TCP6 ::1 ::1 1 2                                          | ::1              | 1
            PROXY TCP6 :: :: 0 0                                            | ::               | 0
            PROXY TCP6 2001:DB8:0:0:0:0:0:7 2001:db8::1 80 81               | 2001:db8::7      | 80
            PROXY TCP6 2001:0db8:0000:0000:0000:0000:0000:0007 ::1 80 81    | 2001:db8::7      | 80
            PROXY TCP6 fe80::1 fe80::2 80 81                                | fe80::1          | 80
            PROXY TCP6 ::ffff:192.0.2.7 ::ffff:192.0.2.1 80 81              | 192.0.2.7        | 80
            """)
    void aVersion1LineNamesItsSourceAsTheClient(String line, String client, int port) {
        byte[] header = ascii(line + "\r\n");
        assertThat(parse(header)).isEqualTo(new Parsed(header.length, at(client, port)));
    }

    @Test
    void theLongestTcp6LineIsAccepted() {
        byte[] header = ascii("PROXY TCP6 " + LONGEST_V6 + " " + LONGEST_V6 + " 65535 65535\r\n");
        assertThat(header).hasSize(104); // proxy-protocol.txt section 2.1's worst case for TCP6
        assertThat(parse(header)).isEqualTo(new Parsed(104, at(LONGEST_V6, 65535)));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "PROXY UNKNOWN",
                "PROXY UNKNOWN 192.0.2.7 192.0.2.1 51234 80",
                "PROXY UNKNOWN anything at all, which the receiver ignores",
                "PROXY UNKNOWN 256.1.1.1 x y z w v"
            })
    void aVersion1UnknownLineKeepsThePeer(String line) {
        byte[] header = ascii(line + "\r\n");
        assertThat(parse(header)).isEqualTo(new Parsed(header.length, null));
    }

    @Test
    void theLongestUnknownLineOf107BytesIsAccepted() {
        byte[] header = ascii("PROXY UNKNOWN " + LONGEST_V6 + " " + LONGEST_V6 + " 65535 65535\r\n");
        assertThat(header).hasSize(ProxyHeader.MAX_V1);
        assertThat(parse(header)).isEqualTo(new Parsed(ProxyHeader.MAX_V1, null));
    }

    @Test
    void theRequestAfterAVersion1LineIsNotPartOfIt() {
        byte[] header = ascii("PROXY TCP4 192.0.2.7 192.0.2.1 51234 80\r\n");
        assertThat(parse(concat(header, REQUEST))).isEqualTo(new Parsed(header.length, at("192.0.2.7", 51234)));
    }

    // ---- version 1 refused

    static Stream<Arguments> malformedVersion1Lines() {
        String ok = "192.0.2.7 192.0.2.1 51234 80";
        return Stream.of(
                // the keyword and the protocol, as written
                Arguments.of("lower-case keyword", "proxy TCP4 " + ok + "\r\n"),
                Arguments.of("mixed-case keyword", "Proxy TCP4 " + ok + "\r\n"),
                Arguments.of("lower-case protocol", "PROXY tcp4 " + ok + "\r\n"),
                Arguments.of("lower-case unknown", "PROXY unknown\r\n"),
                Arguments.of("a protocol other than TCP", "PROXY UDP4 " + ok + "\r\n"),
                Arguments.of("TCP5", "PROXY TCP5 " + ok + "\r\n"),
                Arguments.of("no protocol", "PROXY \r\n"),
                Arguments.of("no space after the keyword", "PROXY\r\n"),
                Arguments.of("keyword run into the protocol", "PROXYTCP4 " + ok + "\r\n"),
                Arguments.of("UNKNOWN run into more", "PROXY UNKNOWNX\r\n"),
                // separators
                Arguments.of("two spaces after the keyword", "PROXY  TCP4 " + ok + "\r\n"),
                Arguments.of("two spaces between addresses", "PROXY TCP4 192.0.2.7  192.0.2.1 51234 80\r\n"),
                Arguments.of("a trailing space", "PROXY TCP4 " + ok + " \r\n"),
                Arguments.of("a tab after the keyword", "PROXY\tTCP4 " + ok + "\r\n"),
                Arguments.of("a tab between ports", "PROXY TCP4 192.0.2.7 192.0.2.1 51234\t80\r\n"),
                Arguments.of("a comma between addresses", "PROXY TCP4 192.0.2.7,192.0.2.1 51234 80\r\n"),
                Arguments.of("a port after a colon", "PROXY TCP4 192.0.2.7:51234 192.0.2.1:80\r\n"),
                // words missing or too many
                Arguments.of("no destination port", "PROXY TCP4 192.0.2.7 192.0.2.1 51234\r\n"),
                Arguments.of("no ports", "PROXY TCP4 192.0.2.7 192.0.2.1\r\n"),
                Arguments.of("no addresses", "PROXY TCP4\r\n"),
                Arguments.of("a sixth word", "PROXY TCP4 " + ok + " 90\r\n"),
                // line ends
                Arguments.of("LF without CR", "PROXY TCP4 " + ok + "\n"),
                Arguments.of("UNKNOWN with LF without CR", "PROXY UNKNOWN\n"),
                Arguments.of("CR without LF, then a request", "PROXY TCP4 " + ok + "\rGET / HTTP/1.1\r\n"),
                Arguments.of("CR CR LF", "PROXY TCP4 " + ok + "\r\r\n"),
                Arguments.of("a NUL in the line", "PROXY TCP4 192.0.2.7\0 192.0.2.1 51234 80\r\n"),
                Arguments.of("a NUL in an UNKNOWN line", "PROXY UNKNOWN \0\r\n"),
                Arguments.of("DEL in the line", "PROXY TCP4 " + ok + "\u007f\r\n"),
                Arguments.of("a non-ASCII byte", "PROXY TCP4 192.0.2.7 192.0.2.1 5123\u00b94 80\r\n"),
                Arguments.of("a vertical tab", "PROXY TCP4 192.0.2.7\u000b192.0.2.1 51234 80\r\n"),
                // IPv4 addresses
                Arguments.of("a quad over 255", "PROXY TCP4 256.1.1.1 192.0.2.1 51234 80\r\n"),
                Arguments.of("a destination over 255", "PROXY TCP4 192.0.2.7 192.0.2.256 51234 80\r\n"),
                Arguments.of("a leading zero", "PROXY TCP4 192.0.2.07 192.0.2.1 51234 80\r\n"),
                Arguments.of("an octal-looking quad", "PROXY TCP4 010.0.0.1 192.0.2.1 51234 80\r\n"),
                Arguments.of("three parts", "PROXY TCP4 192.0.7 192.0.2.1 51234 80\r\n"),
                Arguments.of("five parts", "PROXY TCP4 192.0.2.7.1 192.0.2.1 51234 80\r\n"),
                Arguments.of("a single number", "PROXY TCP4 3221225991 192.0.2.1 51234 80\r\n"),
                Arguments.of("hexadecimal", "PROXY TCP4 0xc0.0.2.7 192.0.2.1 51234 80\r\n"),
                Arguments.of("a trailing dot", "PROXY TCP4 192.0.2.7. 192.0.2.1 51234 80\r\n"),
                Arguments.of("an empty part", "PROXY TCP4 192..2.7 192.0.2.1 51234 80\r\n"),
                Arguments.of("a sign", "PROXY TCP4 +192.0.2.7 192.0.2.1 51234 80\r\n"),
                Arguments.of("a prefix length", "PROXY TCP4 192.0.2.7/32 192.0.2.1 51234 80\r\n"),
                Arguments.of("a host name", "PROXY TCP4 localhost 192.0.2.1 51234 80\r\n"),
                Arguments.of("a domain name", "PROXY TCP4 example.com 192.0.2.1 51234 80\r\n"),
                // the family against the addresses
                Arguments.of("TCP4 with IPv6 addresses", "PROXY TCP4 2001:db8::7 2001:db8::1 51234 80\r\n"),
                Arguments.of("TCP4 with an IPv6 destination", "PROXY TCP4 192.0.2.7 ::1 51234 80\r\n"),
                Arguments.of("TCP6 with IPv4 addresses", "PROXY TCP6 " + ok + "\r\n"),
                Arguments.of("TCP6 with an IPv4 source", "PROXY TCP6 192.0.2.7 2001:db8::1 51234 80\r\n"),
                // IPv6 addresses
                Arguments.of("IPv6 in brackets", "PROXY TCP6 [2001:db8::7] [2001:db8::1] 51234 80\r\n"),
                Arguments.of("IPv6 with a zone", "PROXY TCP6 fe80::1%eth0 fe80::2 51234 80\r\n"),
                Arguments.of("IPv6 with :::", "PROXY TCP6 2001:db8:::7 2001:db8::1 51234 80\r\n"),
                Arguments.of("IPv6 with two ::", "PROXY TCP6 2001::db8::7 2001:db8::1 51234 80\r\n"),
                Arguments.of("IPv6 with nine groups", "PROXY TCP6 1:2:3:4:5:6:7:8:9 2001:db8::1 51234 80\r\n"),
                Arguments.of("IPv6 with a group over ffff", "PROXY TCP6 2001:db8::10000 2001:db8::1 51234 80\r\n"),
                Arguments.of("IPv6 with a 5-digit group", "PROXY TCP6 2001:db8::00007 2001:db8::1 51234 80\r\n"),
                Arguments.of("IPv6 with a long group", "PROXY TCP6 ::000000001 2001:db8::1 51234 80\r\n"),
                Arguments.of("IPv6 with a non-hex digit", "PROXY TCP6 2001:dg8::7 2001:db8::1 51234 80\r\n"),
                Arguments.of("an embedded quad over 255", "PROXY TCP6 ::ffff:192.0.2.256 ::1 51234 80\r\n"),
                Arguments.of("an embedded quad with a leading zero", "PROXY TCP6 ::ffff:192.0.2.07 ::1 51234 80\r\n"),
                // ports
                Arguments.of("a port with a leading zero", "PROXY TCP4 192.0.2.7 192.0.2.1 051234 80\r\n"),
                Arguments.of("port 00", "PROXY TCP4 192.0.2.7 192.0.2.1 00 80\r\n"),
                Arguments.of("port 65536", "PROXY TCP4 192.0.2.7 192.0.2.1 65536 80\r\n"),
                Arguments.of("port 99999", "PROXY TCP4 192.0.2.7 192.0.2.1 99999 80\r\n"),
                Arguments.of("a six-digit port", "PROXY TCP4 192.0.2.7 192.0.2.1 100000 80\r\n"),
                Arguments.of("a port that overflows an int", "PROXY TCP4 192.0.2.7 192.0.2.1 4294967377 80\r\n"),
                Arguments.of("a negative port", "PROXY TCP4 192.0.2.7 192.0.2.1 -1 80\r\n"),
                Arguments.of("a port with a plus", "PROXY TCP4 192.0.2.7 192.0.2.1 +80 80\r\n"),
                Arguments.of("a hexadecimal port", "PROXY TCP4 192.0.2.7 192.0.2.1 0x50 80\r\n"),
                Arguments.of("a letter in a port", "PROXY TCP4 192.0.2.7 192.0.2.1 8O 80\r\n"),
                Arguments.of("a destination port over 65535", "PROXY TCP4 192.0.2.7 192.0.2.1 80 65536\r\n"),
                // too long
                Arguments.of("a 108-byte line", "PROXY UNKNOWN " + LONGEST_V6 + " " + LONGEST_V6 + " 65535 65535x\r\n"),
                Arguments.of("a TCP4 line padded past 107 bytes", "PROXY TCP4 " + ok + "x".repeat(80) + "\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedVersion1Lines")
    void aMalformedVersion1LineIsRefused(String description, String line) {
        assertThat(parse(latin1(line))).isInstanceOf(Invalid.class);
    }

    @Test
    void aVersion1LineOf107BytesWithoutCrlfIsRefusedWithoutWaitingForMore() {
        byte[] line = ascii("PROXY UNKNOWN " + "x".repeat(200));
        assertThat(ProxyHeader.parse(line, ProxyHeader.MAX_V1 - 1)).isInstanceOf(Incomplete.class);
        assertThat(ProxyHeader.parse(line, ProxyHeader.MAX_V1)).isInstanceOf(Invalid.class);
        assertThat(parse(line)).isInstanceOf(Invalid.class);
    }

    @Test
    void aCrlfJustPastThe107thByteComesTooLate() {
        byte[] line = ascii("PROXY UNKNOWN " + "x".repeat(ProxyHeader.MAX_V1 - 15) + "\r\n");
        assertThat(line).hasSize(ProxyHeader.MAX_V1 + 1);
        assertThat(parse(line)).isInstanceOf(Invalid.class);
    }

    // ---- version 2 accepted

    static Stream<Arguments> validVersion2Headers() {
        return Stream.of(
                Arguments.of("PROXY TCP over IPv4", v2(PROXY, TCP4, inet4()), at("192.0.2.7", 51234)),
                Arguments.of("PROXY TCP over IPv6", v2(PROXY, TCP6, inet6()), at("2001:db8::7", 51234)),
                Arguments.of(
                        "PROXY TCP over IPv4, ports 0 and 65535",
                        v2(PROXY, TCP4, addresses("192.0.2.7", "192.0.2.1", 0, 65535)),
                        at("192.0.2.7", 0)),
                Arguments.of(
                        "PROXY TCP over IPv4, port 65535",
                        v2(PROXY, TCP4, addresses("255.255.255.255", "0.0.0.0", 65535, 0)),
                        at("255.255.255.255", 65535)),
                Arguments.of(
                        "PROXY TCP over IPv6, an IPv4-mapped source",
                        v2(PROXY, TCP6, addresses("::ffff:192.0.2.7", "::1", 80, 81)),
                        at("192.0.2.7", 80)),
                Arguments.of(
                        "PROXY TCP over IPv4 with TLVs",
                        v2(PROXY, TCP4, concat(inet4(), tlvs())),
                        at("192.0.2.7", 51234)),
                Arguments.of(
                        "PROXY TCP over IPv6 with TLVs",
                        v2(PROXY, TCP6, concat(inet6(), tlvs())),
                        at("2001:db8::7", 51234)),
                Arguments.of(
                        "PROXY TCP over IPv4 with a TLV that lies about its length (TLVs are not read)",
                        v2(PROXY, TCP4, concat(inet4(), bytes(0x02, 0xff, 0xff, 'x'))),
                        at("192.0.2.7", 51234)),
                Arguments.of(
                        "PROXY TCP over IPv4 padded to the largest payload",
                        v2(PROXY, TCP4, concat(inet4(), noop(ProxyHeader.MAX_V2_PAYLOAD - 12))),
                        at("192.0.2.7", 51234)),
                Arguments.of("LOCAL, no addresses", v2(LOCAL, UNSPEC, new byte[0]), null),
                Arguments.of("LOCAL with IPv4 addresses, ignored", v2(LOCAL, TCP4, inet4()), null),
                Arguments.of("LOCAL with IPv6 addresses and TLVs", v2(LOCAL, TCP6, concat(inet6(), tlvs())), null),
                Arguments.of("LOCAL with bytes of no family", v2(LOCAL, UNSPEC, bytes(1, 2, 3, 4, 5)), null),
                Arguments.of("PROXY of an unspecified family", v2(PROXY, UNSPEC, new byte[0]), null),
                Arguments.of("PROXY of an unspecified family with bytes", v2(PROXY, UNSPEC, bytes(9, 9, 9)), null),
                Arguments.of("PROXY over AF_UNIX", v2(PROXY, UNIX_STREAM, unixAddresses()), null),
                Arguments.of(
                        "PROXY over AF_UNIX with TLVs", v2(PROXY, UNIX_STREAM, concat(unixAddresses(), tlvs())), null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validVersion2Headers")
    void aVersion2HeaderNamesItsSourceOrKeepsThePeer(String description, byte[] header, InetSocketAddress client) {
        assertThat(parse(header)).isEqualTo(new Parsed(header.length, client));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validVersion2Headers")
    void theRequestAfterAVersion2HeaderIsNotPartOfIt(String description, byte[] header, InetSocketAddress client) {
        assertThat(parse(concat(header, REQUEST))).isEqualTo(new Parsed(header.length, client));
    }

    @Test
    void theLargestVersion2HeaderIsMaxLength() {
        byte[] header = v2(PROXY, TCP4, concat(inet4(), noop(ProxyHeader.MAX_V2_PAYLOAD - 12)));
        assertThat(header).hasSize(ProxyHeader.MAX_LENGTH);
        assertThat(parse(header)).isInstanceOf(Parsed.class);
    }

    /** Lengths are believed: bytes the length takes in beyond the addresses are TLVs, even a request's. */
    @Test
    void aLengthThatTakesInTheRequestTakesItIn() {
        byte[] header = v2(PROXY, TCP4, inet4());
        header[15] += 4; // the payload length now covers "GET " too
        assertThat(parse(concat(header, REQUEST))).isEqualTo(new Parsed(header.length + 4, at("192.0.2.7", 51234)));
    }

    // ---- version 2 refused

    static Stream<Arguments> malformedVersion2Headers() {
        return Stream.of(
                Arguments.of("version 1 in the binary form", v2(0x11, TCP4, inet4())),
                Arguments.of("version 0", v2(0x01, TCP4, inet4())),
                Arguments.of("version 3", v2(0x31, TCP4, inet4())),
                Arguments.of("version 15", v2(0xF1, TCP4, inet4())),
                Arguments.of("command 2", v2(0x22, TCP4, inet4())),
                Arguments.of("command 15", v2(0x2F, TCP4, inet4())),
                Arguments.of("family 4", v2(PROXY, 0x41, inet4())),
                Arguments.of("family 15", v2(PROXY, 0xF1, inet4())),
                Arguments.of("LOCAL of family 4", v2(LOCAL, 0x41, new byte[0])),
                Arguments.of("transport 3", v2(PROXY, 0x13, inet4())),
                Arguments.of("transport 15", v2(PROXY, 0x1F, inet4())),
                Arguments.of("UDP over IPv4", v2(PROXY, 0x12, inet4())),
                Arguments.of("UDP over IPv6", v2(PROXY, 0x22, inet6())),
                Arguments.of("AF_UNIX datagrams", v2(PROXY, 0x32, unixAddresses())),
                Arguments.of("IPv4 of no transport", v2(PROXY, 0x10, inet4())),
                Arguments.of("IPv6 of no transport", v2(PROXY, 0x20, inet6())),
                // the family against the length
                Arguments.of("IPv6 with IPv4's 12 bytes", v2(PROXY, TCP6, inet4())),
                Arguments.of("IPv6 with 35 bytes", v2(PROXY, TCP6, Arrays.copyOf(inet6(), 35))),
                Arguments.of("IPv4 with 11 bytes", v2(PROXY, TCP4, Arrays.copyOf(inet4(), 11))),
                Arguments.of("IPv4 with 8 bytes, no ports", v2(PROXY, TCP4, Arrays.copyOf(inet4(), 8))),
                Arguments.of("IPv4 with nothing", v2(PROXY, TCP4, new byte[0])),
                Arguments.of("IPv6 with nothing", v2(PROXY, TCP6, new byte[0])),
                Arguments.of("AF_UNIX with 215 bytes", v2(PROXY, UNIX_STREAM, Arrays.copyOf(unixAddresses(), 215))),
                Arguments.of("AF_UNIX with IPv4's 12 bytes", v2(PROXY, UNIX_STREAM, inet4())),
                Arguments.of("AF_UNIX with IPv6's 36 bytes", v2(PROXY, UNIX_STREAM, inet6())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedVersion2Headers")
    void aMalformedVersion2HeaderIsRefused(String description, byte[] header) {
        assertThat(parse(header)).isInstanceOf(Invalid.class);
        assertThat(parse(concat(header, REQUEST))).isInstanceOf(Invalid.class);
    }

    @ParameterizedTest(name = "byte {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
    void aSignatureWrongInAnyByteIsRefusedAtThatByte(int index) {
        byte[] header = v2(PROXY, TCP4, inet4());
        header[index] ^= 0x40;
        assertThat(ProxyHeader.parse(header, index + 1)).isInstanceOf(Invalid.class);
        assertThat(parse(header)).isInstanceOf(Invalid.class);
    }

    @ParameterizedTest(name = "announced length {0}")
    @ValueSource(ints = {ProxyHeader.MAX_V2_PAYLOAD + 1, 4096, 0x8000, 0xFFFF})
    void aVersion2LengthBeyondTheLargestPayloadIsRefusedWithoutWaitingForIt(int length) {
        for (int command : new int[] {PROXY, LOCAL}) {
            byte[] fixed = concat(SIGNATURE, bytes(command, TCP4, length >> 8, length & 0xff));
            assertThat(parse(fixed)).as("after the 16 fixed bytes").isInstanceOf(Invalid.class);
        }
    }

    @Test
    void aVersion2LengthOfTheLargestPayloadIsAwaited() {
        int length = ProxyHeader.MAX_V2_PAYLOAD;
        byte[] fixed = concat(SIGNATURE, bytes(PROXY, TCP4, length >> 8, length & 0xff), inet4());
        assertThat(parse(fixed)).isInstanceOf(Incomplete.class);
    }

    /** A length longer than what was sent is awaited: the transport's timeout or the end of input ends it. */
    @Test
    void aVersion2LengthLongerThanWhatWasSentIsAwaited() {
        byte[] header = v2(PROXY, TCP4, inet4());
        header[15] = 100;
        assertThat(parse(header)).isInstanceOf(Incomplete.class);
    }

    // ---- no header at all

    static Stream<Arguments> bytesThatAreNoHeader() {
        String line = "PROXY TCP4 192.0.2.7 192.0.2.1 51234 80\r\n";
        return Stream.of(
                Arguments.of("an HTTP/1.1 request", "GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
                Arguments.of("a POST", "POST / HTTP/1.1\r\n"),
                Arguments.of("the HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
                Arguments.of("an empty line before the PROXY line", "\r\n" + line),
                Arguments.of("a bare LF before the PROXY line", "\n" + line),
                Arguments.of("a space before the PROXY line", " " + line),
                Arguments.of("empty lines before a request", "\r\n\r\nGET / HTTP/1.1\r\n\r\n"),
                Arguments.of("a TLS ClientHello", "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003"),
                Arguments.of("a NUL", "\u0000"),
                Arguments.of("0xff", "\u00ff"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bytesThatAreNoHeader")
    void bytesThatAreNoHeaderAreRefused(String description, String bytes) {
        assertThat(parse(latin1(bytes))).isInstanceOf(Invalid.class);
    }

    @Test
    void nothingYetIsIncomplete() {
        assertThat(ProxyHeader.parse(new byte[0], 0)).isInstanceOf(Incomplete.class);
        assertThat(ProxyHeader.parse(new byte[16], 0)).isInstanceOf(Incomplete.class);
    }

    // ---- a byte at a time

    static Stream<Arguments> validHeaders() {
        Stream<Arguments> v1 = Stream.of(
                        "PROXY TCP4 192.0.2.7 192.0.2.1 51234 80\r\n",
                        "PROXY TCP6 2001:db8::7 2001:db8::1 51234 443\r\n",
                        "PROXY TCP6 " + LONGEST_V6 + " " + LONGEST_V6 + " 65535 65535\r\n",
                        "PROXY UNKNOWN\r\n",
                        "PROXY UNKNOWN " + LONGEST_V6 + " " + LONGEST_V6 + " 65535 65535\r\n")
                .map(line -> Arguments.of(line.strip(), ascii(line)));
        Stream<Arguments> v2 = validVersion2Headers().map(a -> Arguments.of(a.get()[0], a.get()[1]));
        return Stream.concat(v1, v2);
    }

    /**
     * Each prefix, with the rest of the header and more in the buffer beyond the length given: the parser
     * reads nothing past it, and answers Incomplete until the last byte, as a client sending a byte at a
     * time would see.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("validHeaders")
    void everyPrefixOfAValidHeaderIsIncomplete(String description, byte[] header) {
        byte[] buffer = concat(header, REQUEST);
        for (int length = 0; length < header.length; length++) {
            assertThat(ProxyHeader.parse(buffer, length))
                    .as("the first %d of %d bytes", length, header.length)
                    .isInstanceOf(Incomplete.class);
        }
        assertThat(ProxyHeader.parse(buffer, header.length)).isInstanceOf(Parsed.class);
        assertThat(ProxyHeader.parse(buffer, buffer.length)).isEqualTo(ProxyHeader.parse(buffer, header.length));
    }

    /** Cut short, a header is still only incomplete: the end of input or the timeout decides, not the parser. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("validHeaders")
    void aTruncatedHeaderIsNeverTakenForWholeNorRefused(String description, byte[] header) {
        for (int cut = 1; cut < header.length; cut++) {
            byte[] truncated = Arrays.copyOf(header, cut);
            assertThat(parse(truncated)).as("cut after %d bytes", cut).isInstanceOf(Incomplete.class);
        }
    }

    // ---- helpers

    private static Result parse(byte[] bytes) {
        return ProxyHeader.parse(bytes, bytes.length);
    }

    private static InetSocketAddress at(String address, int port) {
        InetAddress literal = Addresses.literal(address);
        assertThat(literal).as("test literal %s", address).isNotNull();
        return new InetSocketAddress(literal, port);
    }

    /** 192.0.2.7:51234 to 192.0.2.1:80. */
    private static byte[] inet4() {
        return addresses("192.0.2.7", "192.0.2.1", 51234, 80);
    }

    /** [2001:db8::7]:51234 to [2001:db8::1]:443. */
    private static byte[] inet6() {
        return addresses("2001:db8::7", "2001:db8::1", 51234, 443);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}

package sws.net;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.InetSocketAddress;
import java.util.Arrays;
import sws.net.ProxyHeader.Incomplete;
import sws.net.ProxyHeader.Invalid;
import sws.net.ProxyHeader.Parsed;
import sws.net.ProxyHeader.Result;

/**
 * Spec section 7.3, the PROXY header parser fed arbitrary bytes (issue 5, fuzzing): it never throws, never
 * reads past the length it is given, keeps its bounds, and answers the same however the bytes arrive.
 * Without JAZZER_FUZZ the method replays its inputs under src/test/resources/sws/net/ProxyHeaderFuzzTestInputs
 * (the attacks-proxy corpus and hand-written seeds); bin/fuzz runs it in fuzzing mode.
 */
class ProxyHeaderFuzzTest {
    /** What may lie in the transport's buffer past the bytes received: none of it may change the answer. */
    /** The shortest header of either version: "PROXY UNKNOWN" and CRLF. */
    private static final int SHORTEST = 15;

    private static final byte[] FILLS = {0x00, '\n', '\r', ' ', (byte) 0xff};

    // libFuzzer's dictionary syntax: \x0d\x0a is CRLF; the third entry is the version 2 signature.
    @DictionaryEntries({
        "PROXY ",
        "TCP4 ",
        "TCP6 ",
        "UNKNOWN",
        "\\x0d\\x0a",
        "\\x0d\\x0a\\x0d\\x0a\\x00\\x0d\\x0a\\x51\\x55\\x49\\x54\\x0a",
        "\\x21\\x11\\x00\\x0c",
        "\\x21\\x21\\x00\\x24",
        "\\x21\\x31\\x00\\xd8",
        "\\x20\\x00\\x00\\x00",
        "\\x08\\x00",
        "192.0.2.7 ",
        "255.255.255.255",
        "2001:db8::7 ",
        "::ffff:",
        " 65535",
        " 0"
    })
    @FuzzTest
    void theAnswerNeverDependsOnHowTheBytesArrive(byte[] input) {
        Result whole = ProxyHeader.parse(input, input.length);
        checkBounds(whole, input.length);
        for (byte fill : FILLS) {
            byte[] buffer = Arrays.copyOf(input, input.length + ProxyHeader.MAX_LENGTH);
            Arrays.fill(buffer, input.length, buffer.length, fill);
            Result padded = ProxyHeader.parse(buffer, input.length);
            if (!sameAnswer(padded, whole)) {
                throw new AssertionError(
                        "with 0x%02x past the length: %s, not %s".formatted(fill & 0xff, padded, whole));
            }
        }
        // As the transport reads, a byte at a time at worst, into a buffer of MAX_LENGTH: the first answer
        // that is not Incomplete is the one it acts on, and every longer prefix must give that same answer.
        Result first = null;
        int decidedAt = -1;
        for (int length = 0; length <= Math.min(input.length, ProxyHeader.MAX_LENGTH); length++) {
            Result r = ProxyHeader.parse(input, length);
            checkBounds(r, length);
            if (first == null && !(r instanceof Incomplete)) {
                first = r;
                decidedAt = length;
            } else if (first != null && !sameAnswer(r, first)) {
                throw new AssertionError("after %d bytes %s, then after %d: %s".formatted(decidedAt, first, length, r));
            }
        }
        if (first != null && !sameAnswer(whole, first)) {
            throw new AssertionError("after %d bytes %s, then the whole input: %s".formatted(decidedAt, first, whole));
        }
    }

    /**
     * What the API promises of any result, whatever the bytes. Plain checks, not AssertJ's: this runs for
     * every prefix of every input, and a fuzzer's speed is its reach.
     */
    private static void checkBounds(Result result, int available) {
        String broken =
                switch (result) {
                    case null -> "no result";
                    case Incomplete i ->
                        available < ProxyHeader.MAX_LENGTH ? null : "incomplete after the whole buffer";
                    case Invalid invalid ->
                        invalid.reason() == null || invalid.reason().isBlank() ? "no reason" : null;
                    case Parsed parsed -> parsedBroken(parsed, available);
                };
        if (broken != null) {
            throw new AssertionError(broken + " (" + result + " after " + available + " bytes)");
        }
    }

    private static String parsedBroken(Parsed parsed, int available) {
        if (parsed.length() < SHORTEST || parsed.length() > available) {
            return "a length not within the bytes given";
        }
        if (parsed.length() > ProxyHeader.MAX_LENGTH) {
            return "a length over MAX_LENGTH";
        }
        InetSocketAddress client = parsed.client();
        if (client != null && (client.isUnresolved() || client.getAddress() == null)) {
            return "a client without an address";
        }
        return null;
    }

    /** The same header or the same refusal; the reason for a refusal is for diagnostics only. */
    private static boolean sameAnswer(Result a, Result b) {
        return a instanceof Invalid ? b instanceof Invalid : a.equals(b);
    }
}

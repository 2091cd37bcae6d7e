package sws.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import sws.net.Peer;
import sws.net.Transport;

/**
 * The framing of a body known in advance, as the transport sees it: a head and a body in memory go out in
 * one gathering write (a second write would cost a system call and TCP_NODELAY per response, as it did for
 * a while), and the parts of a multipart body in memory share writes too.
 */
class FixedLengthWriterTest {
    /** A transport with room for everything, remembering what each write carried. */
    private static final class Recording implements Transport {
        final List<String> writes = new ArrayList<>();

        @Override
        public int read(ByteBuffer into) {
            return 0;
        }

        @Override
        public long write(ByteBuffer[] from, int offset, int length) {
            StringBuilder sb = new StringBuilder();
            long n = 0;
            for (int i = offset; i < offset + length; i++) {
                byte[] b = new byte[from[i].remaining()];
                from[i].get(b);
                sb.append(new String(b, StandardCharsets.ISO_8859_1));
                n += b.length;
            }
            writes.add(sb.toString());
            return n;
        }

        @Override
        public long transferFrom(FileChannel file, long position, long count) {
            throw new UnsupportedOperationException("no file in these bodies");
        }

        @Override
        public void shutdownOutput() {}

        @Override
        public void await(boolean readable, boolean writable) {}

        @Override
        public Peer peer() {
            return null;
        }

        @Override
        public void close() {}
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void headAndBodyInMemoryGoOutInOneWrite() throws Exception {
        var transport = new Recording();
        var writer = new FixedLengthWriter(null, bytes("HEAD\r\n\r\n"), new Body.Bytes(bytes("body")), true);
        assertThat(writer.write(transport)).isEqualTo(ResponseWriter.Progress.DONE);
        assertThat(transport.writes).containsExactly("HEAD\r\n\r\nbody");
    }

    @Test
    void aSharedBodyGoesWithTheHeadToo() throws Exception {
        var transport = new Recording();
        var shared = new Body.Shared(ByteBuffer.wrap(bytes("cached")).asReadOnlyBuffer());
        var writer = new FixedLengthWriter(null, bytes("H\r\n\r\n"), shared, true);
        assertThat(writer.write(transport)).isEqualTo(ResponseWriter.Progress.DONE);
        assertThat(transport.writes).containsExactly("H\r\n\r\ncached");
    }

    @Test
    void partsInMemoryShareTheHeadsWrite() throws Exception {
        var transport = new Recording();
        var parts = new Body.Parts(List.of(
                new Body.Bytes(bytes("--b\r\n")),
                new Body.Bytes(bytes("one")),
                new Body.Bytes(bytes("\r\n--b--\r\n"))));
        var writer = new FixedLengthWriter(null, bytes("H\r\n\r\n"), parts, true);
        assertThat(writer.write(transport)).isEqualTo(ResponseWriter.Progress.DONE);
        assertThat(transport.writes).containsExactly("H\r\n\r\n--b\r\none\r\n--b--\r\n");
        assertThat(writer.bodyBytes()).isEqualTo(parts.length());
    }

    @Test
    void aHeadResponseSendsTheHeadAlone() throws Exception {
        var transport = new Recording();
        var writer = new FixedLengthWriter(null, bytes("H\r\n\r\n"), new Body.Bytes(bytes("body")), false);
        assertThat(writer.write(transport)).isEqualTo(ResponseWriter.Progress.DONE);
        assertThat(transport.writes).containsExactly("H\r\n\r\n");
    }
}

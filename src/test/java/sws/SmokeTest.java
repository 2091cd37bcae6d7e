package sws;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import sws.testing.TestServer;

class SmokeTest {
    @Test
    void servesAFileOverIpv4AndIpv6() {
        var root = TestServer.newDocroot();
        TestServer.write(root, "hello.txt", "hello\n");
        try (var server = TestServer.start(root)) {
            try (var c = server.ipv4()) {
                var r = c.send("GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.text()).isEqualTo("hello\n");
            }
            try (var c = server.ipv6()) {
                var r = c.send("GET /hello.txt HTTP/1.0\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.statusLine()).startsWith("HTTP/1.0 200");
            }
        }
    }
}

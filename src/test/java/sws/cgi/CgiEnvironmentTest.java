package sws.cgi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import sws.http.Limits;
import sws.http.ParseResult;
import sws.http.Request;
import sws.http.RequestParser;
import sws.net.Peer;

/** Spec section 5, the meta-variables of RFC 3875 section 4.1 built for one request. */
class CgiEnvironmentTest {
    private static final Path DOCROOT = Path.of("/srv/docroot");
    private static final Path SCRIPT = Path.of("/srv/cgi/env.sh");
    private static final Peer IPV4 = new Peer("127.0.0.1", 50123, "127.0.0.1", 8080, false);
    private static final Peer IPV6 = new Peer("::1", 50124, "::1", 8080, false);

    private static Request request(String head) {
        byte[] bytes = head.getBytes(StandardCharsets.ISO_8859_1);
        var result = new RequestParser(Limits.DEFAULT).parse(bytes, 0, bytes.length);
        assertThat(result).isInstanceOf(ParseResult.Complete.class);
        return ((ParseResult.Complete) result).request();
    }

    private static Map<String, String> env(String head, Peer client, String pathInfo, long contentLength) {
        return CgiEnvironment.build(request(head), client, DOCROOT, SCRIPT, "/cgi-bin/env.sh", pathInfo, contentLength);
    }

    @Test
    void getHasTheMetaVariablesOfTheSpecAndPathOnly() {
        var env = env("GET /cgi-bin/env.sh/extra?a=1 HTTP/1.1\r\nHost: example.org:8080\r\n\r\n", IPV4, "/extra", -1);

        assertThat(env)
                .containsOnlyKeys(
                        "GATEWAY_INTERFACE",
                        "SERVER_SOFTWARE",
                        "SERVER_NAME",
                        "SERVER_PORT",
                        "SERVER_PROTOCOL",
                        "REQUEST_METHOD",
                        "REQUEST_URI",
                        "SCRIPT_NAME",
                        "SCRIPT_FILENAME",
                        "PATH_INFO",
                        "PATH_TRANSLATED",
                        "QUERY_STRING",
                        "REMOTE_ADDR",
                        "REMOTE_PORT",
                        "REQUEST_SCHEME",
                        "DOCUMENT_ROOT",
                        "PATH",
                        "HTTP_HOST")
                .containsEntry("GATEWAY_INTERFACE", "CGI/1.1")
                .containsEntry("SERVER_NAME", "example.org")
                .containsEntry("SERVER_PORT", "8080")
                .containsEntry("SERVER_PROTOCOL", "HTTP/1.1")
                .containsEntry("REQUEST_METHOD", "GET")
                .containsEntry("REQUEST_URI", "/cgi-bin/env.sh/extra?a=1")
                .containsEntry("SCRIPT_NAME", "/cgi-bin/env.sh")
                .containsEntry("SCRIPT_FILENAME", "/srv/cgi/env.sh")
                .containsEntry("PATH_INFO", "/extra")
                .containsEntry("PATH_TRANSLATED", "/srv/docroot/extra")
                .containsEntry("QUERY_STRING", "a=1")
                .containsEntry("REMOTE_ADDR", "127.0.0.1")
                .containsEntry("REMOTE_PORT", "50123")
                .containsEntry("REQUEST_SCHEME", "http")
                .containsEntry("DOCUMENT_ROOT", "/srv/docroot")
                .containsEntry("HTTP_HOST", "example.org:8080");
        assertThat(env.get("SERVER_SOFTWARE")).startsWith("sws/");
        assertThat(env.get("PATH")).isNotEmpty();
    }

    @Test
    void httpsListenerAddsHttpsOnAndTheScheme() {
        Peer secure = new Peer("127.0.0.1", 50123, "127.0.0.1", 8443, true);

        assertThat(env("GET /cgi-bin/env.sh HTTP/1.1\r\nHost: h\r\n\r\n", secure, "", -1))
                .containsEntry("HTTPS", "on")
                .containsEntry("REQUEST_SCHEME", "https")
                .containsEntry("SERVER_PORT", "8443");
        assertThat(env("GET /cgi-bin/env.sh HTTP/1.1\r\nHost: h\r\n\r\n", IPV4, "", -1))
                .doesNotContainKey("HTTPS")
                .containsEntry("REQUEST_SCHEME", "http");
    }

    @Test
    void queryStringIsPresentAndEmptyWithoutAQuery() {
        var env = env("GET /cgi-bin/env.sh HTTP/1.0\r\n\r\n", IPV4, "", -1);

        assertThat(env).containsEntry("QUERY_STRING", "").containsEntry("SERVER_PROTOCOL", "HTTP/1.0");
        assertThat(env).doesNotContainKeys("PATH_TRANSLATED", "CONTENT_LENGTH", "CONTENT_TYPE");
    }

    @Test
    void bodyGivesContentLengthAndTypeButNotTheirHttpTwins() {
        var env = env(
                "POST /cgi-bin/env.sh HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n",
                IPV4,
                "",
                5);

        assertThat(env).containsEntry("CONTENT_LENGTH", "5").containsEntry("CONTENT_TYPE", "text/plain");
        assertThat(env).doesNotContainKeys("HTTP_CONTENT_LENGTH", "HTTP_CONTENT_TYPE");
    }

    @Test
    void chunkedBodyGetsTheLengthGatheredByTheExchange() {
        var env = env("POST /cgi-bin/env.sh HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", IPV4, "", 1234);

        assertThat(env).containsEntry("CONTENT_LENGTH", "1234").doesNotContainKey("CONTENT_TYPE");
    }

    static Stream<Arguments> headerFields() {
        return Stream.of(
                Arguments.of("X-Custom: v", "HTTP_X_CUSTOM", "v"),
                Arguments.of("user-agent: curl/8", "HTTP_USER_AGENT", "curl/8"),
                Arguments.of("Accept: a\r\nAccept: b", "HTTP_ACCEPT", "a, b"),
                Arguments.of("Proxy: http://evil:3128/", "HTTP_PROXY", null),
                Arguments.of("X_Foo: under", "HTTP_X_FOO", null),
                Arguments.of("X_Foo: under\r\nX-Foo: dash", "HTTP_X_FOO", "dash"),
                Arguments.of("X-Foo: dash\r\nX_Foo: under", "HTTP_X_FOO", "dash"));
    }

    @ParameterizedTest(name = "{0} -> {1}={2}")
    @MethodSource("headerFields")
    void requestHeadersBecomeHttpVariablesExceptProxyAndUnderscoredNames(String fields, String key, String value) {
        var env = env("GET /cgi-bin/env.sh HTTP/1.1\r\nHost: h\r\n" + fields + "\r\n\r\n", IPV4, "", -1);

        assertThat(env.get(key)).isEqualTo(value);
        assertThat(env.values()).doesNotContain("under", "http://evil:3128/");
    }

    static Stream<Arguments> serverNames() {
        return Stream.of(
                Arguments.of("Host: example.org\r\n", IPV4, "example.org"),
                Arguments.of("Host: example.org:8080\r\n", IPV4, "example.org"),
                Arguments.of("Host: [::1]:8080\r\n", IPV6, "[::1]"),
                Arguments.of("Host: [2001:db8::1]\r\n", IPV6, "[2001:db8::1]"),
                Arguments.of("", IPV4, "127.0.0.1"),
                Arguments.of("", IPV6, "[::1]"));
    }

    @ParameterizedTest(name = "{0} via {1} -> {2}")
    @MethodSource("serverNames")
    void serverNameComesFromHostElseTheAddressReachedAndIsNeverEmpty(String host, Peer client, String name) {
        var env = env("GET /cgi-bin/env.sh HTTP/1.0\r\n" + host + "\r\n", client, "", -1);

        assertThat(env).containsEntry("SERVER_NAME", name);
    }

    @Test
    void ipv6ClientIsNamedInCanonicalForm() {
        var env = env("GET /cgi-bin/env.sh HTTP/1.0\r\n\r\n", IPV6, "", -1);

        assertThat(env).containsEntry("REMOTE_ADDR", "::1").containsEntry("REMOTE_PORT", "50124");
    }
}

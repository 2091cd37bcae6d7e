package example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sws.Config;
import sws.Server;
import sws.StartException;

/**
 * sws embedded the way a user's own test would: the public API alone, from a package of the user's, serving a
 * fixture folder to the JDK's HTTP client.
 */
class EmbeddedServerTest {
    @TempDir
    Path site;

    @Test
    void servesAFixtureFolderOnAFreePort() throws IOException, InterruptedException {
        Files.writeString(site.resolve("hello.txt"), "hello\n");
        Files.createDirectory(site.resolve("docs"));

        try (var server = Server.start(Config.builder(site).port(0).build())) {
            var client = HttpClient.newHttpClient();
            var base = URI.create("http://127.0.0.1:" + server.port() + "/");

            var hello = client.send(
                    HttpRequest.newBuilder(base.resolve("hello.txt")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(hello.statusCode()).isEqualTo(200);
            assertThat(hello.body()).isEqualTo("hello\n");
            assertThat(hello.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");

            var listing = client.send(
                    HttpRequest.newBuilder(base.resolve("docs/")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(listing.statusCode()).isEqualTo(200);
            assertThat(listing.body()).contains("<title>Index of /docs/</title>");
        }
    }

    @Test
    void aServerThatCannotStartSaysWhy() throws IOException {
        try (var first = Server.start(Config.builder(site).port(0).loops(1).build())) {
            var second = Config.builder(site).port(first.port()).loops(1).build();
            StartException refused = catchThrowableOfType(StartException.class, () -> Server.start(second));
            assertThat(refused.kind()).isEqualTo(StartException.Kind.PORT_IN_USE);
            assertThat(refused.getMessage())
                    .contains(String.valueOf(first.port()))
                    .contains("in use");
        }
    }
}

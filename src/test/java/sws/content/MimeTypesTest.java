package sws.content;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Spec section 4, Content-Type: by the name's extension, else by the file's first bytes. */
class MimeTypesTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "index.html, text/html",
        "old.htm, text/html",
        "style.css, text/css",
        "app.js, text/javascript",
        "mod.mjs, text/javascript",
        "data.json, application/json",
        "image.png, image/png",
        "IMAGE.PNG, image/png",
        "Photo.JpG, image/jpeg",
        "photo.jpeg, image/jpeg",
        "anim.gif, image/gif",
        "icon.svg, image/svg+xml",
        "favicon.ico, image/x-icon",
        "notes.txt, text/plain",
        "doc.pdf, application/pdf",
        "archive.tar.gz, application/gzip",
        "archive.zip, application/zip",
        "font.woff2, font/woff2",
        "clip.mp4, video/mp4",
        "song.mp3, audio/mpeg",
        "module.wasm, application/wasm",
        "feed.xml, text/xml",
        "a.b.c.css, text/css"
    })
    void typeComesFromTheExtension(String name, String type) {
        assertThat(mediaType(MimeTypes.byName(name))).isEqualTo(type);
    }

    /** Issue 8: a browser reads text without a charset as Windows-1252; text types say UTF-8. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "index.html, text/html; charset=utf-8",
        "style.css, text/css; charset=utf-8",
        "app.js, text/javascript; charset=utf-8",
        "data.json, application/json; charset=utf-8",
        "site.webmanifest, application/manifest+json; charset=utf-8",
        "page.xhtml, application/xhtml+xml; charset=utf-8",
        "feed.atom, application/atom+xml; charset=utf-8",
        "feed.xml, text/xml; charset=utf-8",
        "notes.txt, text/plain; charset=utf-8",
        "data.csv, text/csv; charset=utf-8",
        "icon.svg, image/svg+xml; charset=utf-8",
        "image.png, image/png",
        "module.wasm, application/wasm",
        "doc.pdf, application/pdf",
        "font.woff2, font/woff2"
    })
    void textTypesCarryTheUtf8Charset(String name, String type) {
        assertThat(MimeTypes.byName(name)).isEqualTo(type);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "<!DOCTYPE html><html></html>              | text/html; charset=utf-8",
                "<?xml version=\"1.0\"?><feed/>            | text/xml; charset=utf-8",
                "<svg xmlns=\"http://www.w3.org/2000/svg\"/> | image/svg+xml; charset=utf-8",
                "été, naïve, ✓                             | text/plain; charset=utf-8"
            })
    void sniffedTextTypesCarryTheUtf8CharsetToo(String content, String type) {
        byte[] head = content.getBytes(StandardCharsets.UTF_8);
        assertThat(MimeTypes.sniff(head, head.length)).isEqualTo(type);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"README", ".bashrc", "file.", "file.unknownext", "dir.d/noext", ".css"})
    void noKnownExtensionGivesNoType(String name) {
        assertThat(MimeTypes.byName(name)).isNull();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "89504e470d0a1a0a0000000d49484452, image/png",
        "ffd8ffe000104a464946, image/jpeg",
        "474946383961, image/gif",
        "524946460000000057454250, image/webp",
        "255044462d312e370a, application/pdf",
        "504b0304140000000800, application/zip",
        "1f8b0800000000000003, application/gzip",
        "7f454c46020101000000, application/octet-stream",
        "00010203fffe0000, application/octet-stream",
        "fffefdfc80818283, application/octet-stream",
        "68656c6c6f00776f726c64, application/octet-stream"
    })
    void binaryIsIdentifiedByMagicBytes(String hex, String type) {
        byte[] head = HexFormat.of().parseHex(hex);
        assertThat(mediaType(MimeTypes.sniff(head, head.length))).isEqualTo(type);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "<!DOCTYPE html><html></html>                   | text/html",
                "<!doctype HTML>                                | text/html",
                "'  \\n<!DOCTYPE html>'                         | text/html",
                "<html><body>x</body></html>                    | text/html",
                "<?xml version=\"1.0\"?><svg xmlns=\"x\"></svg> | image/svg+xml",
                "<?xml version=\"1.0\"?><feed/>                 | text/xml",
                "<svg xmlns=\"http://www.w3.org/2000/svg\"/>    | image/svg+xml",
                "just some words                                | text/plain",
                "été, naïve, ✓                                  | text/plain",
                "'line one\\r\\nline two\\ttabbed\\n'           | text/plain"
            })
    void textIsIdentifiedByItsFirstBytes(String text, String type) {
        byte[] head = text.replace("\\n", "\n")
                .replace("\\r", "\r")
                .replace("\\t", "\t")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(mediaType(MimeTypes.sniff(head, head.length))).isEqualTo(type);
    }

    @Test
    void utf8CharacterCutAtTheEndOfTheSampleIsStillText() {
        byte[] e = "é".getBytes(StandardCharsets.UTF_8);
        byte[] head = Arrays.copyOf("abc".getBytes(StandardCharsets.UTF_8), 4);
        head[3] = e[0];
        assertThat(mediaType(MimeTypes.sniff(head, head.length))).isEqualTo("text/plain");
    }

    @Test
    void onlyTheFirstNBytesAreConsidered() {
        byte[] head = "%PDF-1.4".getBytes(StandardCharsets.US_ASCII);
        assertThat(mediaType(MimeTypes.sniff(head, 3))).isEqualTo("text/plain");
    }

    @Test
    void fileWithoutExtensionIsSniffed() throws IOException {
        Path png = dir.resolve("picture");
        Files.write(png, HexFormat.of().parseHex("89504e470d0a1a0a0000000d49484452"));
        assertThat(typeOf(png)).isEqualTo("image/png");
    }

    @Test
    void fileWithUnknownExtensionIsSniffed() throws IOException {
        Path pdf = dir.resolve("report.unknownext");
        Files.writeString(pdf, "%PDF-1.7\n");
        assertThat(typeOf(pdf)).isEqualTo("application/pdf");
    }

    @Test
    void knownExtensionWinsOverContent() throws IOException {
        Path txt = dir.resolve("fake.txt");
        Files.write(txt, HexFormat.of().parseHex("89504e470d0a1a0a0000000d49484452"));
        assertThat(typeOf(txt)).isEqualTo("text/plain");
    }

    @Test
    void binaryPastTheSampleDoesNotChangeTheType() throws IOException {
        Path big = dir.resolve("long");
        byte[] content = new byte[4096];
        Arrays.fill(content, (byte) 'a');
        content[4000] = 0;
        Files.write(big, content);
        assertThat(typeOf(big)).isEqualTo("text/plain");
    }

    @Test
    void randomBinaryWithNulsIsOctetStream() throws IOException {
        Path bin = dir.resolve("blob");
        byte[] content = new byte[1024];
        new java.util.Random(42).nextBytes(content);
        content[0] = 0x00;
        content[1] = 0x13;
        content[100] = 0;
        Files.write(bin, content);
        assertThat(typeOf(bin)).isEqualTo(MimeTypes.OCTET_STREAM);
    }

    private static String typeOf(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return mediaType(MimeTypes.of(file.getFileName().toString(), ch));
        }
    }

    private static String mediaType(String contentType) {
        assertThat(contentType).isNotNull();
        return contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    }
}

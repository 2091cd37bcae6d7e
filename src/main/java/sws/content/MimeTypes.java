package sws.content;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Content types: by the file name's extension, else by the file's first bytes (spec section 4). */
public final class MimeTypes {
    public static final String OCTET_STREAM = "application/octet-stream";
    private static final Map<String, String> BY_EXTENSION = new HashMap<>();

    static {
        String[] table = {
            "html htm shtml", "text/html",
            "css", "text/css",
            "xml", "text/xml",
            "txt text log conf ini md markdown", "text/plain",
            "csv", "text/csv",
            "tsv", "text/tab-separated-values",
            "ics", "text/calendar",
            "vtt", "text/vtt",
            "js mjs cjs", "text/javascript",
            "json map", "application/json",
            "jsonld", "application/ld+json",
            "webmanifest", "application/manifest+json",
            "xhtml", "application/xhtml+xml",
            "rss", "application/rss+xml",
            "atom", "application/atom+xml",
            "gif", "image/gif",
            "jpeg jpg jpe", "image/jpeg",
            "png", "image/png",
            "apng", "image/apng",
            "webp", "image/webp",
            "avif", "image/avif",
            "svg svgz", "image/svg+xml",
            "ico", "image/x-icon",
            "bmp", "image/bmp",
            "tif tiff", "image/tiff",
            "woff", "font/woff",
            "woff2", "font/woff2",
            "ttf", "font/ttf",
            "otf", "font/otf",
            "mp3", "audio/mpeg",
            "ogg oga", "audio/ogg",
            "opus", "audio/opus",
            "wav", "audio/wav",
            "flac", "audio/flac",
            "m4a", "audio/mp4",
            "mid midi", "audio/midi",
            "mp4 m4v", "video/mp4",
            "webm", "video/webm",
            "ogv", "video/ogg",
            "mov", "video/quicktime",
            "avi", "video/x-msvideo",
            "mkv", "video/x-matroska",
            "mpeg mpg", "video/mpeg",
            "pdf", "application/pdf",
            "ps eps ai", "application/postscript",
            "rtf", "application/rtf",
            "zip", "application/zip",
            "gz tgz", "application/gzip",
            "bz2", "application/x-bzip2",
            "xz", "application/x-xz",
            "zst", "application/zstd",
            "tar", "application/x-tar",
            "7z", "application/x-7z-compressed",
            "rar", "application/vnd.rar",
            "jar", "application/java-archive",
            "wasm", "application/wasm",
            "doc", "application/msword",
            "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "xls", "application/vnd.ms-excel",
            "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "ppt", "application/vnd.ms-powerpoint",
            "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "odt", "application/vnd.oasis.opendocument.text",
            "ods", "application/vnd.oasis.opendocument.spreadsheet",
            "odp", "application/vnd.oasis.opendocument.presentation",
            "epub", "application/epub+zip",
            "deb", "application/vnd.debian.binary-package",
            "iso", "application/x-iso9660-image",
            "bin exe dll so o class", OCTET_STREAM,
            "sh", "application/x-sh",
            "c h cc cpp hpp java py rb go rs pl", "text/plain",
        };
        for (int i = 0; i < table.length; i += 2) {
            for (String ext : table[i].split(" ")) {
                BY_EXTENSION.put(ext, withCharset(table[i + 1]));
            }
        }
    }

    /**
     * Text types name their charset: without one a browser guesses, and guesses Windows-1252 for a UTF-8
     * file without a BOM or a meta tag. sws says UTF-8, which is what text on the web and in a UTF-8 locale
     * is (a file in another encoding needs a sidecar type sws does not have, or a meta tag).
     */
    static String withCharset(String type) {
        boolean text = type.startsWith("text/")
                || type.equals("application/json")
                || type.endsWith("+json")
                || type.endsWith("+xml")
                || type.equals("application/xml");
        return text ? type + "; charset=utf-8" : type;
    }

    private MimeTypes() {}

    /** The type for a file name's extension, or null when the extension is unknown or missing. */
    public static String byName(String fileName) {
        int dot = fileName.lastIndexOf('.');
        if (dot <= 0 || dot == fileName.length() - 1) {
            return null;
        }
        return BY_EXTENSION.get(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** The type for a file: by extension, else by its first bytes. */
    public static String of(String fileName, FileChannel channel) {
        String type = byName(fileName);
        if (type != null) {
            return type;
        }
        ByteBuffer head = ByteBuffer.allocate(512);
        try {
            while (head.hasRemaining() && channel.read(head, head.position()) > 0) {
                // read until 512 bytes or the end of the file
            }
        } catch (IOException e) {
            return OCTET_STREAM;
        }
        return sniff(head.array(), head.position());
    }

    /** Identifies a type from the first bytes of a file, as file(1) would for the common cases. */
    static String sniff(byte[] b, int n) {
        return withCharset(sniffType(b, n));
    }

    private static String sniffType(byte[] b, int n) {
        if (n == 0) {
            return "text/plain";
        }
        if (startsWith(b, n, 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n')) {
            return "image/png";
        }
        if (startsWith(b, n, 0xff, 0xd8, 0xff)) {
            return "image/jpeg";
        }
        if (startsWith(b, n, 'G', 'I', 'F', '8')) {
            return "image/gif";
        }
        if (startsWith(b, n, 'R', 'I', 'F', 'F') && n >= 12 && b[8] == 'W' && b[9] == 'E' && b[10] == 'B') {
            return "image/webp";
        }
        if (startsWith(b, n, '%', 'P', 'D', 'F', '-')) {
            return "application/pdf";
        }
        if (startsWith(b, n, 'P', 'K', 3, 4)) {
            return "application/zip";
        }
        if (startsWith(b, n, 0x1f, 0x8b)) {
            return "application/gzip";
        }
        if (startsWith(b, n, 0x7f, 'E', 'L', 'F')) {
            return OCTET_STREAM;
        }
        String text = leadingText(b, n);
        if (text == null) {
            return OCTET_STREAM;
        }
        String lower = text.stripLeading().toLowerCase(Locale.ROOT);
        if (lower.startsWith("<!doctype html") || lower.startsWith("<html")) {
            return "text/html";
        }
        if (lower.startsWith("<?xml")) {
            return lower.contains("<svg") ? "image/svg+xml" : "text/xml";
        }
        if (lower.startsWith("<svg")) {
            return "image/svg+xml";
        }
        return "text/plain";
    }

    /** The bytes as text when they look like UTF-8 text (no NUL, no stray control bytes), else null. */
    private static String leadingText(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xff;
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b) {
                return null;
            }
        }
        var decoder = java.nio.charset.StandardCharsets.UTF_8.newDecoder();
        var out = java.nio.CharBuffer.allocate(n);
        var result = decoder.decode(ByteBuffer.wrap(b, 0, n), out, false);
        // A multi-byte character cut at the 512-byte mark is not an error, so only malformed input counts.
        if (result.isError()) {
            return null;
        }
        return out.flip().toString();
    }

    private static boolean startsWith(byte[] b, int n, int... magic) {
        if (n < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((b[i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}

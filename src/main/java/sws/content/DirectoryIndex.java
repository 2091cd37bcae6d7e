package sws.content;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import sws.http.Response;
import sws.http.Status;

/** The generated listing of a directory without index.html (spec section 4). */
public final class DirectoryIndex {
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss");

    private record Entry(String name, byte[] sortKey, boolean directory, long size, long modified) {}

    private DirectoryIndex() {}

    /** A listing of dir, whose URL path (ending in '/') is urlPath. */
    public static Response list(Path dir, String urlPath) {
        List<Entry> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                String name = p.getFileName().toString();
                if (PathResolver.isHidden(name)) {
                    continue;
                }
                entries.add(entry(p, name));
            }
        } catch (IOException e) {
            return Response.error(Status.FORBIDDEN);
        }
        // The byte order of the UTF-8 names, as ls(1) sorts in the C locale.
        entries.sort((a, b) -> Arrays.compareUnsigned(a.sortKey, b.sortKey));
        String title = "Index of " + Escape.html(urlPath);
        StringBuilder sb = new StringBuilder(512 + entries.size() * 160);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(title)
                .append("</title>\n</head>\n<body>\n<h1>")
                .append(title)
                .append("</h1>\n<table>\n")
                .append("<tr><th>Name</th><th>Last modified (UTC)</th><th>Size</th></tr>\n")
                .append("<tr><td><a href=\"../\">../</a></td><td></td><td>-</td></tr>\n");
        for (Entry e : entries) {
            String shown = e.directory ? e.name + "/" : e.name;
            sb.append("<tr><td><a href=\"")
                    .append(Escape.html(Escape.path(shown)))
                    .append("\">")
                    .append(Escape.html(shown))
                    .append("</a></td><td>")
                    .append(e.modified < 0 ? "" : timestamp(e.modified))
                    .append("</td><td>")
                    .append(e.directory || e.size < 0 ? "-" : Long.toString(e.size))
                    .append("</td></tr>\n");
        }
        sb.append("</table>\n</body>\n</html>\n");
        return Response.html(Status.OK, sb.toString());
    }

    private static Entry entry(Path p, String name) {
        byte[] key = name.getBytes(StandardCharsets.UTF_8);
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return new Entry(
                    name, key, a.isDirectory(), a.size(), a.lastModifiedTime().toMillis() / 1000);
        } catch (IOException e) {
            // A dangling symbolic link, say: listed, but with nothing known about it.
            return new Entry(name, key, false, -1, -1);
        }
    }

    /** "2026-11-20 12:12:12", in UTC. */
    private static String timestamp(long epochSecond) {
        return TIMESTAMP.format(LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC));
    }
}

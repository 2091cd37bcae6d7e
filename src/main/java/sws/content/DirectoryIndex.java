package sws.content;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import sws.http.Escape;
import sws.http.HtmlPage;
import sws.http.Response;
import sws.http.Status;

/** The generated listing of a directory without index.html (spec section 4). */
public final class DirectoryIndex {
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter ISO =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

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
        StringBuilder sb = new StringBuilder(512 + entries.size() * 200);
        sb.append("<table>\n<thead><tr><th>Name</th><th class=\"time\">Last modified (UTC)</th>")
                .append("<th class=\"size\">Size</th></tr></thead>\n<tbody>\n")
                .append("<tr class=\"dir\"><td class=\"name\"><a href=\"../\">../</a></td>")
                .append("<td class=\"time\"></td><td class=\"size\">-</td></tr>\n");
        for (Entry e : entries) {
            String shown = e.directory ? e.name + "/" : e.name;
            sb.append("<tr class=\"")
                    .append(e.directory ? "dir" : "file")
                    .append("\"><td class=\"name\"><a href=\"")
                    .append(Escape.html(Escape.path(shown)))
                    .append("\">")
                    .append(Escape.html(shown))
                    .append("</a></td><td class=\"time\">");
            if (e.modified >= 0) {
                sb.append("<time datetime=\"")
                        .append(ISO.format(Instant.ofEpochSecond(e.modified)))
                        .append("\">")
                        .append(TIMESTAMP.format(Instant.ofEpochSecond(e.modified)))
                        .append("</time>");
            }
            sb.append("</td>");
            if (e.directory || e.size < 0) {
                sb.append("<td class=\"size\">-</td>");
            } else {
                sb.append("<td class=\"size\" title=\"")
                        .append(e.size)
                        .append(e.size == 1 ? " byte" : " bytes")
                        .append("\">")
                        .append(humanSize(e.size))
                        .append("</td>");
            }
            sb.append("</tr>\n");
        }
        sb.append("</tbody>\n</table>\n");
        return Response.html(Status.OK, HtmlPage.tablePage(title, sb.toString()));
    }

    /** "42 B", "1.5 KiB", "3.0 GiB": binary units, one decimal from KiB on (as ls -h, but spelled out). */
    static String humanSize(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        int unit = 0;
        double value = bytes / 1024.0;
        while (value >= 1023.95 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        long tenths = Math.round(value * 10);
        return tenths / 10 + "." + tenths % 10 + " " + units[unit];
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
}

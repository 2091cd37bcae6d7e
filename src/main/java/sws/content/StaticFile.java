package sws.content;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import sws.http.Body;
import sws.http.HttpDate;
import sws.http.Request;
import sws.http.Response;
import sws.http.Status;

/**
 * Serves one regular file: maps each file-system outcome to one status, answers conditional and range
 * requests, and hands the open file to the writer without reading it.
 */
public final class StaticFile {
    private StaticFile() {}

    public static Response serve(Request request, Path file, BasicFileAttributes attributes) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (AccessDeniedException e) {
            return Response.error(Status.FORBIDDEN);
        } catch (IOException e) {
            return Response.error(Status.NOT_FOUND);
        }
        long modified = attributes.lastModifiedTime().toMillis() / 1000;
        String lastModified = HttpDate.format(modified);
        if (notModifiedSince(request, modified)) {
            closeQuietly(channel);
            return Response.of(Status.NOT_MODIFIED, Body.NONE, "Last-Modified", lastModified);
        }
        long size = attributes.size();
        String type = MimeTypes.of(file.getFileName().toString(), channel);
        ByteRange range = ByteRange.of(request, size, lastModified);
        if (range == ByteRange.UNSATISFIABLE) {
            closeQuietly(channel);
            return Response.error(Status.RANGE_NOT_SATISFIABLE, "Content-Range", "bytes */" + size);
        }
        if (range != null) {
            return Response.of(
                    Status.PARTIAL_CONTENT,
                    new Body.FileRegion(channel, range.first(), range.length()),
                    "Content-Type",
                    type,
                    "Last-Modified",
                    lastModified,
                    "Accept-Ranges",
                    "bytes",
                    "Content-Range",
                    "bytes " + range.first() + "-" + range.last() + "/" + size);
        }
        return Response.of(
                Status.OK,
                new Body.FileRegion(channel, 0, size),
                "Content-Type",
                type,
                "Last-Modified",
                lastModified,
                "Accept-Ranges",
                "bytes");
    }

    /**
     * RFC 9110 section 13.1.3: true when If-Modified-Since holds a valid date not in the future and the
     * file is not newer; an unparseable date is ignored.
     */
    static boolean notModifiedSince(Request request, long modifiedSecond) {
        String since = request.headers().get("If-Modified-Since");
        if (since == null) {
            return false;
        }
        long date = HttpDate.parse(since);
        if (date == Long.MIN_VALUE || date > System.currentTimeMillis() / 1000) {
            return false;
        }
        return modifiedSecond <= date;
    }

    static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing was written through it, so there is nothing to lose
        }
    }
}

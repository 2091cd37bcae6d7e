package sws.content;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import sws.http.Body;
import sws.http.HttpDate;
import sws.http.Request;
import sws.http.Response;
import sws.http.Status;
import sws.io.Quietly;

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
            Quietly.close(channel);
            return notModified(lastModified);
        }
        long size = attributes.size();
        String type = MimeTypes.of(file.getFileName().toString(), channel);
        ByteRange range = ByteRange.of(request, size, lastModified);
        if (range == ByteRange.UNSATISFIABLE) {
            Quietly.close(channel);
            return Response.error(Status.RANGE_NOT_SATISFIABLE, "Content-Range", "bytes */" + size);
        }
        if (range != null) {
            var fields = new ArrayList<>(fields(type, lastModified));
            fields.add("Content-Range");
            fields.add("bytes " + range.first() + "-" + range.last() + "/" + size);
            return new Response(
                    Status.PARTIAL_CONTENT,
                    List.copyOf(fields),
                    new Body.FileRegion(channel, range.first(), range.length()));
        }
        return new Response(Status.OK, fields(type, lastModified), new Body.FileRegion(channel, 0, size));
    }

    /** The fields of a file's response, beside its length: the same from the disk and from the cache. */
    static List<String> fields(String type, String lastModified) {
        return List.of("Content-Type", type, "Last-Modified", lastModified, "Accept-Ranges", "bytes");
    }

    /** 304: the validator again, no body (RFC 9110 15.4.5). */
    static Response notModified(String lastModified) {
        return Response.of(Status.NOT_MODIFIED, Body.NONE, "Last-Modified", lastModified);
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
}

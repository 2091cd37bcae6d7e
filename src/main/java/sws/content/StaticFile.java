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

/**
 * Serves one regular file: maps each file-system outcome to one status, evaluates the conditional fields,
 * answers ranges (one, or several as multipart/byteranges), and hands the open file to the writer without
 * reading it. The cache answers through {@link #respond} too, from memory.
 */
public final class StaticFile {
    private StaticFile() {}

    /** The answer to a GET or HEAD of a file on disk. */
    static Response serve(Request request, Path file, BasicFileAttributes attributes, String cacheControl) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (AccessDeniedException e) {
            return Response.error(Status.FORBIDDEN);
        } catch (IOException e) {
            return Response.error(Status.NOT_FOUND);
        }
        long modified = modifiedSecond(attributes);
        FileHead head = new FileHead(
                MimeTypes.of(file.getFileName().toString(), channel),
                HttpDate.format(modified),
                EntityTag.of(attributes, null),
                null,
                false,
                cacheControl);
        return respond(request, head, modified, attributes.size(), new Source.Channel(channel), null);
    }

    /**
     * The answer to a request for one representation: 412 or 304 as its conditions say, else the range or
     * ranges asked for, else the whole.
     *
     * @param ok the 200 ready to send (a cached one), or null to make it here
     */
    static Response respond(
            Request request, FileHead head, long modifiedSecond, long size, Source source, Response ok) {
        switch (Preconditions.evaluate(request, head.tag(), modifiedSecond)) {
            case FAILED -> {
                source.release();
                return Response.error(Status.PRECONDITION_FAILED);
            }
            case NOT_MODIFIED -> {
                source.release();
                return new Response(Status.NOT_MODIFIED, head.notModified(), Body.NONE);
            }
            case PROCEED -> {}
        }
        String range = request.headers().get("Range");
        ByteRanges ranges = range == null || !Preconditions.rangeApplies(request, head.tag(), modifiedSecond)
                ? null
                : ByteRanges.of(range, size);
        if (ranges == ByteRanges.UNSATISFIABLE) {
            source.release();
            return Response.error(Status.RANGE_NOT_SATISFIABLE, "Content-Range", "bytes */" + size);
        }
        if (ranges == null) {
            return ok != null ? ok : new Response(Status.OK, head.ok(), source.slice(0, size));
        }
        if (ranges.spans().size() == 1) {
            ByteRanges.Span span = ranges.spans().get(0);
            var fields = new ArrayList<>(head.ok());
            fields.add("Content-Range");
            fields.add("bytes " + span.first() + "-" + span.last() + "/" + size);
            return new Response(Status.PARTIAL_CONTENT, List.copyOf(fields), source.slice(span.first(), span.length()));
        }
        Multipart.Built multipart = Multipart.of(ranges, size, head.type(), source);
        return new Response(Status.PARTIAL_CONTENT, head.multipart(multipart.type()), multipart.body());
    }

    /** Last-Modified's precision: HTTP dates have whole seconds. */
    static long modifiedSecond(BasicFileAttributes attributes) {
        return attributes.lastModifiedTime().toMillis() / 1000;
    }
}

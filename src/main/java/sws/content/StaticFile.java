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
 * Serves one regular file: maps each file-system outcome to one status, evaluates the conditional fields,
 * answers ranges (one, or several as multipart/byteranges), and hands the open file to the writer without
 * reading it. The cache answers through {@link #respond} too, from memory.
 */
public final class StaticFile {
    private StaticFile() {}

    /**
     * The answer to a GET or HEAD of a file on disk, in the form Accept-Encoding chooses among its own bytes,
     * its sidecars and, for a compressible file without sidecars, its gzip made as it is sent.
     */
    static Response serve(
            Request request,
            Path file,
            BasicFileAttributes attributes,
            List<Sidecars.Sidecar> sidecars,
            Site.Policy policy) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (AccessDeniedException e) {
            return Response.error(Status.FORBIDDEN);
        } catch (IOException e) {
            return Response.error(Status.NOT_FOUND);
        }
        String type = MimeTypes.of(file.getFileName().toString(), channel);
        boolean gzip = sidecars.isEmpty() && policy.gzips(type, attributes.size());
        long modified = modifiedSecond(attributes);
        FileHead head = new FileHead(
                type,
                HttpDate.format(modified),
                EntityTag.of(attributes, null),
                null,
                gzip || !sidecars.isEmpty(),
                policy.cacheControl());
        String accept = request.headers().list("Accept-Encoding");
        if (accept != null && (gzip || !sidecars.isEmpty())) {
            List<Codings.Candidate> candidates = new ArrayList<>();
            candidates.add(new Codings.Candidate(null, attributes.size()));
            sidecars.forEach(s -> candidates.add(
                    new Codings.Candidate(s.coding(), s.attributes().size())));
            if (gzip && request.headers().get("Range") == null) {
                candidates.add(new Codings.Candidate("gzip", -1));
            }
            String coding = Codings.choose(accept, candidates).coding();
            for (Sidecars.Sidecar sidecar : sidecars) {
                if (sidecar.coding().equals(coding)) {
                    Response sent = sidecar(request, head, sidecar);
                    if (sent != null) {
                        Quietly.close(channel);
                        return sent;
                    }
                }
            }
            if (gzip && "gzip".equals(coding)) {
                return gzipped(request, head, modified, channel, attributes.size());
            }
        }
        return respond(request, head, modified, attributes.size(), new Source.Channel(channel), null);
    }

    /** A sidecar's bytes with its own validators; null when it cannot be opened (the file's own bytes go). */
    private static Response sidecar(Request request, FileHead file, Sidecars.Sidecar sidecar) {
        FileChannel channel;
        try {
            channel = FileChannel.open(sidecar.file(), StandardOpenOption.READ);
        } catch (IOException e) {
            return null;
        }
        long modified = modifiedSecond(sidecar.attributes());
        FileHead head = new FileHead(
                file.type(),
                HttpDate.format(modified),
                EntityTag.of(sidecar.attributes(), sidecar.coding()),
                sidecar.coding(),
                true,
                file.cacheControl());
        return respond(request, head, modified, sidecar.attributes().size(), new Source.Channel(channel), null);
    }

    /**
     * A file too large for the cache, gzipped as it is sent: chunked on HTTP/1.1, closed on HTTP/1.0, the
     * length unknown until the end. A HEAD gets the same head and no work.
     */
    private static Response gzipped(Request request, FileHead file, long modified, FileChannel channel, long size) {
        FileHead head = new FileHead(
                file.type(),
                file.lastModified(),
                EntityTag.derived(file.tag(), "gzs"),
                "gzip",
                true,
                file.cacheControl());
        Response refusal = unlessConditionsHold(request, head, modified);
        if (refusal != null) {
            Quietly.close(channel);
            return refusal;
        }
        if (request.isHead()) {
            Quietly.close(channel);
            return new Response(Status.OK, head.ok(), new Body.Stream(Gzip.EMPTY, -1));
        }
        return new Response(Status.OK, head.ok(), new Body.Stream(new Gzip.Stream(channel, size), -1));
    }

    /** 412 or 304 when the conditions say so, else null. */
    private static Response unlessConditionsHold(Request request, FileHead head, long modifiedSecond) {
        return switch (Preconditions.evaluate(request, head.tag(), modifiedSecond)) {
            case FAILED -> Response.error(Status.PRECONDITION_FAILED);
            case NOT_MODIFIED -> new Response(Status.NOT_MODIFIED, head.notModified(), Body.NONE);
            case PROCEED -> null;
        };
    }

    /**
     * The answer to a request for one representation: 412 or 304 as its conditions say, else the range or
     * ranges asked for, else the whole.
     *
     * @param ok the 200 ready to send (a cached one), or null to make it here
     */
    static Response respond(
            Request request, FileHead head, long modifiedSecond, long size, Source source, Response ok) {
        if (ok != null && !Preconditions.anyIn(request)) {
            return ok; // the cache's common case: one look at the fields, no condition to weigh
        }
        Response refusal = unlessConditionsHold(request, head, modifiedSecond);
        if (refusal != null) {
            source.release();
            return refusal;
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

package sws.content;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import sws.http.Body;

/**
 * A multipart/byteranges body (RFC 9110 section 14.6): each range behind a boundary line and its own
 * Content-Type and Content-Range, then the closing boundary. The boundary is random per response, so no
 * file's bytes can be made to look like one.
 */
final class Multipart {
    private Multipart() {}

    /** The body and its media type. */
    record Built(String type, Body body) {}

    /** The body of these ranges; it takes the source, and lets it go when no part is sent from it. */
    static Built of(ByteRanges ranges, long size, String partType, Source source) {
        String boundary = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE)
                + Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
        List<Body> parts = new ArrayList<>(ranges.spans().size() * 2 + 1);
        boolean first = true;
        boolean regions = false;
        for (ByteRanges.Span span : ranges.spans()) {
            String head = (first ? "" : "\r\n") + "--" + boundary + "\r\nContent-Type: " + partType
                    + "\r\nContent-Range: bytes " + span.first() + "-" + span.last() + "/" + size + "\r\n\r\n";
            parts.add(new Body.Bytes(head.getBytes(StandardCharsets.ISO_8859_1)));
            Body part = source.small(span.first(), span.length());
            regions |= part instanceof Body.FileRegion;
            parts.add(part);
            first = false;
        }
        parts.add(new Body.Bytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1)));
        if (!regions) {
            source.release(); // every part was read into memory: the writer has no file to close
        }
        return new Built("multipart/byteranges; boundary=" + boundary, new Body.Parts(parts));
    }
}

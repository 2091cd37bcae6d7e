package sws.content;

import java.util.ArrayList;
import java.util.List;

/**
 * The fields of one representation's responses beside framing, written in one place for 200, 206 and 304,
 * from the disk and from the cache alike. A 304 carries the validators and the caching fields the 200 would
 * (RFC 9110 15.4.5).
 *
 * @param type the Content-Type
 * @param lastModified the Last-Modified date, as sent
 * @param tag the strong ETag
 * @param coding the Content-Encoding ("br", "zstd", "gzip"), or null for the file's own bytes
 * @param vary whether the file has other codings, so caches must key on Accept-Encoding
 * @param cacheControl the Cache-Control value, or null
 */
record FileHead(String type, String lastModified, String tag, String coding, boolean vary, String cacheControl) {
    /** The fields of a 200 (and, with a Content-Range, of a single-range 206). */
    List<String> ok() {
        var fields = new ArrayList<String>(14);
        fields.add("Content-Type");
        fields.add(type);
        if (coding != null) {
            fields.add("Content-Encoding");
            fields.add(coding);
        }
        validators(fields);
        fields.add("Accept-Ranges");
        fields.add("bytes");
        return List.copyOf(fields);
    }

    /** The fields of a 206 of several ranges: the type is the multipart one, each part carries the file's. */
    List<String> multipart(String multipartType) {
        var fields = new ArrayList<String>(12);
        fields.add("Content-Type");
        fields.add(multipartType);
        if (coding != null) {
            fields.add("Content-Encoding");
            fields.add(coding);
        }
        validators(fields);
        return List.copyOf(fields);
    }

    /** The fields of a 304: no Content-Type, no length. */
    List<String> notModified() {
        var fields = new ArrayList<String>(8);
        validators(fields);
        return List.copyOf(fields);
    }

    private void validators(List<String> fields) {
        fields.add("Last-Modified");
        fields.add(lastModified);
        fields.add("ETag");
        fields.add(tag);
        if (vary) {
            fields.add("Vary");
            fields.add("Accept-Encoding");
        }
        if (cacheControl != null) {
            fields.add("Cache-Control");
            fields.add(cacheControl);
        }
    }
}

package sws.content;

import sws.http.Numbers;
import sws.http.Request;

/**
 * One byte range of a file (RFC 9110 section 14). Only a single range is served; a request for several
 * gets the whole file, which the RFC allows and which keeps responses simple.
 */
record ByteRange(long first, long last) {
    static final ByteRange UNSATISFIABLE = new ByteRange(-1, -1);

    long length() {
        return last - first + 1;
    }

    /**
     * The range the request asks for, null to send the whole file, or UNSATISFIABLE. A Range that does not
     * parse is ignored, as is one whose If-Range does not match the file's Last-Modified.
     */
    static ByteRange of(Request request, long size, String lastModified) {
        String header = request.headers().get("Range");
        if (header == null || !header.regionMatches(true, 0, "bytes=", 0, 6)) {
            return null;
        }
        String ifRange = request.headers().get("If-Range");
        if (ifRange != null && !ifRange.trim().equals(lastModified)) {
            return null;
        }
        String spec = header.substring(6).trim();
        if (spec.indexOf(',') >= 0) {
            return null;
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        long first = Numbers.decimal(spec.substring(0, dash).trim());
        long last = Numbers.decimal(spec.substring(dash + 1).trim());
        if (dash == 0) {
            // a suffix range: the last N bytes
            if (last < 0) {
                return null;
            }
            if (last == 0 || size == 0) {
                return UNSATISFIABLE;
            }
            return new ByteRange(Math.max(0, size - last), size - 1);
        }
        if (first < 0 || (dash < spec.length() - 1 && last < 0)) {
            return null;
        }
        if (last >= 0 && last < first) {
            return null;
        }
        if (first >= size) {
            return UNSATISFIABLE;
        }
        long end = last < 0 || last >= size ? size - 1 : last;
        return new ByteRange(first, end);
    }
}

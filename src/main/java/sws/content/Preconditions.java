package sws.content;

import sws.http.HttpDate;
import sws.http.Request;

/**
 * The conditional fields of a GET or HEAD of a file, evaluated in RFC 9110 section 13.2.2's order:
 * If-Match, else If-Unmodified-Since (412 when they fail); then If-None-Match, else If-Modified-Since (304
 * when they hold); If-Range last, deciding whether Range applies. A date that does not parse is ignored.
 */
final class Preconditions {
    private Preconditions() {}

    /** What the conditions make of a request. */
    enum Outcome {
        /** Serve the representation (whole, or the range asked for). */
        PROCEED,
        /** 304: the client's copy is current. */
        NOT_MODIFIED,
        /** 412: the state the client made its request on is not the file's. */
        FAILED
    }

    /** Whether the request has a conditional field or a Range, in one pass over its fields. */
    static boolean anyIn(Request request) {
        var headers = request.headers();
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            if (name.regionMatches(true, 0, "If-", 0, 3) || name.equalsIgnoreCase("Range")) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param tag the representation's strong entity tag
     * @param modifiedSecond its Last-Modified, in epoch seconds
     */
    static Outcome evaluate(Request request, String tag, long modifiedSecond) {
        var headers = request.headers();
        String ifMatch = headers.list("If-Match");
        if (ifMatch != null) {
            if (!EntityTag.listMatches(ifMatch, tag, true)) {
                return Outcome.FAILED;
            }
        } else {
            long since = date(headers.get("If-Unmodified-Since"));
            if (since != Long.MIN_VALUE && modifiedSecond > since) {
                return Outcome.FAILED;
            }
        }
        String ifNoneMatch = headers.list("If-None-Match");
        if (ifNoneMatch != null) {
            // Only GET and HEAD reach a file; for them a match is 304 (RFC 9110 13.1.2).
            return EntityTag.listMatches(ifNoneMatch, tag, false) ? Outcome.NOT_MODIFIED : Outcome.PROCEED;
        }
        return notModifiedSince(request, modifiedSecond) ? Outcome.NOT_MODIFIED : Outcome.PROCEED;
    }

    /**
     * RFC 9110 13.1.3: true when If-Modified-Since holds a valid date not in the future and the file is not
     * newer.
     */
    static boolean notModifiedSince(Request request, long modifiedSecond) {
        long since = date(request.headers().get("If-Modified-Since"));
        if (since == Long.MIN_VALUE || since > System.currentTimeMillis() / 1000) {
            return false;
        }
        return modifiedSecond <= since;
    }

    /**
     * RFC 9110 13.1.5: whether a Range applies: always without If-Range; with it, only when it holds this
     * strong tag or a date equal to Last-Modified (the only date a client can know to be the file's).
     */
    static boolean rangeApplies(Request request, String tag, long modifiedSecond) {
        String ifRange = request.headers().get("If-Range");
        if (ifRange == null) {
            return true;
        }
        String value = ifRange.trim();
        if (value.startsWith("\"") || value.startsWith("W/")) {
            return EntityTag.strongEquals(value, tag);
        }
        long date = HttpDate.parse(value);
        return date != Long.MIN_VALUE && date == modifiedSecond;
    }

    private static long date(String value) {
        return value == null ? Long.MIN_VALUE : HttpDate.parse(value);
    }
}

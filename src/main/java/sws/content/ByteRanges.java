package sws.content;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import sws.http.Numbers;

/**
 * The byte ranges a Range field asks of a representation (RFC 9110 section 14.1.2), sorted and merged, with
 * spec section 8's bounds: a request must never cost more than the whole file. Apache's "range killer"
 * (hundreds of overlapping ranges) therefore gets the file once, as a 200.
 *
 * @param spans one or more ranges, ascending, none overlapping or adjacent
 */
record ByteRanges(List<Span> spans) {
    /** The most ranges one response carries; more is answered with the whole file. */
    static final int MAX_RANGES = 16;

    /** No range can be served: 416. */
    static final ByteRanges UNSATISFIABLE = new ByteRanges(List.of());

    /** The bytes first to last, both included. */
    record Span(long first, long last) {
        long length() {
            return last - first + 1;
        }
    }

    /**
     * The ranges of a Range field over size bytes; null to send the whole representation (no bytes unit, a
     * malformed field, more than the file, too many ranges), or UNSATISFIABLE. Ranges that start beyond the
     * end are dropped; if that leaves none, the request is unsatisfiable.
     */
    static ByteRanges of(String field, long size) {
        if (field == null || !field.regionMatches(true, 0, "bytes=", 0, 6)) {
            return null;
        }
        List<Span> asked = new ArrayList<>();
        long total = 0;
        boolean any = false;
        for (String element : field.substring(6).split(",", -1)) {
            String spec = element.trim();
            if (spec.isEmpty()) {
                continue; // RFC 9110 5.6.1: empty list elements are allowed and mean nothing
            }
            Span span = span(spec, size);
            if (span == null) {
                return null;
            }
            any = true;
            if (span.first() >= 0) {
                asked.add(span);
                total += span.length();
                if (total > size) {
                    return null;
                }
            }
        }
        if (!any) {
            return null;
        }
        if (asked.isEmpty()) {
            return UNSATISFIABLE;
        }
        List<Span> merged = merge(asked);
        return merged.size() > MAX_RANGES ? null : new ByteRanges(List.copyOf(merged));
    }

    /** One range-spec clamped to the file; null when malformed, first -1 when unsatisfiable. */
    private static Span span(String spec, long size) {
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        String from = spec.substring(0, dash).trim();
        String to = spec.substring(dash + 1).trim();
        if (from.isEmpty()) {
            long suffix = Numbers.decimal(to);
            if (suffix < 0) {
                return null;
            }
            if (suffix == 0 || size == 0) {
                return new Span(-1, -1);
            }
            return new Span(Math.max(0, size - suffix), size - 1);
        }
        long first = Numbers.decimal(from);
        long last = to.isEmpty() ? Long.MAX_VALUE : Numbers.decimal(to);
        if (first < 0 || last < 0 || last < first) {
            return null;
        }
        if (first >= size) {
            return new Span(-1, -1);
        }
        return new Span(first, Math.min(last, size - 1));
    }

    /** Sorted, overlapping and adjacent ranges joined (RFC 9110 14.2 lets a server coalesce them). */
    private static List<Span> merge(List<Span> spans) {
        spans.sort(Comparator.comparingLong(Span::first));
        List<Span> merged = new ArrayList<>();
        Span current = spans.get(0);
        for (int i = 1; i < spans.size(); i++) {
            Span next = spans.get(i);
            if (next.first() <= current.last() + 1) {
                current = new Span(current.first(), Math.max(current.last(), next.last()));
            } else {
                merged.add(current);
                current = next;
            }
        }
        merged.add(current);
        return merged;
    }
}

package sws.content;

import java.util.List;
import java.util.Locale;

/**
 * Content codings (RFC 9110 section 8.4): which types are worth compressing, and which of a file's forms an
 * Accept-Encoding field takes (section 12.5.3). Every coding not named takes the q of "*", and identity is
 * acceptable unless "identity;q=0", or "*;q=0" without identity named, excludes it.
 */
final class Codings {
    /** Files smaller than this gain too little from compression to pay for its head and CPU. */
    static final long MIN_COMPRESSED_SIZE = 256;

    private Codings() {}

    /** A form a file can be sent in: a coding (null for the file's own bytes) and its size (-1: smaller, unknown). */
    record Candidate(String coding, long size) {}

    /** Text and the formats like it: text/*, JavaScript, JSON, XML, SVG and WebAssembly. */
    static boolean compressible(String type) {
        int semicolon = type.indexOf(';');
        String media =
                (semicolon < 0 ? type : type.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
        return media.startsWith("text/")
                || media.equals("application/javascript")
                || media.equals("application/json")
                || media.endsWith("+json")
                || media.equals("application/xml")
                || media.endsWith("+xml")
                || media.equals("image/svg+xml")
                || media.equals("application/wasm");
    }

    /**
     * The candidate to send: the highest q, then the smallest; the identity form when the field is absent or
     * accepts nothing here (sending the file's own bytes is always better than refusing the request).
     */
    static Candidate choose(String acceptEncoding, List<Candidate> candidates) {
        Candidate identity = candidates.get(0);
        if (acceptEncoding == null) {
            return identity;
        }
        Weights weights = Weights.parse(acceptEncoding);
        Candidate best = null;
        double bestQ = 0;
        for (Candidate c : candidates) {
            double q = weights.q(c.coding());
            if (q <= 0) {
                continue;
            }
            if (best == null || q > bestQ || (q == bestQ && smaller(c, best))) {
                best = c;
                bestQ = q;
            }
        }
        return best == null ? identity : best;
    }

    private static boolean smaller(Candidate a, Candidate b) {
        if (a.size() < 0 || b.size() < 0) {
            return a.size() < 0 && b.coding() == null; // a coding of unknown size beats only the identity
        }
        return a.size() < b.size();
    }

    /** The codings an Accept-Encoding field names, with their weights; at most a few, read in one pass. */
    record Weights(List<String> names, List<Double> qs) {
        static Weights parse(String field) {
            var names = new java.util.ArrayList<String>(6);
            var qs = new java.util.ArrayList<Double>(6);
            int i = 0;
            int n = field.length();
            while (i < n) {
                int comma = field.indexOf(',', i);
                int end = comma < 0 ? n : comma;
                int semicolon = field.indexOf(';', i);
                int nameEnd = semicolon >= 0 && semicolon < end ? semicolon : end;
                String name = field.substring(i, nameEnd).trim().toLowerCase(Locale.ROOT);
                if (!name.isEmpty()) {
                    names.add(name.equals("x-gzip") ? "gzip" : name);
                    qs.add(nameEnd < end ? weight(field.substring(nameEnd + 1, end)) : 1.0);
                }
                i = end + 1;
            }
            return new Weights(names, qs);
        }

        /** The q given a coding (null for identity). */
        double q(String coding) {
            String name = coding == null ? "identity" : coding;
            double named = -1;
            double star = -1;
            for (int k = 0; k < names.size(); k++) {
                if (names.get(k).equals(name)) {
                    named = Math.max(named, qs.get(k));
                } else if (names.get(k).equals("*")) {
                    star = qs.get(k);
                }
            }
            if (named >= 0) {
                return named;
            }
            if (coding == null) {
                return star == 0 ? 0 : 1;
            }
            return Math.max(star, 0);
        }

        /** A weight "q=0.5" (RFC 9110 12.4.2): 0 to 1, three decimals at most; a malformed q counts as 0. */
        private static double weight(String parameters) {
            for (String p : parameters.split(";")) {
                String t = p.trim();
                if (t.length() > 2 && (t.charAt(0) == 'q' || t.charAt(0) == 'Q') && t.charAt(1) == '=') {
                    return qvalue(t.substring(2));
                }
            }
            return 1;
        }

        private static double qvalue(String v) {
            if (v.isEmpty() || v.length() > 5 || (v.charAt(0) != '0' && v.charAt(0) != '1')) {
                return 0;
            }
            if (v.length() > 1 && v.charAt(1) != '.') {
                return 0;
            }
            for (int k = 2; k < v.length(); k++) {
                if (v.charAt(k) < '0' || v.charAt(k) > '9') {
                    return 0;
                }
            }
            double q = v.length() <= 2 ? v.charAt(0) - '0' : Double.parseDouble(v);
            return q > 1 ? 0 : q;
        }
    }
}

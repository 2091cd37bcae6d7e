package sws.content;

import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;

/**
 * Entity tags (RFC 9110 section 8.8.3): the strong tag of a file, and the comparisons of the conditional
 * fields. A file's tag is made from what changes whenever its content may have: the modification time to
 * the nanosecond, the size and the file's identity (device and inode), so a file replaced by a rename
 * gets a new tag even when its time and size are the same.
 */
final class EntityTag {
    private EntityTag() {}

    /** The strong tag of a file as it is now; a suffix tells apart the forms of one file (a coding). */
    static String of(BasicFileAttributes attributes, String suffix) {
        long nanos = attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS);
        Object key = attributes.fileKey();
        return "\"" + Long.toHexString(nanos) + "-" + Long.toHexString(attributes.size()) + "-"
                + Integer.toHexString(key == null ? 0 : key.hashCode()) + (suffix == null ? "" : "-" + suffix)
                + "\"";
    }

    /** The same tag with a suffix inside its quotes, for a form derived from the file (its gzip). */
    static String derived(String tag, String suffix) {
        return tag.substring(0, tag.length() - 1) + "-" + suffix + "\"";
    }

    /**
     * Whether a field's list of tags (If-Match, If-None-Match) holds this strong tag. "*" matches any current
     * representation. Strong comparison takes a weak tag as no match; weak comparison ignores the W/. A
     * list that does not parse matches nothing from the first bad element on.
     */
    static boolean listMatches(String field, String tag, boolean strong) {
        String value = field.trim();
        if (value.equals("*")) {
            return true;
        }
        int i = 0;
        int n = value.length();
        while (i < n) {
            char c = value.charAt(i);
            if (c == ',' || c == ' ' || c == '\t') {
                i++;
                continue;
            }
            boolean weak = value.startsWith("W/", i);
            int open = weak ? i + 2 : i;
            if (open >= n || value.charAt(open) != '"') {
                return false;
            }
            int close = value.indexOf('"', open + 1);
            if (close < 0) {
                return false;
            }
            if ((!weak || !strong)
                    && value.regionMatches(open, tag, 0, tag.length())
                    && close + 1 - open == tag.length()) {
                return true;
            }
            i = close + 1;
        }
        return false;
    }

    /** Whether If-Range's value is exactly this tag, compared strongly (a weak tag never matches). */
    static boolean strongEquals(String value, String tag) {
        return value.trim().equals(tag);
    }
}

package sws.http;

import java.nio.charset.StandardCharsets;

/** The two escapings generated pages need: HTML text and URL paths. */
public final class Escape {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Escape() {}

    /** Text safe inside HTML element content and quoted attribute values. */
    public static String html(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * A path percent-encoded as UTF-8, keeping only unreserved characters and '/' as they are, so that
     * no name can be read as a scheme, a query, a fragment or a second slash by a browser.
     */
    public static String path(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~/".indexOf(c) >= 0) {
                sb.append((char) c);
            } else {
                sb.append('%').append(HEX[c >> 4]).append(HEX[c & 15]);
            }
        }
        return sb.toString();
    }
}

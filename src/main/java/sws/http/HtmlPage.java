package sws.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pages sws writes itself (error pages and directory listings): one small self-contained HTML5
 * document each, with its style inline and no script, in the system's sans-serif font, light or dark as
 * the reader's system prefers, readable on a phone.
 */
public final class HtmlPage {
    /** The media type of every generated page. */
    public static final String TYPE = "text/html; charset=utf-8";

    /** What every page shares: colours for light and dark, the font, the column of text. */
    private static final String STYLE =
            """
            :root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--muted:#59636e;--link:#0969da}
            @media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;--link:#4493f8}}
            body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,"Segoe UI",Roboto,sans-serif}
            main,footer{max-width:60rem;margin:0 auto;padding:1.5rem 1rem}
            footer{padding-top:0;color:var(--muted);font-size:.8rem}
            h1{font-size:1.4rem;font-weight:600;margin:0 0 1rem;overflow-wrap:anywhere}
            a{color:var(--link);text-decoration:none}a:hover{text-decoration:underline}
            """;

    /** A listing's table: names that wrap, sizes and times in aligned columns, folders marked. */
    private static final String TABLE_STYLE =
            """
            :root{--line:#d1d9e0;--hi:#f6f8fa}
            @media (prefers-color-scheme:dark){:root{--line:#3d444d;--hi:#151b23}}
            table{width:100%;border-collapse:collapse}
            th,td{padding:.35rem .5rem;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
            th{color:var(--muted);font-weight:600;font-size:.85rem}
            td.name{width:100%;white-space:normal;overflow-wrap:anywhere}
            tbody tr:hover td{background:var(--hi)}
            .size{text-align:right;font-variant-numeric:tabular-nums}
            .time{color:var(--muted);font-variant-numeric:tabular-nums}
            .dir a{font-weight:600}
            td.name a::before{content:"";display:inline-block;width:.8em;height:1em;margin-right:.5em;vertical-align:-.15em;border:1.5px solid currentColor;border-radius:2px;opacity:.55}
            .dir td.name a::before{width:1em;height:.8em;vertical-align:-.05em;border:0;background:currentColor;opacity:.8;clip-path:polygon(0 0,40% 0,52% 18%,100% 18%,100% 100%,0 100%)}
            @media (max-width:36rem){.time{display:none}body{font-size:16px}}
            """;

    private static final Map<Status, byte[]> ERRORS = new ConcurrentHashMap<>();

    private HtmlPage() {}

    /**
     * A whole page: the title (already HTML-escaped) as title and heading, then the body's own HTML, then
     * the server line.
     */
    public static String page(String title, String html) {
        return page(title, html, "");
    }

    /** A page holding a table of files, as a listing does. */
    public static String tablePage(String title, String html) {
        return page(title, html, TABLE_STYLE);
    }

    private static String page(String title, String html, String extraStyle) {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<title>" + title + "</title>\n"
                + "<style>\n" + STYLE + extraStyle + "</style>\n"
                + "</head>\n<body>\n<main>\n<h1>" + title + "</h1>\n"
                + html
                + "</main>\n<footer>" + Version.PRODUCT + "</footer>\n</body>\n</html>\n";
    }

    /** The error page for a status: status, reason and one plain sentence of what happened. */
    static byte[] error(Status status) {
        if (!status.known()) {
            return errorPage(status); // a CGI program's own status: made anew, so none can fill the map
        }
        return ERRORS.computeIfAbsent(status, HtmlPage::errorPage);
    }

    private static byte[] errorPage(Status s) {
        String title = s.code() + " " + Escape.html(s.reason());
        return page(title, "<p>" + sentence(s) + "</p>\n").getBytes(StandardCharsets.UTF_8);
    }

    private static String sentence(Status status) {
        return switch (status.code()) {
            case 301, 302, 303, 307, 308 -> "What was here has moved to the address this response names.";
            case 400 -> "The server could not understand the request.";
            case 403 -> "The server will not serve this address.";
            case 404 -> "Nothing is at this address.";
            case 405 -> "This address does not answer that method.";
            case 408 -> "The request did not arrive in time.";
            case 412 -> "The file has changed since the request's conditions were written.";
            case 413 -> "The request body is larger than this server accepts.";
            case 414 -> "The request line is longer than this server accepts.";
            case 416 -> "The range asked for lies outside the file.";
            case 417 -> "The server cannot meet what the request's Expect field asks for.";
            case 431 -> "The request's header fields are larger than this server accepts.";
            case 500 -> "The server failed while it answered this request.";
            case 501 -> "The server does not know that method.";
            case 502 -> "The program behind this address gave no valid answer.";
            case 503 -> "The server is too busy to answer now; try again in a moment.";
            case 504 -> "The program behind this address took too long to answer.";
            case 505 -> "The server speaks HTTP/1.0 and HTTP/1.1 only.";
            case 507 -> "The server has no room left to keep the request body.";
            default -> "The server answered with this status.";
        };
    }
}

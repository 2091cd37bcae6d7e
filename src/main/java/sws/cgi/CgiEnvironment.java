package sws.cgi;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import sws.http.Headers;
import sws.http.Request;
import sws.http.Version;
import sws.net.Peer;

/** The meta-variables of RFC 3875 section 4.1 for one request, and nothing of the server's own but PATH. */
final class CgiEnvironment {
    private CgiEnvironment() {}

    /**
     * @param script the program's real path
     * @param scriptName the URL path that named it, "/cgi-bin/NAME"
     * @param pathInfo the decoded rest of the path after the script, "" when none
     * @param contentLength the body's length, or -1 when the request has none
     */
    static Map<String, String> build(
            Request request,
            Peer client,
            Path docroot,
            Path script,
            String scriptName,
            String pathInfo,
            long contentLength) {
        Map<String, String> env = new HashMap<>();
        env.put("GATEWAY_INTERFACE", "CGI/1.1");
        env.put("SERVER_SOFTWARE", Version.PRODUCT);
        env.put("SERVER_NAME", serverName(request, client));
        env.put("SERVER_PORT", serverPort(request, client));
        env.put("SERVER_PROTOCOL", "HTTP/1." + request.minorVersion());
        env.put("REQUEST_METHOD", request.method());
        env.put("REQUEST_URI", utf8(request.rawPath() + (request.query() == null ? "" : "?" + request.query())));
        env.put("SCRIPT_NAME", scriptName);
        env.put("SCRIPT_FILENAME", script.toString());
        env.put("PATH_INFO", pathInfo);
        if (!pathInfo.isEmpty()) {
            // RFC 3875 4.1.6: PATH_INFO mapped as if it were a path in the docroot.
            env.put("PATH_TRANSLATED", docroot + pathInfo);
        }
        env.put("QUERY_STRING", request.query() == null ? "" : utf8(request.query()));
        env.put("REMOTE_ADDR", client.address());
        if (client.port() >= 0) {
            env.put("REMOTE_PORT", Integer.toString(client.port())); // none on a UNIX socket (spec 7.2)
        }
        env.put("REQUEST_SCHEME", client.secure() ? "https" : "http");
        if (client.secure()) {
            env.put("HTTPS", "on");
        }
        env.put("DOCUMENT_ROOT", docroot.toString());
        if (contentLength >= 0) {
            env.put("CONTENT_LENGTH", Long.toString(contentLength));
            String type = request.headers().get("Content-Type");
            if (type != null) {
                env.put("CONTENT_TYPE", type);
            }
        }
        String path = System.getenv("PATH");
        env.put("PATH", path == null ? "/usr/local/bin:/usr/bin:/bin" : path);
        addHeaders(request.headers(), env);
        return env;
    }

    /**
     * HTTP_* for each header field (RFC 3875 4.1.18), several of one name joined with ", ". Left out: the
     * fields already given as CONTENT_*, credentials (as Apache does), Proxy (httpoxy: it would become
     * HTTP_PROXY, which many programs take as their proxy), Expect (the server has met it already; a
     * program that saw it might answer it again), and names holding '_' (which would be indistinguishable
     * from the '-' spelling, so a client could forge another field).
     */
    private static void addHeaders(Headers headers, Map<String, String> env) {
        for (int i = 0; i < headers.size(); i++) {
            String name = headers.name(i);
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("content-length")
                    || lower.equals("content-type")
                    || lower.equals("authorization")
                    || lower.equals("proxy")
                    || lower.equals("proxy-authorization")
                    || lower.equals("expect")
                    || name.indexOf('_') >= 0) {
                continue;
            }
            String key = "HTTP_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
            env.merge(key, utf8(headers.value(i)), (a, b) -> a + ", " + b);
        }
    }

    /**
     * The request's bytes are kept as ISO-8859-1 text (one char per byte), and the JDK writes a program's
     * environment as UTF-8: read the bytes as UTF-8 here, so that the program gets the bytes the client sent.
     * (Bytes that are not UTF-8 at all cannot pass through an environment the JDK encodes; they arrive as
     * U+FFFD.)
     */
    private static String utf8(String latin1) {
        for (int i = 0; i < latin1.length(); i++) {
            if (latin1.charAt(i) >= 0x80) {
                return new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
            }
        }
        return latin1;
    }

    /**
     * The port the client reached; on a UNIX socket, which has none, the one the client believes it reached:
     * the Host field's, else the scheme's.
     */
    private static String serverPort(Request request, Peer client) {
        if (client.localPort() >= 0) {
            return Integer.toString(client.localPort());
        }
        String host = request.headers().get("Host");
        if (host != null) {
            int colon = host.lastIndexOf(':');
            String port = colon > host.lastIndexOf(']') ? host.substring(colon + 1) : "";
            if (port.matches("[0-9]{1,5}")) {
                return port;
            }
        }
        return client.secure() ? "443" : "80";
    }

    /** The Host field without its port, else the address the client reached; never empty. */
    private static String serverName(Request request, Peer client) {
        String host = request.headers().get("Host");
        if (host != null && !host.isEmpty()) {
            int end = host.startsWith("[") ? host.indexOf(']') + 1 : host.indexOf(':');
            String name = end > 0 ? host.substring(0, end) : host;
            if (!name.isEmpty()) {
                return name;
            }
        }
        String local = client.localAddress();
        if (local.equals(Peer.UNIX)) {
            return "localhost"; // a UNIX socket has no address a URL could name
        }
        return local.indexOf(':') >= 0 ? "[" + local + "]" : local;
    }
}

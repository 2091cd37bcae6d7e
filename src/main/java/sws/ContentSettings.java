package sws;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import sws.http.AddedFields;
import sws.http.Escape;
import sws.io.Ascii;
import sws.route.Cors;

/** The checks of spec section 8's settings before anything listens: each bad value is one line. */
final class ContentSettings {
    private ContentSettings() {}

    /**
     * Refuses a field sws owns or cannot send, an origin that is not one, a Cache-Control with control
     * characters, and a fallback that is not a regular file in the docroot; returns the fallback's URL path.
     */
    static String check(Config.Content content, Path docroot) throws StartException {
        for (String field : content.headers()) {
            String refusal = AddedFields.refusal(field);
            if (refusal != null) {
                throw refused("--header " + refusal);
            }
        }
        if (content.cors() != null) {
            String refusal = Cors.refusal(content.cors());
            if (refusal != null) {
                throw refused("--cors: " + refusal);
            }
        }
        if (content.cacheControl() != null
                && (content.cacheControl().isBlank()
                        || AddedFields.refusal("Cache-Control: " + content.cacheControl()) != null)) {
            throw refused(
                    "--cache-control: '" + Ascii.shown(content.cacheControl()) + "' is not a field value sws can send");
        }
        return content.fallback() == null ? null : fallback(content.fallback(), docroot);
    }

    private static String fallback(String path, Path docroot) throws StartException {
        String shown = "--fallback " + Ascii.shown(path);
        String relative = path.startsWith("/") ? path.substring(1) : path;
        Path file = docroot.resolve(relative).normalize();
        Path real;
        try {
            real = relative.isEmpty() ? null : file.toRealPath();
        } catch (IOException e) {
            real = null;
        }
        if (real == null || !Files.isRegularFile(real) || !real.startsWith(docroot) || !file.startsWith(docroot)) {
            throw refused(shown + ": not a file in the docroot");
        }
        if (!Files.isReadable(real)) {
            throw refused(shown + ": permission denied");
        }
        Path inside = docroot.relativize(file);
        if (hidden(inside) || hidden(docroot.relativize(real))) {
            throw refused(shown + ": a hidden name (or a link to one), which sws never serves");
        }
        return Escape.path("/" + inside);
    }

    private static boolean hidden(Path inside) {
        for (Path name : inside) {
            if (name.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static StartException refused(String message) {
        return new StartException(StartException.Kind.SETTING, message, null);
    }
}

package sws;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import sws.http.AddedFields;
import sws.http.Escape;
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
            throw refused("--cache-control: '" + content.cacheControl() + "' is not a field value sws can send");
        }
        return content.fallback() == null ? null : fallback(content.fallback(), docroot);
    }

    private static String fallback(String path, Path docroot) throws StartException {
        String relative = path.startsWith("/") ? path.substring(1) : path;
        Path file = docroot.resolve(relative).normalize();
        try {
            if (relative.isEmpty()
                    || !Files.isRegularFile(file)
                    || !file.toRealPath().startsWith(docroot)) {
                throw refused("--fallback " + path + ": not a file in the docroot");
            }
            if (!Files.isReadable(file)) {
                throw refused("--fallback " + path + ": permission denied");
            }
            Path inside = docroot.relativize(file);
            for (Path name : inside) {
                if (name.toString().startsWith(".")) {
                    throw refused("--fallback " + path + ": a hidden name, which sws never serves");
                }
            }
            return Escape.path("/" + inside);
        } catch (IOException e) {
            throw refused("--fallback " + path + ": " + e.getMessage());
        }
    }

    private static StartException refused(String message) {
        return new StartException(StartException.Kind.SETTING, message, null);
    }
}

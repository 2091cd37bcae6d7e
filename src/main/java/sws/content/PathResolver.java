package sws.content;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import sws.http.Status;

/**
 * Maps decoded request paths to files and keeps them inside their root (spec section 4): every check of
 * containment and of hidden names is written here once and used for the docroot and user dirs alike.
 */
public final class PathResolver {

    /** A request path split into segments with dot segments removed, or the status refusing it. */
    public record Segments(List<String> names, boolean trailingSlash, Status refusal) {
        /** The normalised path as text, "/" joined, with the trailing slash kept. */
        public String urlPath() {
            StringBuilder sb = new StringBuilder();
            for (String name : names) {
                sb.append('/').append(name);
            }
            if (names.isEmpty() || trailingSlash) {
                sb.append('/');
            }
            return sb.toString();
        }

        /** Whether the first segment is this name. */
        public boolean startsWith(String name) {
            return !names.isEmpty() && names.get(0).equals(name);
        }

        /** The segments after the first. */
        public Segments tail() {
            return new Segments(names.subList(1, names.size()), trailingSlash, refusal);
        }
    }

    /** Where a path led: the real file and its attributes, or the status refusing it. */
    public record Resolved(Path file, BasicFileAttributes attributes, Status refusal) {
        static Resolved refused(Status status) {
            return new Resolved(null, null, status);
        }
    }

    private PathResolver() {}

    /**
     * Removes dot segments (RFC 3986 section 5.2.4) and empty segments; a ".." that would climb above
     * the root is refused with 403 rather than clamped, since no honest link produces one.
     */
    public static Segments segments(String decodedPath) {
        List<String> names = new ArrayList<>();
        int i = 0;
        int n = decodedPath.length();
        boolean trailing = decodedPath.endsWith("/");
        while (i < n) {
            int slash = decodedPath.indexOf('/', i);
            int end = slash < 0 ? n : slash;
            String seg = decodedPath.substring(i, end);
            i = end + 1;
            if (seg.isEmpty() || seg.equals(".")) {
                trailing |= end == n;
                continue;
            }
            if (seg.equals("..")) {
                if (names.isEmpty()) {
                    return new Segments(List.of(), false, Status.FORBIDDEN);
                }
                names.remove(names.size() - 1);
                trailing |= end == n;
                continue;
            }
            names.add(seg);
        }
        return new Segments(names, trailing, null);
    }

    /**
     * Finds the named file below root (a real path), following symbolic links: one that leads out of the
     * root → 403, a hidden name on the way → 404, missing → 404, unreadable → 403, neither a regular
     * file nor a directory → 403.
     */
    public static Resolved resolve(Path root, List<String> names) {
        Path real;
        try {
            Path candidate = root;
            for (String name : names) {
                if (isHidden(name)) {
                    return Resolved.refused(Status.NOT_FOUND);
                }
                candidate = candidate.resolve(name);
            }
            real = candidate.toRealPath();
        } catch (NoSuchFileException e) {
            return Resolved.refused(Status.NOT_FOUND);
        } catch (AccessDeniedException e) {
            return Resolved.refused(Status.FORBIDDEN);
        } catch (IOException | RuntimeException e) {
            return Resolved.refused(Status.NOT_FOUND);
        }
        if (!real.startsWith(root)) {
            return Resolved.refused(Status.FORBIDDEN);
        }
        for (Path part : root.relativize(real)) {
            if (isHidden(part.toString())) {
                return Resolved.refused(Status.NOT_FOUND);
            }
        }
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(real, BasicFileAttributes.class);
        } catch (AccessDeniedException e) {
            return Resolved.refused(Status.FORBIDDEN);
        } catch (IOException e) {
            return Resolved.refused(Status.NOT_FOUND);
        }
        if (!attributes.isRegularFile() && !attributes.isDirectory()) {
            return Resolved.refused(Status.FORBIDDEN);
        }
        return new Resolved(real, attributes, null);
    }

    /** Names beginning with '.' are never served nor listed. */
    public static boolean isHidden(String name) {
        return name.startsWith(".");
    }
}

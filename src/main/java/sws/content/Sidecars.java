package sws.content;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Precompressed files beside a file (nginx's gzip_static, Caddy's precompressed): NAME.br, NAME.zst and
 * NAME.gz, each used only while it is a regular file inside the root and not older than NAME, so a stale
 * sidecar left by an old build is never sent for a newer file.
 */
final class Sidecars {
    /** A sidecar's coding, its file and what it was when found. */
    record Sidecar(String coding, Path file, BasicFileAttributes attributes) {}

    private static final String[][] KINDS = {{"br", ".br"}, {"zstd", ".zst"}, {"gzip", ".gz"}};

    private Sidecars() {}

    /**
     * The sidecars of a file (its real path) below root that may be sent for it: one stat each in the common
     * case where there are none.
     */
    static List<Sidecar> of(Path root, Path file, BasicFileAttributes attributes) {
        List<Sidecar> found = null;
        for (String[] kind : KINDS) {
            Path candidate = file.resolveSibling(file.getFileName() + kind[1]);
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(candidate, BasicFileAttributes.class);
            } catch (IOException e) {
                continue;
            }
            if (!a.isRegularFile() || a.lastModifiedTime().compareTo(attributes.lastModifiedTime()) < 0) {
                continue;
            }
            try {
                Path real = candidate.toRealPath();
                Path realRoot = root.toRealPath();
                if (!real.startsWith(realRoot) || hidden(realRoot.relativize(real))) {
                    continue; // a link out of the root, or to a hidden name, is not served as a sidecar either
                }
                if (found == null) {
                    found = new ArrayList<>(3);
                }
                found.add(new Sidecar(kind[0], real, a));
            } catch (IOException e) {
                // gone meanwhile: not a sidecar
            }
        }
        return found == null ? List.of() : found;
    }

    /** The hidden-name rule of spec section 4, on every name below the root, as PathResolver has it. */
    private static boolean hidden(Path inside) {
        for (Path name : inside) {
            if (name.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }
}

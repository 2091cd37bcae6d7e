package sws.content;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;

/**
 * Where /~user/ leads (spec section 4, --userdir): a plain name is a folder in the user's home directory
 * from the password database; a pattern with '*' is a path with the user name in place of the '*'.
 */
public final class UserDirs {
    private final String pattern;
    private final Path passwd;
    private volatile Homes homes = new Homes(null, Map.of());

    private record Homes(FileTime modified, Map<String, String> byUser) {}

    public UserDirs(String pattern) {
        this(pattern, Path.of("/etc/passwd"));
    }

    UserDirs(String pattern, Path passwd) {
        this.pattern = pattern;
        this.passwd = passwd;
    }

    /** Whether the pattern is one --userdir accepts: a plain folder name, or a path holding '*'. */
    public static boolean validPattern(String pattern) {
        if (pattern.isEmpty()) {
            return false;
        }
        return pattern.contains("*") || (!pattern.contains("/") && !pattern.equals(".") && !pattern.equals(".."));
    }

    /** The real path of the user's directory, or null when the user or the directory does not exist. */
    public Path root(String user) {
        if (!validUserName(user)) {
            return null;
        }
        Path dir;
        if (pattern.contains("*")) {
            dir = Path.of(pattern.replace("*", user));
        } else {
            String home = home(user);
            if (home == null) {
                return null;
            }
            dir = Path.of(home, pattern);
        }
        try {
            Path real = dir.toRealPath();
            return Files.isDirectory(real) ? real : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** POSIX portable user names (letters, digits, '.', '_', '-'; not starting with '-' or '.'). */
    static boolean validUserName(String user) {
        if (user.isEmpty() || user.length() > 64 || user.charAt(0) == '-' || user.charAt(0) == '.') {
            return false;
        }
        for (int i = 0; i < user.length(); i++) {
            char c = user.charAt(i);
            if (!((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '_'
                    || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** The home directory from the password file, re-read when the file changes. */
    private String home(String user) {
        try {
            FileTime modified = Files.getLastModifiedTime(passwd);
            Homes current = homes;
            if (!modified.equals(current.modified)) {
                current = new Homes(modified, readPasswd());
                homes = current;
            }
            return current.byUser.get(user);
        } catch (IOException e) {
            return null;
        }
    }

    private Map<String, String> readPasswd() throws IOException {
        Map<String, String> byUser = new HashMap<>();
        for (String line : Files.readAllLines(passwd, StandardCharsets.UTF_8)) {
            String[] f = line.split(":", -1);
            if (f.length >= 7 && !f[0].isEmpty() && !f[5].isEmpty()) {
                byUser.putIfAbsent(f[0], f[5]);
            }
        }
        return byUser;
    }
}

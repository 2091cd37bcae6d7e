package sws.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of sws, taken from the build. */
public final class Version {
    public static final String VERSION = load();

    /** How sws names itself: the Server field, SERVER_SOFTWARE, the pages it writes. */
    public static final String PRODUCT = "sws/" + VERSION;

    private Version() {}

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("/sws/version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }
}

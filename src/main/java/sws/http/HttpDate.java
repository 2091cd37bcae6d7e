package sws.http;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/** HTTP dates (RFC 9110 section 5.6.7): IMF-fixdate out; IMF-fixdate, RFC 850 and asctime in. */
public final class HttpDate {
    private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    private static final String[] LONG_DAYS = {
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
    };
    private static final String[] MONTHS = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
    };

    private static volatile Cached cached = new Cached(Long.MIN_VALUE, "");

    private record Cached(long second, String text) {}

    private HttpDate() {}

    /** The IMF-fixdate for this epoch second, such as "Sun, 06 Nov 1994 08:49:37 GMT". */
    public static String format(long epochSecond) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        StringBuilder sb = new StringBuilder(29);
        sb.append(DAYS[t.getDayOfWeek().ordinal()]).append(", ");
        two(sb, t.getDayOfMonth()).append(' ');
        sb.append(MONTHS[t.getMonthValue() - 1]).append(' ');
        sb.append(t.getYear()).append(' ');
        two(sb, t.getHour()).append(':');
        two(sb, t.getMinute()).append(':');
        two(sb, t.getSecond()).append(" GMT");
        return sb.toString();
    }

    /** The Date header's value for now; formatted at most once a second. */
    public static String now() {
        long second = System.currentTimeMillis() / 1000;
        Cached c = cached;
        if (c.second != second) {
            c = new Cached(second, format(second));
            cached = c;
        }
        return c.text;
    }

    private static StringBuilder two(StringBuilder sb, int n) {
        if (n < 10) {
            sb.append('0');
        }
        return sb.append(n);
    }

    /**
     * Parses any of the three date formats a recipient must accept; returns the epoch second, or
     * Long.MIN_VALUE when the text is none of them.
     */
    public static long parse(String text) {
        String s = text.trim();
        try {
            int comma = s.indexOf(',');
            if (comma == 3) {
                return imfFixdate(s);
            }
            if (comma > 3) {
                return rfc850(s, comma);
            }
            return asctime(s);
        } catch (RuntimeException e) {
            return Long.MIN_VALUE;
        }
    }

    // "Sun, 06 Nov 1994 08:49:37 GMT"
    private static long imfFixdate(String s) {
        if (s.length() != 29 || !s.endsWith(" GMT") || indexOf(DAYS, s.substring(0, 3)) < 0) {
            return Long.MIN_VALUE;
        }
        expect(s, 4, ' ');
        expect(s, 7, ' ');
        expect(s, 11, ' ');
        expect(s, 16, ' ');
        return epoch(num(s, 12, 4), month(s, 8), num(s, 5, 2), time(s, 17));
    }

    // "Sunday, 06-Nov-94 08:49:37 GMT"
    private static long rfc850(String s, int comma) {
        if (indexOf(LONG_DAYS, s.substring(0, comma)) < 0 || !s.endsWith(" GMT") || s.length() != comma + 24) {
            return Long.MIN_VALUE;
        }
        int p = comma + 2;
        expect(s, p - 1, ' ');
        expect(s, p + 2, '-');
        expect(s, p + 6, '-');
        expect(s, p + 9, ' ');
        int yy = num(s, p + 7, 2);
        // RFC 9110: a two-digit year more than 50 years in the future is in the past century.
        int thisYear = LocalDateTime.now(ZoneOffset.UTC).getYear();
        int year = thisYear / 100 * 100 + yy;
        if (year > thisYear + 50) {
            year -= 100;
        } else if (year <= thisYear - 50) {
            year += 100;
        }
        return epoch(year, month(s, p + 3), num(s, p, 2), time(s, p + 10));
    }

    // "Sun Nov  6 08:49:37 1994"
    private static long asctime(String s) {
        if (s.length() != 24 || indexOf(DAYS, s.substring(0, 3)) < 0) {
            return Long.MIN_VALUE;
        }
        expect(s, 3, ' ');
        expect(s, 7, ' ');
        expect(s, 10, ' ');
        expect(s, 19, ' ');
        int day = s.charAt(8) == ' ' ? num(s, 9, 1) : num(s, 8, 2);
        return epoch(num(s, 20, 4), month(s, 4), day, time(s, 11));
    }

    private static int time(String s, int at) {
        expect(s, at + 2, ':');
        expect(s, at + 5, ':');
        return num(s, at, 2) * 3600 + num(s, at + 3, 2) * 60 + num(s, at + 6, 2);
    }

    private static int month(String s, int at) {
        int m = indexOf(MONTHS, s.substring(at, at + 3));
        if (m < 0) {
            throw new DateTimeException("month");
        }
        return m + 1;
    }

    private static long epoch(int year, int month, int day, int secondOfDay) {
        if (secondOfDay >= 86400 + 1) {
            throw new DateTimeException("time");
        }
        return LocalDateTime.of(year, month, day, 0, 0).toEpochSecond(ZoneOffset.UTC) + secondOfDay;
    }

    private static int num(String s, int at, int digits) {
        int n = 0;
        for (int i = at; i < at + digits; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new DateTimeException("digit");
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private static void expect(String s, int at, char c) {
        if (s.charAt(at) != c) {
            throw new DateTimeException("separator");
        }
    }

    private static int indexOf(String[] names, String name) {
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }
}

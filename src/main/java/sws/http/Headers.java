package sws.http;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The header fields of a request in the order received; names compare case-insensitively. */
public final class Headers {
    private String[] names = new String[4];
    private String[] values = new String[4];
    private int size;

    void add(String name, String value) {
        if (size == names.length) {
            names = Arrays.copyOf(names, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        names[size] = name;
        values[size++] = value;
    }

    public int size() {
        return size;
    }

    public String name(int i) {
        return names[i];
    }

    public String value(int i) {
        return values[i];
    }

    /** The first value of the named field, or null. */
    public String get(String name) {
        for (int i = 0; i < size; i++) {
            if (names[i].equalsIgnoreCase(name)) {
                return values[i];
            }
        }
        return null;
    }

    /**
     * A list field's lines as the one line RFC 9110 5.3 says they are (values joined by ", "), or null when
     * there is none; the first line itself when there is only one, so the common case makes nothing new.
     */
    public String list(String name) {
        String first = null;
        StringBuilder joined = null;
        for (int i = 0; i < size; i++) {
            if (names[i].equalsIgnoreCase(name)) {
                if (first == null) {
                    first = values[i];
                } else {
                    if (joined == null) {
                        joined = new StringBuilder(first);
                    }
                    joined.append(", ").append(values[i]);
                }
            }
        }
        return joined != null ? joined.toString() : first;
    }

    /** How many fields carry this name. */
    public int count(String name) {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (names[i].equalsIgnoreCase(name)) {
                n++;
            }
        }
        return n;
    }

    /** Every value of the named field, in order. */
    public List<String> all(String name) {
        List<String> found = new ArrayList<>(1);
        for (int i = 0; i < size; i++) {
            if (names[i].equalsIgnoreCase(name)) {
                found.add(values[i]);
            }
        }
        return found;
    }

    /** Whether a comma-separated field such as Connection holds this token (case-insensitive). */
    public boolean hasToken(String name, String token) {
        for (int i = 0; i < size; i++) {
            if (names[i].equalsIgnoreCase(name)) {
                for (String part : values[i].split(",")) {
                    if (part.trim().equalsIgnoreCase(token)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}

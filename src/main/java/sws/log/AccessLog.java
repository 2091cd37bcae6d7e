package sws.log;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import sws.io.Ascii;

/**
 * The access log of spec section 6, one line per request: {@code %a %t "%r" %>s %b}. Event loops only
 * queue an entry; one writer thread formats and writes, so a slow disk never delays serving. Closing
 * writes every queued line before it returns.
 */
public final class AccessLog implements AutoCloseable {
    /** One request as the log records it; requestLine holds the raw bytes the client sent. */
    public record Entry(String address, long epochSecond, byte[] requestLine, int status, long bytes) {}

    private static final Entry STOP = new Entry("", 0, new byte[0], 0, 0);
    private static final Entry REOPEN = new Entry("", 0, new byte[0], 0, 0);

    private final LinkedBlockingQueue<Entry> queue = new LinkedBlockingQueue<>();
    private final Path file;
    private OutputStream out; // the writer thread's alone
    private final Thread writer;
    private volatile boolean warned;

    private AccessLog(OutputStream out, Path file) {
        this.out = out;
        this.file = file;
        this.writer = Thread.ofPlatform().name("sws-log").daemon().unstarted(this::run);
        writer.start();
    }

    /** A log appended to file, which is created when missing. */
    public static AccessLog append(Path file) throws IOException {
        return new AccessLog(new FileOutputStream(file.toFile(), true), file);
    }

    /**
     * Closes the log file and opens it again by name, after the lines queued so far: logrotate moves the
     * file away and signals, and the next lines go to a new file. A no-op for a log on stdout.
     */
    public void reopen() {
        if (file != null) {
            queue.add(REOPEN);
        }
    }

    /** A log written to a stream that stays open after the log closes (stdout under -d). */
    public static AccessLog to(OutputStream stream) {
        return new AccessLog(
                new OutputStream() {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        stream.write(b, off, len);
                    }

                    @Override
                    public void write(int b) throws IOException {
                        stream.write(b);
                    }

                    @Override
                    public void flush() throws IOException {
                        stream.flush();
                    }
                },
                null);
    }

    /** Queues one line; never blocks. */
    public void log(Entry entry) {
        queue.add(entry);
    }

    private void run() {
        var batch = new ArrayList<Entry>();
        var buffered = new BufferedOutputStream(out, 64 * 1024);
        long second = Long.MIN_VALUE;
        String time = "";
        boolean stopping = false;
        while (!stopping) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                continue;
            }
            queue.drainTo(batch);
            for (Entry e : batch) {
                if (e == STOP) {
                    stopping = true;
                    continue;
                }
                if (e == REOPEN) {
                    buffered = reopenFile(buffered);
                    continue;
                }
                if (e.epochSecond != second) {
                    second = e.epochSecond;
                    time = timestamp(second);
                }
                write(buffered, format(e, time));
            }
            batch.clear();
            if (queue.isEmpty()) {
                flush(buffered);
            }
        }
        flush(buffered);
        try {
            out.close();
        } catch (IOException e) {
            warn(e);
        }
    }

    /** Writes out and closes the current file, then opens it again by name (a new file if it was moved). */
    private BufferedOutputStream reopenFile(BufferedOutputStream buffered) {
        flush(buffered);
        try {
            out.close();
        } catch (IOException e) {
            warn(e);
        }
        try {
            out = new FileOutputStream(file.toFile(), true);
            warned = false; // a new file: a new failure deserves a new warning
        } catch (IOException e) {
            warn(e);
            out = OutputStream.nullOutputStream();
        }
        return new BufferedOutputStream(out, 64 * 1024);
    }

    /** The whole line, newline included. */
    static byte[] format(Entry e, String time) {
        StringBuilder sb = new StringBuilder(64 + e.requestLine.length);
        sb.append(e.address).append(' ').append(time).append(" \"");
        escape(e.requestLine, sb);
        sb.append("\" ").append(e.status).append(' ').append(e.bytes).append('\n');
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** %r with '"', '\' and every byte outside printable ASCII escaped, so no client can forge a line. */
    static void escape(byte[] raw, StringBuilder sb) {
        for (byte b : raw) {
            int c = b & 0xff;
            if (c == '"' || c == '\\') {
                sb.append('\\').append((char) c);
            } else if (!Ascii.isPrintable(c)) {
                sb.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
            } else {
                sb.append((char) c);
            }
        }
    }

    /** ISO 8601 in UTC to the second: 2026-11-20T12:12:12Z. */
    static String timestamp(long epochSecond) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        return String.format(
                "%04d-%02d-%02dT%02d:%02d:%02dZ",
                t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond());
    }

    private void write(OutputStream buffered, byte[] line) {
        try {
            buffered.write(line);
        } catch (IOException e) {
            warn(e);
        }
    }

    private void flush(OutputStream buffered) {
        try {
            buffered.flush();
        } catch (IOException e) {
            warn(e);
        }
    }

    private void warn(IOException e) {
        if (!warned) {
            warned = true;
            System.err.println("sws: cannot write the access log: " + e.getMessage());
        }
    }

    /** Writes every line queued so far, then stops the writer. */
    @Override
    public void close() {
        queue.add(STOP);
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

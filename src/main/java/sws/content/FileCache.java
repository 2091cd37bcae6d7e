package sws.content;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import sws.http.Body;
import sws.http.HeadCache;
import sws.http.HttpDate;
import sws.http.Request;
import sws.http.Response;
import sws.http.Status;

/**
 * Small files and generated listings kept in memory with their heads pre-encoded, keyed by the decoded
 * request path (nginx's open_file_cache is the model). A hit costs one stat(2) of the file and the write:
 * the stat catches a file changed in place at once. The whole path lookup (links, containment, hidden
 * names, index.html) is run again at most once a second; a file whose real path, size, modification time
 * or inode changed is dropped. A listing lives for the second it was made in, and less if its directory
 * changes. Bounded in entries and bytes; shared by all event loops.
 */
final class FileCache {
    static final long MAX_FILE_BYTES = 128 * 1024;
    static final long MAX_TOTAL_BYTES = 16L * 1024 * 1024;
    static final int MAX_ENTRIES = 4096;
    private static final long IDLE_SECONDS = 10;

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();

    /** One cached answer. */
    static final class Entry {
        private final String key;
        private final Site.Located.File file;
        private final Path statted;
        private final long size;
        private final FileTime modified;
        private final Object fileKey;
        private final Response response;
        private final FileHead head;
        private final long modifiedSecond;
        private volatile long checkedSecond;
        private volatile long usedSecond;

        private Entry(
                String key,
                Site.Located.File file,
                Path statted,
                BasicFileAttributes attributes,
                Response response,
                FileHead head,
                long now) {
            this.key = key;
            this.file = file;
            this.statted = statted;
            this.size = attributes.size();
            this.modified = attributes.lastModifiedTime();
            this.fileKey = attributes.fileKey();
            this.response = response;
            this.head = head;
            this.modifiedSecond = file == null ? 0 : StaticFile.modifiedSecond(file.attributes());
            this.checkedSecond = now;
            this.usedSecond = now;
        }

        long checkedSecond() {
            return checkedSecond;
        }

        void checked(long now) {
            if (checkedSecond != now) {
                checkedSecond = now;
            }
        }

        /** Whether the file (or the listed directory) is as it was: same size, time and inode. */
        boolean unchanged() {
            try {
                return same(Files.readAttributes(statted, BasicFileAttributes.class));
            } catch (IOException e) {
                return false;
            }
        }

        private boolean same(BasicFileAttributes is) {
            return is.size() == size && is.lastModifiedTime().equals(modified) && Objects.equals(is.fileKey(), fileKey);
        }

        /** Whether this entry holds the file a fresh lookup found, as it is now. */
        boolean holds(Site.Located.File found) {
            return file != null && found.file().equals(file.file()) && same(found.attributes());
        }

        private Body.Shared shared() {
            return (Body.Shared) response.body();
        }

        /** The answer to this request: the cached 200, or what the conditions and ranges make of it. */
        Response respond(Request request) {
            long now = checkedSecond;
            if (usedSecond != now) {
                usedSecond = now;
            }
            if (file == null) {
                return response;
            }
            return StaticFile.respond(
                    request, head, modifiedSecond, size, new Source.Memory(shared().data()), response);
        }

        private long bytes() {
            return response.body().length();
        }
    }

    /** The clock of the cache: the epoch second. */
    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    Entry get(String key) {
        return entries.get(key);
    }

    /** Drops the entry for a path that no longer leads to what it held. */
    void forget(String key) {
        Entry entry = entries.get(key);
        if (entry != null) {
            remove(entry);
        }
    }

    void remove(Entry entry) {
        if (entries.remove(entry.key, entry)) {
            bytes.addAndGet(-entry.bytes());
        }
    }

    /**
     * The entry for a file a lookup found: the one held, renewed for this second, when it holds that file
     * unchanged; else the file read anew. Null when it is too large, does not fit, or changes meanwhile.
     */
    Entry file(String key, Site.Located.File file, String cacheControl) {
        Entry held = entries.get(key);
        if (held != null && held.holds(file)) {
            held.checked(now());
            return held;
        }
        long size = file.attributes().size();
        if (size > MAX_FILE_BYTES || !makeRoom(size)) {
            return null;
        }
        ByteBuffer content = ByteBuffer.allocateDirect((int) size);
        String type;
        try (FileChannel channel = FileChannel.open(file.file(), StandardOpenOption.READ)) {
            type = MimeTypes.of(file.file().getFileName().toString(), channel);
            while (content.hasRemaining() && channel.read(content, content.position()) > 0) {
                // until the whole file is in
            }
            if (content.hasRemaining() || channel.size() != size) {
                return null; // the file changed while it was read; the next request tries again
            }
        } catch (IOException e) {
            return null;
        }
        content.flip();
        FileHead head = new FileHead(
                type,
                HttpDate.format(StaticFile.modifiedSecond(file.attributes())),
                EntityTag.of(file.attributes(), null),
                null,
                false,
                cacheControl);
        Response response =
                new Response(Status.OK, head.ok(), new Body.Shared(content.asReadOnlyBuffer()), new HeadCache());
        return store(new Entry(key, file, file.file(), file.attributes(), response, head, now()));
    }

    /** Keeps a generated listing for the rest of this second. */
    Entry listing(String key, Site.Located.Listing listing, Response page) {
        if (!(page.body() instanceof Body.Bytes html) || page.status() != Status.OK || !makeRoom(html.length())) {
            return null;
        }
        BasicFileAttributes dir;
        try {
            dir = Files.readAttributes(listing.dir(), BasicFileAttributes.class);
        } catch (IOException e) {
            return null;
        }
        ByteBuffer content =
                ByteBuffer.allocateDirect(html.data().length).put(html.data()).flip();
        Response response =
                new Response(Status.OK, page.fields(), new Body.Shared(content.asReadOnlyBuffer()), new HeadCache());
        return store(new Entry(key, null, listing.dir(), dir, response, null, now()));
    }

    private Entry store(Entry entry) {
        bytes.addAndGet(entry.bytes());
        Entry old = entries.put(entry.key, entry);
        if (old != null) {
            bytes.addAndGet(-old.bytes());
        }
        return entry;
    }

    /** Drops entries unused for a while, then any, until size more bytes fit; false if they never can. */
    private boolean makeRoom(long size) {
        if (size > MAX_TOTAL_BYTES) {
            return false;
        }
        if (bytes.get() + size <= MAX_TOTAL_BYTES && entries.size() < MAX_ENTRIES) {
            return true;
        }
        long idleBefore = now() - IDLE_SECONDS;
        for (Entry e : entries.values()) {
            if (e.usedSecond < idleBefore) {
                remove(e);
            }
        }
        for (Entry e : entries.values()) {
            if (bytes.get() + size <= MAX_TOTAL_BYTES && entries.size() < MAX_ENTRIES) {
                break;
            }
            remove(e);
        }
        return true;
    }
}

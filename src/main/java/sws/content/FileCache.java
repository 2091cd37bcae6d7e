package sws.content;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
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
 * request path (nginx's open_file_cache is the model). A file's entry holds every form it is sent in: its
 * own bytes, each precompressed sidecar, and its gzip made once here when it has no sidecar and its type
 * compresses. A hit costs one stat(2) of the file and the write: the stat
 * catches a file changed in place at once. The whole path lookup (links, containment, hidden names,
 * index.html, sidecars) is run again at most once a second; a file whose real path, size, modification
 * time or inode changed is dropped. A listing lives for the second it was made in, and less if its
 * directory changes. Bounded in entries and bytes; shared by all event loops.
 */
final class FileCache {
    static final long MAX_FILE_BYTES = 128 * 1024;
    static final long MAX_TOTAL_BYTES = 16L * 1024 * 1024;
    static final int MAX_ENTRIES = 4096;
    private static final long IDLE_SECONDS = 10;

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();

    /**
     * One form of a cached file, with its 200 ready to send.
     *
     * @param sidecar the file it was read from when it is a sidecar, else null
     */
    record Form(FileHead head, long modifiedSecond, Response ok, Sidecars.Sidecar sidecar) {
        long size() {
            return ok.body().length();
        }

        Codings.Candidate candidate() {
            return new Codings.Candidate(head.coding(), size());
        }
    }

    /** One cached answer. */
    static final class Entry {
        private final String key;
        private final Site.Located.File file;
        private final Path statted;
        private final long size;
        private final FileTime modified;
        private final Object fileKey;
        private final Response listing;
        private final List<Form> forms;
        private final List<Sidecars.Sidecar> sidecars;
        private volatile long checkedSecond;
        private volatile long usedSecond;
        private volatile Chosen chosen;

        /** The form the last Accept-Encoding weighed chose, for the next request that sends the same. */
        private record Chosen(String accept, Form form) {}

        private Entry(
                String key,
                Site.Located.File file,
                Path statted,
                BasicFileAttributes attributes,
                Response listing,
                List<Form> forms,
                List<Sidecars.Sidecar> sidecars,
                long now) {
            this.key = key;
            this.file = file;
            this.statted = statted;
            this.size = attributes.size();
            this.modified = attributes.lastModifiedTime();
            this.fileKey = attributes.fileKey();
            this.listing = listing;
            this.forms = forms;
            this.sidecars = sidecars;
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

        /** Whether this entry holds the file a fresh lookup found, as it is now, with the same sidecars. */
        boolean holds(Site.Located.File found, List<Sidecars.Sidecar> foundSidecars) {
            return file != null
                    && found.file().equals(file.file())
                    && same(found.attributes())
                    && sameSidecars(foundSidecars);
        }

        private boolean sameSidecars(List<Sidecars.Sidecar> found) {
            if (found.size() != sidecars.size()) {
                return false;
            }
            for (int i = 0; i < found.size(); i++) {
                var a = found.get(i);
                var b = sidecars.get(i);
                if (!a.file().equals(b.file())
                        || a.attributes().size() != b.attributes().size()
                        || !a.attributes()
                                .lastModifiedTime()
                                .equals(b.attributes().lastModifiedTime())) {
                    return false;
                }
            }
            return true;
        }

        /**
         * The answer to this request: the cached 200 of the form Accept-Encoding chooses, or what the
         * conditions and ranges make of it. A sidecar is not statted on a hit: the bytes sent are the ones
         * read, whole, and the lookup of each second finds a sidecar that changed.
         */
        Response respond(Request request) {
            long now = checkedSecond;
            if (usedSecond != now) {
                usedSecond = now;
            }
            if (listing != null) {
                return listing;
            }
            Form form = choose(request);
            var data = ((Body.Shared) form.ok().body()).data();
            return StaticFile.respond(
                    request, form.head(), form.modifiedSecond(), form.size(), new Source.Memory(data), form.ok());
        }

        /** The form to send; gzip made here is not sent for a Range, which applies to the file's own bytes. */
        private Form choose(Request request) {
            String accept = request.headers().list("Accept-Encoding");
            if (accept == null || forms.size() == 1) {
                return forms.get(0);
            }
            boolean ranged = request.headers().get("Range") != null;
            Chosen last = chosen;
            if (!ranged && last != null && last.accept().equals(accept)) {
                return last.form(); // the same clients send the same field: weigh it once
            }
            Form form = weigh(accept, ranged);
            if (!ranged) {
                chosen = new Chosen(accept, form);
            }
            return form;
        }

        private Form weigh(String accept, boolean ranged) {
            List<Codings.Candidate> candidates = new ArrayList<>(forms.size());
            for (Form f : forms) {
                if (!(ranged && f.sidecar() == null && f.head().coding() != null)) {
                    candidates.add(f.candidate());
                }
            }
            Codings.Candidate chosen = Codings.choose(accept, candidates);
            for (Form f : forms) {
                if (Objects.equals(f.head().coding(), chosen.coding())) {
                    return f;
                }
            }
            return forms.get(0);
        }

        private long bytes() {
            if (listing != null) {
                return listing.body().length();
            }
            long total = 0;
            for (Form f : forms) {
                total += f.size();
            }
            return total;
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
     * and its sidecars unchanged; else the file read anew. Null when it or a sidecar is too large, does not
     * fit, or changes meanwhile.
     */
    Entry file(String key, Site.Located.File file, List<Sidecars.Sidecar> sidecars, Site.Policy policy) {
        Entry held = entries.get(key);
        if (held != null && held.holds(file, sidecars)) {
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
            if (!readWhole(channel, content, size)) {
                return null; // the file changed while it was read; the next request tries again
            }
        } catch (IOException e) {
            return null;
        }
        boolean gzip = sidecars.isEmpty() && policy.gzips(type, size);
        boolean vary = !sidecars.isEmpty() || gzip;
        List<Form> forms = new ArrayList<>(4);
        String tag = EntityTag.of(file.attributes(), null);
        long modified = StaticFile.modifiedSecond(file.attributes());
        forms.add(form(
                new FileHead(type, HttpDate.format(modified), tag, null, vary, policy.cacheControl()),
                modified,
                content,
                null));
        for (Sidecars.Sidecar sidecar : sidecars) {
            ByteBuffer bytes = read(sidecar);
            if (bytes == null) {
                return null;
            }
            long m = StaticFile.modifiedSecond(sidecar.attributes());
            String t = EntityTag.of(sidecar.attributes(), sidecar.coding());
            forms.add(form(
                    new FileHead(type, HttpDate.format(m), t, sidecar.coding(), true, policy.cacheControl()),
                    m,
                    bytes,
                    sidecar));
        }
        if (gzip) {
            ByteBuffer gz = Gzip.compress(content);
            FileHead head = new FileHead(
                    type, HttpDate.format(modified), EntityTag.derived(tag, "gz"), "gzip", true, policy.cacheControl());
            forms.add(form(head, modified, gz, null));
        }
        return store(new Entry(key, file, file.file(), file.attributes(), null, List.copyOf(forms), sidecars, now()));
    }

    private static Form form(FileHead head, long modifiedSecond, ByteBuffer data, Sidecars.Sidecar sidecar) {
        Response ok = new Response(Status.OK, head.ok(), new Body.Shared(data.asReadOnlyBuffer()), new HeadCache());
        return new Form(head, modifiedSecond, ok, sidecar);
    }

    private ByteBuffer read(Sidecars.Sidecar sidecar) {
        long size = sidecar.attributes().size();
        if (size > MAX_FILE_BYTES || !makeRoom(size)) {
            return null;
        }
        ByteBuffer content = ByteBuffer.allocateDirect((int) size);
        try (FileChannel channel = FileChannel.open(sidecar.file(), StandardOpenOption.READ)) {
            return readWhole(channel, content, size) ? content : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Reads a whole file; false when it is not the size it was (it changed meanwhile). */
    private static boolean readWhole(FileChannel channel, ByteBuffer content, long size) throws IOException {
        while (content.hasRemaining() && channel.read(content, content.position()) > 0) {
            // until the whole file is in
        }
        if (content.hasRemaining() || channel.size() != size) {
            return false;
        }
        content.flip();
        return true;
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
        return store(new Entry(key, null, listing.dir(), dir, response, List.of(), List.of(), now()));
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

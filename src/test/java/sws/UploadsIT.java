package sws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sws.testing.Processes;

/**
 * Issue 8, large uploads through CGI with the default options: a 100 MiB git push through Debian's
 * git-http-backend (git sends it as a chunked POST, which sws gathers on disk) and a clone of it back; and a
 * chunked body that outgrows the space for it, which fails with 507 before its program ever starts.
 */
class UploadsIT {
    private static final Pattern LISTENING = Pattern.compile("sws: listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final Duration START = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    private Path docroot;
    private Path cgi;
    private final Processes processes = new Processes();

    @BeforeEach
    void makeDirectories() throws IOException {
        docroot = Files.createDirectory(tmp.resolve("docroot"));
        cgi = Files.createDirectory(tmp.resolve("cgi"));
    }

    @AfterEach
    void killEverythingStarted() {
        processes.close();
    }

    @Test
    void aHundredMebibyteGitPushAndCloneGoThroughGitHttpBackend() throws Exception {
        Path repos = Files.createDirectory(tmp.resolve("repos"));
        git(repos, "init", "-q", "--bare", "project.git");
        git(repos.resolve("project.git"), "config", "http.receivepack", "true");
        String backend = git(tmp, "--exec-path").strip() + "/git-http-backend";
        program("git", "GIT_PROJECT_ROOT=" + repos + " GIT_HTTP_EXPORT_ALL=1 exec " + backend + "\n");

        Path work = Files.createDirectory(tmp.resolve("work"));
        git(work, "init", "-q");
        byte[] content = new byte[100 * 1024 * 1024];
        new Random(8).nextBytes(content);
        Files.write(work.resolve("big.bin"), content);
        git(work, "add", "big.bin");
        git(work, "-c", "user.name=sws", "-c", "user.email=sws@localhost", "commit", "-q", "-m", "100 MiB");

        Processes.Running sws = processes.start("-f", "-i", "127.0.0.1", "-p", "0", "-c", cgi.toString(), dir());
        String url = "http://127.0.0.1:" + port(sws) + "/cgi-bin/git/project.git";

        git(work, "push", "-q", url, "HEAD:refs/heads/main");
        git(tmp, "clone", "-q", "--branch", "main", url, "clone");

        assertThat(sha256(tmp.resolve("clone/big.bin")))
                .as("the clone holds the file pushed")
                .isEqualTo(sha256(work.resolve("big.bin")));
        assertThat(sws.stderr().text()).as("sws's stderr").doesNotContain("Exception");
    }

    @Test
    void aChunkedBodyThatOutgrowsItsSpaceIs507AndItsProgramNeverRuns() throws Exception {
        Path ran = tmp.resolve("ran");
        program("count.sh", "touch " + ran + "\nprintf 'Content-Type: text/plain\\r\\n\\r\\nran'\n");
        // A file-size limit of 4 MiB stands in for a full disk: the temporary file's write fails (EFBIG; the
        // JVM ignores SIGXFSZ) just as it would with ENOSPC.
        Path spool = Files.createDirectory(tmp.resolve("spool"));
        Processes.Running sws = processes.startAfter(
                "export JAVA_TOOL_OPTIONS=-Djava.io.tmpdir=" + spool + " && ulimit -f 4096",
                "-f",
                "-i",
                "127.0.0.1",
                "-p",
                "0",
                "-c",
                cgi.toString(),
                dir());
        int port = port(sws);

        Process curl = new ProcessBuilder(
                        "curl",
                        "-sS",
                        "-o",
                        "/dev/null",
                        "-w",
                        "%{http_code}",
                        "-H",
                        "Transfer-Encoding: chunked",
                        "-X",
                        "POST",
                        "--data-binary",
                        "@-",
                        "http://127.0.0.1:" + port + "/cgi-bin/count.sh")
                .start();
        try (OutputStream body = curl.getOutputStream()) {
            byte[] piece = new byte[64 * 1024];
            for (int i = 0; i < 160; i++) { // 10 MiB
                body.write(piece);
            }
        } catch (IOException e) {
            // curl stopped sending once it had its answer
        }
        String status = new String(curl.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(curl.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(status).isEqualTo("507");
        assertThat(ran).as("the program never started").doesNotExist();
        assertThat(sws.stderr().text()).contains("cannot keep the request body");
        try (Stream<Path> left = Files.list(spool)) {
            assertThat(left).as("temporary body files left behind").isEmpty();
        }

        String small = new String(
                new ProcessBuilder(
                                "curl",
                                "-sS",
                                "--data-binary",
                                "small",
                                "http://127.0.0.1:" + port + "/cgi-bin/count.sh")
                        .start()
                        .getInputStream()
                        .readAllBytes(),
                StandardCharsets.UTF_8);
        assertThat(small).as("a body that fits still works").isEqualTo("ran");
    }

    private void program(String name, String body) throws IOException {
        Path p = Files.writeString(cgi.resolve(name), "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Runs git in dir with no user or system configuration; fails the test unless it exits 0. */
    private String git(Path dir, String... args) throws IOException, InterruptedException {
        var command = new java.util.ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        var env = builder.environment();
        env.keySet().removeIf(k -> k.toLowerCase().endsWith("_proxy") || k.startsWith("GIT_"));
        env.put("HOME", tmp.toString());
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        Process p = builder.start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(180, TimeUnit.SECONDS))
                .as("git %s ended", String.join(" ", args))
                .isTrue();
        assertThat(p.exitValue()).as("git %s: %s", String.join(" ", args), out).isZero();
        return out;
    }

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private String dir() {
        return docroot.toString();
    }

    private static int port(Processes.Running sws) {
        return Integer.parseInt(sws.stderr().awaitLine(LISTENING, START).group(1));
    }
}

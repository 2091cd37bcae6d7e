package sws;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment recipe of examples/deploy, run rather than read: the rolling restart of three sws
 * instances behind HAProxy under load (rolling-restart.sh, which must fail no request), the systemd unit
 * as systemd-analyze sees it, and the HAProxy configuration as HAProxy sees it. Each test is skipped when
 * the program it needs is missing.
 */
class DeployIT {
    private static final Path DEPLOY = Path.of("examples", "deploy");
    private static final Duration ROLLING_RESTART_BOUND = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    @Test
    void aRollingRestartBehindHaproxyFailsNoRequest() throws Exception {
        Assumptions.assumeTrue(program("haproxy").isPresent(), "no haproxy binary");
        Assumptions.assumeTrue(program("python3").isPresent(), "no python3");
        Path output = tmp.resolve("rolling-restart.out");

        Run run = run(
                List.of("bash", DEPLOY.resolve("rolling-restart.sh").toString()),
                Map.of("SWS_JAR", jar().toString(), "JAVA_HOME", System.getProperty("java.home")),
                output,
                ROLLING_RESTART_BOUND);
        System.out.print(run.output()); // the figures, in failsafe's report

        assertThat(run.timedOut())
                .as("rolling-restart.sh ended within %s; it said:%n%s", ROLLING_RESTART_BOUND, run.output())
                .isFalse();
        assertThat(run.exitCode())
                .as("rolling-restart.sh's exit status; it said:%n%s", run.output())
                .isZero();
        assertThat(run.output().lines())
                .as("its verdict")
                .anyMatch(l -> l.matches("rolling-restart: [1-9]\\d* requests, 0 failed"));
        assertThat(run.output().lines()).as("its failure count").contains("failures 0");
    }

    @Test
    void systemdAnalyzeFindsNothingWrongWithTheUnit() throws Exception {
        Optional<Path> analyze = program("systemd-analyze");
        Assumptions.assumeTrue(analyze.isPresent(), "no systemd-analyze");
        // verify insists that ExecStart's program exists: point /opt/sws at this checkout, whose bin/sws
        // is the program the unit runs once installed there.
        Path top = Path.of("").toAbsolutePath();
        String unit = Files.readString(DEPLOY.resolve("sws@.service"), StandardCharsets.UTF_8)
                .replace("/opt/sws/", top + "/");
        Path template = tmp.resolve("sws@.service");
        Files.writeString(template, unit);
        Path instance = tmp.resolve("sws@8081.service");
        Files.writeString(instance, unit);

        Run run = run(
                List.of(analyze.get().toString(), "verify", template.toString(), instance.toString()),
                Map.of(),
                tmp.resolve("verify.out"),
                Duration.ofSeconds(60));

        assertThat(run.timedOut()).isFalse();
        assertThat(run.exitCode())
                .as("systemd-analyze verify said: %s", run.output())
                .isZero();
        assertThat(run.output()).as("systemd-analyze verify's complaints").isBlank();
    }

    @Test
    void haproxyAcceptsItsConfiguration() throws Exception {
        Optional<Path> haproxy = program("haproxy");
        Assumptions.assumeTrue(haproxy.isPresent(), "no haproxy binary");

        Run run = run(
                List.of(
                        haproxy.get().toString(),
                        "-c",
                        "-f",
                        DEPLOY.resolve("haproxy.cfg").toString()),
                Map.of(
                        "SWS_FRONTEND", "127.0.0.1:8080",
                        "SWS_PORT1", "8081",
                        "SWS_PORT2", "8082",
                        "SWS_PORT3", "8083",
                        "SWS_SOURCE", "127.0.0.1",
                        "SWS_STATS", tmp.resolve("stats.sock").toString()),
                tmp.resolve("check.out"),
                Duration.ofSeconds(30));

        assertThat(run.timedOut()).isFalse();
        assertThat(run.exitCode()).as("haproxy -c said: %s", run.output()).isZero();
        assertThat(run.output()).contains("Configuration file is valid");
    }

    // ---- helpers

    private record Run(boolean timedOut, int exitCode, String output) {}

    /**
     * Runs a command from the project's folder with stdout and stderr into a file, for at most the bound;
     * past it, SIGTERM (rolling-restart.sh then kills what it started, by process id), and SIGKILL to it
     * and its descendants 15 s later.
     */
    private static Run run(List<String> command, Map<String, String> env, Path output, Duration bound)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        boolean timedOut = !p.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS);
        if (timedOut) {
            List<ProcessHandle> descendants = new ArrayList<>(p.descendants().toList());
            p.destroy();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            descendants.forEach(ProcessHandle::destroyForcibly);
            p.waitFor(5, TimeUnit.SECONDS);
        }
        String text = Files.readString(output, StandardCharsets.UTF_8);
        return new Run(timedOut, timedOut ? -1 : p.exitValue(), text);
    }

    private static Path jar() {
        Path jar = Path.of(System.getProperty("sws.jar", "target/sws.jar"));
        assertThat(jar).as("the packaged sws (mvn package)").isRegularFile();
        return jar.toAbsolutePath();
    }

    /** A program on PATH, or in the sbin folders a non-root PATH may lack. */
    private static Optional<Path> program(String name) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.concat(Arrays.stream(path.split(File.pathSeparator)), Stream.of("/usr/sbin", "/usr/local/sbin"))
                .filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, name))
                .filter(Files::isExecutable)
                .findFirst();
    }
}

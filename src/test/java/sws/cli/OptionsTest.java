package sws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sws.Config;
import sws.http.Limits;

/** Spec section 1: the command line read as getopt(3) and getopt_long(3) read one. */
class OptionsTest {
    @Test
    void shortOptionsClusterAndTakeTheirValueJoinedOrNext() throws Exception {
        for (String[] args : new String[][] {
            {"-df", "-p8081", "dir"}, {"-d", "-f", "-p", "8081", "dir"}, {"-dfp8081", "dir"}, {"-dfp", "8081", "dir"}
        }) {
            Options o = Options.parse(args);
            assertThat(o.debug).as(String.join(" ", args)).isTrue();
            assertThat(o.foreground).isTrue();
            assertThat(o.port).isEqualTo(8081);
            assertThat(o.docroot).isEqualTo(Path.of("dir"));
        }
    }

    @Test
    void longOptionsTakeTheirValueAfterASpaceOrAnEqualsSign() throws Exception {
        Options spaced = Options.parse("--loops", "3", "--max-body", "12", "--userdir", "www", "dir");
        Options joined = Options.parse("--loops=3", "--max-body=12", "--userdir=www", "dir");
        for (Options o : new Options[] {spaced, joined}) {
            assertThat(o.loops).isEqualTo(3);
            assertThat(o.maxBody).isEqualTo(12);
            assertThat(o.userdir).isEqualTo("www");
        }
    }

    @Test
    void doubleDashEndsTheOptions() throws Exception {
        assertThat(Options.parse("-f", "--", "-odd-name").docroot).isEqualTo(Path.of("-odd-name"));
    }

    @Test
    void defaultsAreConfigsOwn() throws Exception {
        Config c = Options.parse("dir").config();
        Config d = Config.builder(Path.of("dir")).build();
        assertThat(c).isEqualTo(d);
        assertThat(c.limits()).isEqualTo(Limits.DEFAULT);
    }

    @Test
    void helpAndVersionNeedNoDocroot() throws Exception {
        assertThat(Options.parse("-h").help).isTrue();
        assertThat(Options.parse("--version").version).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "-x dir",
                "--bogus dir",
                "-f",
                "dir other",
                "-p",
                "-p notanumber dir",
                "-p 70000 dir",
                "--loops 0 dir",
                "--version=1 dir",
                "--cgi-timeout 0 dir",
                "--max-body 99999999999999999999 dir"
            })
    void misuseIsRefusedWithAMessage(String line) {
        assertThatThrownBy(() -> Options.parse(line.split(" ")))
                .isInstanceOf(Options.Misuse.class)
                .hasMessageStartingWith("")
                .message()
                .isNotBlank();
    }

    @Test
    void usageNamesEveryOptionWithItsDefault() {
        assertThat(Options.usage())
                .startsWith("Usage: sws [-dfh] [-c dir] [-i address] [-l file] [-p port] [long options] dir")
                .contains("-p port")
                .contains("(default 8080;")
                .contains("--max-body BYTES")
                .contains("(default " + Limits.DEFAULT.maxBodyBytes() + ";");
    }
}

package sws.content;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Issue 8: sizes in a listing as people read them, binary units with one decimal. */
class DirectoryIndexSizesTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "0, 0 B",
        "1, 1 B",
        "1023, 1023 B",
        "1024, 1.0 KiB",
        "1536, 1.5 KiB",
        "1048524, 1023.9 KiB",
        "1048575, 1.0 MiB",
        "1048576, 1.0 MiB",
        "3221225472, 3.0 GiB",
        "5497558138880, 5.0 TiB",
        "9223372036854775807, 8.0 EiB"
    })
    void sizesAreHumanReadable(long bytes, String shown) {
        assertThat(DirectoryIndex.humanSize(bytes)).isEqualTo(shown);
    }
}

package sws.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.Locale;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Spec section 3, HTTP: the dates of Date, Last-Modified and If-Modified-Since (RFC 9110 section 5.6.7). */
class HttpDateTest {
    /** The instant of the RFC 9110 examples: Sun, 06 Nov 1994 08:49:37 GMT. */
    private static final long RFC_EXAMPLE = 784111777L;

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "784111777  | Sun, 06 Nov 1994 08:49:37 GMT",
                "0          | Thu, 01 Jan 1970 00:00:00 GMT",
                "951782400  | Tue, 29 Feb 2000 00:00:00 GMT",
                "1735689599 | Tue, 31 Dec 2024 23:59:59 GMT",
                "4102444800 | Fri, 01 Jan 2100 00:00:00 GMT",
            })
    void formatsImfFixdate(long epochSecond, String text) {
        assertThat(HttpDate.format(epochSecond)).isEqualTo(text);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"})
    void parsesTheThreeFormatsOfRfc9110(String text) {
        assertThat(HttpDate.parse(text)).isEqualTo(RFC_EXAMPLE);
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "Thu, 01 Jan 1970 00:00:00 GMT     | 0",
                "Tue, 29 Feb 2000 00:00:00 GMT     | 951782400",
                "Sun Nov 16 08:49:37 1994          | 784975777",
                "Monday, 01-Jan-90 00:00:00 GMT    | 631152000",
                "Tuesday, 29-Feb-00 00:00:00 GMT   | 951782400",
                "Wednesday, 09-Nov-94 08:49:37 GMT | 784370977",
                "'  Sun, 06 Nov 1994 08:49:37 GMT ' | 784111777",
            })
    void parsesOtherDates(String text, long epochSecond) {
        assertThat(HttpDate.parse(text)).isEqualTo(epochSecond);
    }

    @Test
    void rfc850TwoDigitYearMoreThanFiftyYearsAheadIsInThePastCentury() {
        int thisYear = ZonedDateTime.now(ZoneOffset.UTC).getYear();
        int ahead = thisYear + 10;
        int behind = thisYear + 60 - 100;
        assertThat(HttpDate.parse(rfc850NewYear(ahead))).isEqualTo(newYear(ahead));
        assertThat(HttpDate.parse(rfc850NewYear(behind))).isEqualTo(newYear(behind));
    }

    /** 1 January of that year in RFC 850 form, such as "Thursday, 01-Jan-70 00:00:00 GMT". */
    private static String rfc850NewYear(int year) {
        String day = LocalDate.of(year, 1, 1).getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
        return "%s, 01-Jan-%02d 00:00:00 GMT".formatted(day, year % 100);
    }

    private static long newYear(int year) {
        return LocalDate.of(year, 1, 1).atStartOfDay().toEpochSecond(ZoneOffset.UTC);
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(
            strings = {
                "",
                "   ",
                "garbage",
                "yesterday",
                "784111777",
                "Sun, 06 Nov 1994 08:49:37 PST",
                "Sun, 06 Nov 1994 08:49:37",
                "Sun, 06 Nov 1994 08:49:37 GMTX",
                "Sun, 6 Nov 1994 08:49:37 GMT",
                "Sun, 06 nov 1994 08:49:37 GMT",
                "Sun, 06 Foo 1994 08:49:37 GMT",
                "Xyz, 06 Nov 1994 08:49:37 GMT",
                "Sun, 32 Nov 1994 08:49:37 GMT",
                "Wed, 30 Feb 1994 08:49:37 GMT",
                "Sun, 06 Nov 1994 08-49-37 GMT",
                "Sun, 06 Nov 1994 0a:49:37 GMT",
                "Sun, 06 Nov 94 08:49:37 GMT",
                "Sun 06 Nov 1994 08:49:37 GMT",
                "Sunday, 06-Nov-94 08:49:37",
                "Sunday, 06-Nov-1994 08:49:37 GMT",
                "Sundae, 06-Nov-94 08:49:37 GMT",
                "Sunday, 06 Nov 94 08:49:37 GMT",
                "Sun Nov  6 08:49:37",
                "Sun Nov 6 08:49:37 1994",
                "Sun Nov  6 08:49:37 1994 GMT",
                "Sun Xxx  6 08:49:37 1994",
                "1994-11-06T08:49:37Z",
            })
    void garbageIsMinValue(String text) {
        assertThat(HttpDate.parse(text)).isEqualTo(Long.MIN_VALUE);
    }

    static LongStream instants() {
        Random random = new Random(7);
        return LongStream.concat(
                LongStream.of(0, RFC_EXAMPLE, 951782400L, 4102444799L), random.longs(50, 0, 4102444800L));
    }

    @ParameterizedTest
    @MethodSource("instants")
    void parseReadsWhatFormatWrites(long epochSecond) {
        String text = HttpDate.format(epochSecond);
        assertThat(text).hasSize(29);
        assertThat(HttpDate.parse(text)).isEqualTo(epochSecond);
        assertThat(text)
                .isEqualTo(DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH)
                        .format(Instant.ofEpochSecond(epochSecond).atZone(ZoneOffset.UTC)));
    }

    @Test
    void nowIsTheCurrentSecondInImfFixdate() {
        long before = System.currentTimeMillis() / 1000;
        String now = HttpDate.now();
        long after = System.currentTimeMillis() / 1000;
        assertThat(now).endsWith(" GMT").hasSize(29);
        assertThat(HttpDate.parse(now)).isBetween(before, after);
    }
}

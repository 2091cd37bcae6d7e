package sws;

import java.util.function.UnaryOperator;
import sws.testing.TestTls;

/** The HTTP protocol table of {@link HttpProtocolTest}, every case over TLS (spec section 7.1). */
class HttpsProtocolTest extends HttpProtocolTest {
    @Override
    UnaryOperator<Config.Builder> transport() {
        return TestTls::on;
    }
}

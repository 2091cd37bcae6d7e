package sws.net;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * The server's certificate and key as the JDK's TLS wants them (spec section 7.1), reloadable while the
 * server runs; and the worker threads that run the costly part of each handshake off the event loops.
 */
public final class TlsContext implements AutoCloseable {
    static {
        // A client may not renegotiate (TLS 1.2): each renegotiation costs the server a full handshake.
        if (System.getProperty("jdk.tls.rejectClientInitiatedRenegotiation") == null) {
            System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
        }
    }

    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final String HTTP_1_1 = "http/1.1";

    private final Path certificate;
    private final Path key;
    private final AtomicReference<Loaded> current = new AtomicReference<>();
    private final ExecutorService tasks;

    private record Loaded(SSLContext context, SSLParameters parameters, int bufferSize) {}

    /** Why a certificate or key cannot be used: one line naming the file and the cause. */
    public static final class Unusable extends IOException {
        Unusable(String message) {
            super(message, null);
        }
    }

    private TlsContext(Path certificate, Path key, Loaded loaded) {
        this.certificate = certificate;
        this.key = key;
        this.current.set(loaded);
        AtomicInteger n = new AtomicInteger();
        this.tasks = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), r -> Thread.ofPlatform()
                .name("sws-tls-" + n.incrementAndGet())
                .daemon()
                .unstarted(r));
    }

    /** The PEM certificate chain and private key at these paths, checked to belong together. */
    public static TlsContext load(Path certificate, Path key) throws Unusable {
        return new TlsContext(certificate, key, read(certificate, key));
    }

    /**
     * Reads the files again (SIGHUP): new connections get the new pair; a pair that fails to load leaves
     * the one in use as it is.
     */
    public void reload() throws Unusable {
        current.set(read(certificate, key));
    }

    private static Loaded read(Path certificate, Path key) throws Unusable {
        PemFiles.Identity identity = PemFiles.read(certificate, key);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = new char[0];
            store.setKeyEntry(
                    "sws", identity.key(), password, identity.chain().toArray(new java.security.cert.Certificate[0]));
            KeyManagerFactory keys = KeyManagerFactory.getInstance("SunX509");
            keys.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            SSLParameters parameters = context.getDefaultSSLParameters();
            parameters.setProtocols(PROTOCOLS);
            parameters.setUseCipherSuitesOrder(true);
            parameters.setNeedClientAuth(false);
            SSLEngine probe = context.createSSLEngine();
            int size = Math.max(
                    probe.getSession().getPacketBufferSize(), probe.getSession().getApplicationBufferSize());
            return new Loaded(context, parameters, size);
        } catch (GeneralSecurityException | IOException e) {
            throw new Unusable(
                    "cannot use the key in " + key + " with the certificate in " + certificate + ": " + e.getMessage());
        }
    }

    /** A server-side engine with the pair in use now: TLS 1.3 and 1.2, http/1.1 over ALPN when asked. */
    SSLEngine newEngine() {
        Loaded loaded = current.get();
        SSLEngine engine = loaded.context().createSSLEngine();
        engine.setUseClientMode(false);
        engine.setSSLParameters(loaded.parameters());
        // Chosen when the client offers it; a client offering only other protocols gets none rather than
        // a failed handshake, as nginx does.
        engine.setHandshakeApplicationProtocolSelector((e, offered) -> offered.contains(HTTP_1_1) ? HTTP_1_1 : "");
        return engine;
    }

    /** The size of buffer that holds any record, encrypted or not. */
    int bufferSize() {
        return current.get().bufferSize();
    }

    java.util.concurrent.Executor tasks() {
        return tasks;
    }

    /** The names in the certificate in use, for messages. */
    public List<String> files() {
        return List.of(certificate.toString(), key.toString());
    }

    @Override
    public void close() {
        tasks.shutdownNow();
    }
}

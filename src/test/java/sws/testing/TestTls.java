package sws.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import sws.Config;

/**
 * Certificates and keys for TLS tests, made by openssl as a user would make them (spec section 7.1), once per
 * test run; and client contexts that trust them.
 */
public final class TestTls {
    private static final Path DIR = directory();
    private static final ConcurrentHashMap<String, Pair> PAIRS = new ConcurrentHashMap<>();

    /** A certificate file and its key file. */
    public record Pair(Path certificate, Path key) {}

    private TestTls() {}

    private static Path directory() {
        try {
            Path dir = Files.createTempDirectory("sws-tls");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Settings with HTTPS on, with the EC P-256 pair every test shares. */
    public static Config.Builder on(Config.Builder c) {
        Pair p = pair("ec");
        return c.tls(Config.Tls.of(p.certificate(), p.key()));
    }

    /**
     * A self-signed pair for localhost, 127.0.0.1 and ::1, of a kind: "ec" (P-256, PKCS#8), "ec-sec1",
     * "p384-sec1", "rsa" (PKCS#8), "rsa-pkcs1", "ed25519", "rsa-encrypted" (PKCS#8, AES), "rsa-pkcs1-encrypted".
     */
    public static Pair pair(String kind) {
        return PAIRS.computeIfAbsent(kind, TestTls::make);
    }

    private static Pair make(String kind) {
        Path cert = DIR.resolve(kind + ".crt");
        Path key = DIR.resolve(kind + ".key");
        Path plain = DIR.resolve(kind + ".plain.key");
        String keyArgs =
                switch (kind) {
                    case "ec", "ec-sec1" -> "-newkey ec -pkeyopt ec_paramgen_curve:P-256";
                    case "p384-sec1" -> "-newkey ec -pkeyopt ec_paramgen_curve:P-384";
                    case "ed25519" -> "-newkey ed25519";
                    default -> "-newkey rsa:2048";
                };
        openssl("req -x509 " + keyArgs + " -nodes -keyout " + plain + " -out " + cert
                + " -days 30 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1");
        switch (kind) {
            case "ec-sec1", "p384-sec1" -> openssl("ec -in " + plain + " -out " + key);
            case "rsa-pkcs1" -> openssl("pkey -in " + plain + " -traditional -out " + key);
            case "rsa-encrypted" -> openssl("pkey -in " + plain + " -aes256 -passout pass:secret -out " + key);
            case "rsa-pkcs1-encrypted" ->
                openssl("rsa -in " + plain + " -traditional -aes256 -passout pass:secret -out " + key);
            default -> copy(plain, key);
        }
        return new Pair(cert, key);
    }

    private static void copy(Path from, Path to) {
        try {
            Files.copy(from, to);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs openssl with these arguments (split on spaces), failing the test if it fails. */
    public static void openssl(String args) {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args.split(" ")));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] output = p.getInputStream().readAllBytes();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("openssl " + args + " failed: " + new String(output));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A client context that trusts the shared EC certificate only. */
    public static SSLContext client() {
        return trusting(pair("ec").certificate());
    }

    /** A client context that trusts the certificates in these files only. */
    public static SSLContext trusting(Path... certificates) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < certificates.length; i++) {
                try (InputStream in = Files.newInputStream(certificates[i])) {
                    store.setCertificateEntry(
                            "server" + i,
                            CertificateFactory.getInstance("X.509").generateCertificate(in));
                }
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

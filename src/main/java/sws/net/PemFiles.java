package sws.net;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A certificate chain and its private key read from PEM files with the JDK alone: certificates as X.509;
 * keys as PKCS#8, PKCS#1 (RSA) or SEC1 (EC), the last two rewrapped as PKCS#8, which is what the JDK's key
 * factories read. Every failure is one line that names the file and the cause.
 */
final class PemFiles {
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\r?\\n(.*?)-----END \\1-----", Pattern.DOTALL);

    /** rsaEncryption (1.2.840.113549.1.1.1) with its NULL parameters, DER. */
    private static final byte[] RSA_ALGORITHM = {
        0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00
    };

    /** id-ecPublicKey (1.2.840.10045.2.1), DER. */
    private static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    private static final String[] ALGORITHMS = {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"};

    /** The key and the chain it signs for, leaf first. */
    record Identity(PrivateKey key, List<X509Certificate> chain) {}

    private PemFiles() {}

    static Identity read(Path certificateFile, Path keyFile) throws TlsContext.Unusable {
        List<X509Certificate> chain = certificates(certificateFile);
        PrivateKey key = privateKey(keyFile);
        if (!matches(key, chain.get(0).getPublicKey())) {
            throw new TlsContext.Unusable(
                    "the key in " + keyFile + " does not match the certificate in " + certificateFile);
        }
        return new Identity(key, chain);
    }

    private static String text(Path file, String what) throws TlsContext.Unusable {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new TlsContext.Unusable("cannot read " + what + " " + file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new TlsContext.Unusable("cannot read " + what + " " + file + ": permission denied");
        } catch (IOException e) {
            throw new TlsContext.Unusable("cannot read " + what + " " + file + ": " + e.getMessage());
        }
    }

    private static List<X509Certificate> certificates(Path file) throws TlsContext.Unusable {
        String pem = text(file, "certificate");
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            Matcher m = BLOCK.matcher(pem);
            while (m.find()) {
                if (m.group(1).equals("CERTIFICATE")) {
                    chain.add((X509Certificate)
                            factory.generateCertificate(new ByteArrayInputStream(base64(m.group(2), file))));
                }
            }
        } catch (CertificateException e) {
            throw new TlsContext.Unusable("certificate " + file + " cannot be read: " + e.getMessage());
        }
        if (chain.isEmpty()) {
            throw new TlsContext.Unusable("certificate " + file + " holds no PEM certificate (BEGIN CERTIFICATE)");
        }
        return chain;
    }

    private static PrivateKey privateKey(Path file) throws TlsContext.Unusable {
        String pem = text(file, "key");
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            String type = m.group(1);
            String body = m.group(2);
            if (type.equals("ENCRYPTED PRIVATE KEY") || body.contains("Proc-Type: 4,ENCRYPTED")) {
                throw new TlsContext.Unusable("key " + file
                        + " is encrypted; give sws an unencrypted copy (openssl pkey -in KEY -out PLAIN.key)");
            }
            byte[] der =
                    switch (type) {
                        case "PRIVATE KEY" -> base64(body, file);
                        case "RSA PRIVATE KEY" ->
                            sequence(new byte[] {0x02, 0x01, 0x00}, RSA_ALGORITHM, octets(base64(body, file)));
                        case "EC PRIVATE KEY" -> sec1(base64(body, file), file);
                        default -> null; // EC PARAMETERS and the like, which openssl writes before the key
                    };
            if (der != null) {
                return decode(der, file);
            }
        }
        throw new TlsContext.Unusable(
                "key " + file + " holds no PEM private key (BEGIN PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
    }

    private static PrivateKey decode(byte[] pkcs8, Path file) throws TlsContext.Unusable {
        for (String algorithm : ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (GeneralSecurityException | RuntimeException e) {
                // not this algorithm's key: try the next
            }
        }
        throw new TlsContext.Unusable("key " + file + " is not an RSA, EC or Ed25519 key the JDK can read");
    }

    /**
     * SEC1's ECPrivateKey names its curve inside ([0] parameters); PKCS#8 names it beside the key. So the
     * curve's OID is read out and the whole SEC1 structure wrapped.
     */
    private static byte[] sec1(byte[] der, Path file) throws TlsContext.Unusable {
        try {
            Der outer = new Der(der, 0);
            Der field = outer.firstChild(0x30);
            while (field != null) {
                if (field.tag == (byte) 0xa0) {
                    Der curve = field.firstChild(0xa0);
                    byte[] algorithm = sequence(EC_PUBLIC_KEY, curve.whole());
                    return sequence(new byte[] {0x02, 0x01, 0x00}, algorithm, octets(der));
                }
                field = field.next(outer);
            }
        } catch (RuntimeException e) {
            // malformed: reported below
        }
        throw new TlsContext.Unusable("key " + file + " is an EC key without a named curve, or malformed");
    }

    /** Whether the key is the certificate's: the same RSA modulus, or a signature the certificate's key verifies. */
    private static boolean matches(PrivateKey key, PublicKey certified) {
        if (key instanceof RSAKey rsa) {
            return certified instanceof RSAKey other && rsa.getModulus().equals(other.getModulus());
        }
        String algorithm =
                switch (key.getAlgorithm()) {
                    case "EC" -> "SHA256withECDSA";
                    case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
                    default -> null;
                };
        if (algorithm == null) {
            return true; // nothing to check it with; the handshake will tell
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certified);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // a key of another kind than the certificate's
        }
    }

    private static byte[] base64(String body, Path file) throws TlsContext.Unusable {
        try {
            return Base64.getMimeDecoder().decode(body.replaceAll("(?m)^[A-Za-z-]+:.*$", ""));
        } catch (IllegalArgumentException e) {
            throw new TlsContext.Unusable(file + " is not valid PEM: " + e.getMessage());
        }
    }

    // ---- the little DER these conversions need

    private static byte[] sequence(byte[]... parts) {
        return tagged(0x30, parts);
    }

    private static byte[] octets(byte[] content) {
        return tagged(0x04, content);
    }

    private static byte[] tagged(int tag, byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            content.writeBytes(p);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = content.size();
        if (n < 0x80) {
            out.write(n);
        } else {
            int bytes = n < 0x100 ? 1 : n < 0x10000 ? 2 : 3;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(n >>> (8 * i));
            }
        }
        out.writeBytes(content.toByteArray());
        return out.toByteArray();
    }

    /** One DER element: its tag, where its content begins and ends in the whole. */
    private static final class Der {
        final byte[] data;
        final int start;
        final byte tag;
        final int contentStart;
        final int end;

        Der(byte[] data, int start) {
            this.data = data;
            this.start = start;
            this.tag = data[start];
            int length = data[start + 1] & 0xff;
            int at = start + 2;
            if (length >= 0x80) {
                int bytes = length & 0x7f;
                if (bytes > 3) {
                    throw new IllegalArgumentException("DER length too large");
                }
                length = 0;
                for (int i = 0; i < bytes; i++) {
                    length = (length << 8) | (data[at++] & 0xff);
                }
            }
            this.contentStart = at;
            this.end = at + length;
            if (end > data.length) {
                throw new IllegalArgumentException("DER element beyond its data");
            }
        }

        /** The first element inside this one, checked to be of the tag expected of this one. */
        Der firstChild(int expectedTag) {
            if (tag != (byte) expectedTag) {
                throw new IllegalArgumentException("unexpected DER tag");
            }
            return contentStart < end ? new Der(data, contentStart) : null;
        }

        /** The element after this one inside parent, or null. */
        Der next(Der parent) {
            return end < parent.end ? new Der(data, end) : null;
        }

        byte[] whole() {
            return java.util.Arrays.copyOfRange(data, start, end);
        }
    }
}

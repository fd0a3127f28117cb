package io.greenloop.net;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates made at test time with the JDK's {@code keytool} (nothing checked in): self-signed EC P-256
 * key pairs in PKCS12 files, loaded into {@link SSLContext}s. Each costs a {@code keytool} run (a few
 * seconds on a busy machine), so they are made once per JVM.
 */
final class TestKeys {

    static final char[] PASSWORD = "changeit".toCharArray();

    /** For {@code localhost} and {@code 127.0.0.1}. */
    static final KeyStore LOCALHOST;
    /** For {@code other.example} only: a hostname mismatch for a client that asked for localhost. */
    static final KeyStore OTHER_HOST;

    static {
        try {
            Path dir = Files.createTempDirectory("greenloop-tls");
            Process localhost = keytool(dir, "localhost", "SAN=dns:localhost,ip:127.0.0.1");
            Process other = keytool(dir, "other", "SAN=dns:other.example");
            LOCALHOST = load(localhost, dir.resolve("localhost.p12"));
            OTHER_HOST = load(other, dir.resolve("other.p12"));
            Files.delete(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private TestKeys() {
    }

    private static Process keytool(Path dir, String name, String subjectAltNames) throws IOException {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        return new ProcessBuilder(List.of(keytool, "-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + name, "-ext", subjectAltNames, "-validity", "2", "-storetype", "PKCS12",
                "-keystore", dir.resolve(name + ".p12").toString(), "-storepass", new String(PASSWORD)))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static KeyStore load(Process keytool, Path file) throws IOException, GeneralSecurityException, InterruptedException {
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IllegalStateException("keytool failed to make " + file);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, PASSWORD);
        }
        Files.delete(file);
        return store;
    }

    /** A TLS context that presents {@code keys} and trusts only the certificates of {@code trusted}. */
    static SSLContext context(KeyStore keys, KeyStore... trusted) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            for (KeyStore store : trusted) {
                for (String alias : java.util.Collections.list(store.aliases())) {
                    trust.setCertificateEntry(alias, store.getCertificate(alias));
                }
            }
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            KeyManagerFactory keyManagers = null;
            if (keys != null) {
                keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keyManagers.init(keys, PASSWORD);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers == null ? null : keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The server's context: presents the localhost certificate. */
    static SSLContext server() {
        return context(LOCALHOST, LOCALHOST);
    }

    /** A client that trusts the localhost certificate (and the other one, so hostname checks are what fail). */
    static SSLContext client() {
        return context(null, LOCALHOST, OTHER_HOST);
    }
}

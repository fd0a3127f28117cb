package io.greenloop.tour;

import io.greenloop.process.Subprocess;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;

/**
 * TLS contexts for {@code localhost} made at run time, for the tour and the TLS benchmarks: the JDK's
 * {@code keytool} makes a self-signed EC P-256 certificate in a PKCS12 file (run as a {@link Subprocess}, so
 * the calling thread's loop keeps running while it works), the file is loaded the way README.md shows and
 * deleted. Nothing is checked in. Call it on a loop's thread or in a greenlet.
 *
 * @param server presents the certificate
 * @param client trusts only that certificate
 */
public record SelfSignedTls(SSLContext server, SSLContext client) {

    private static final char[] PASSWORD = "changeit".toCharArray();

    /** Makes a fresh key pair and certificate for {@code localhost} and {@code 127.0.0.1}, parking while keytool runs. */
    public static SelfSignedTls localhost() throws IOException, GeneralSecurityException {
        Path dir = Files.createTempDirectory("greenloop-tour-tls");
        Path file = dir.resolve("localhost.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        try (Subprocess run = Subprocess.start(keytool, "-genkeypair", "-alias", "localhost", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-validity", "1", "-storetype", "PKCS12", "-keystore", file.toString(), "-storepass", new String(PASSWORD))) {
            Subprocess.Result result = run.communicate(new byte[0], Duration.ofSeconds(60));
            if (result.exitCode() != 0) {
                throw new IOException("keytool failed: " + new String(result.stderr(), StandardCharsets.UTF_8));
            }
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            keys.load(in, PASSWORD);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, PASSWORD);
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(keys);
        SSLContext server = SSLContext.getInstance("TLSv1.3");
        server.init(keyManagers.getKeyManagers(), null, null);
        SSLContext client = SSLContext.getInstance("TLSv1.3");
        client.init(null, trustManagers.getTrustManagers(), null);
        return new SelfSignedTls(server, client);
    }
}

package io.tollgate.tls;

import java.math.BigInteger;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import io.tollgate.TollgateApplication;
import io.tollgate.testsupport.TestCertificates;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped {@code tls} profile reloads its certificate when the files change (Spring Boot's SSL bundle
 * {@code reload-on-update}): a rotated certificate is served to new connections without a restart.
 */
class TlsCertificateReloadTest {

	@Test
	void aRotatedCertificateIsServedToNewConnectionsWithoutARestart() throws Exception {
		TestCertificates certificates = new TestCertificates();
		try (ConfigurableApplicationContext gateway = new SpringApplicationBuilder(TollgateApplication.class)
			.profiles("tls")
			.run("--server.port=0", "--management.server.port=0",
					"--TOLLGATE_TLS_CERT=" + certificates.file("server.crt"),
					"--TOLLGATE_TLS_KEY=" + certificates.file("server.key"),
					// The default quiet period (10 s) waits for a secret store to finish writing; a test need not.
					"--spring.ssl.bundle.watch.file.quiet-period=200ms")) {
			int port = ((WebServerApplicationContext) gateway).getWebServer().getPort();
			BigInteger before = servedSerial(certificates, port);

			certificates.issue("server", "CN=localhost");

			Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
			BigInteger after = before;
			while (after.equals(before) && Instant.now().isBefore(deadline)) {
				Thread.sleep(100);
				after = servedSerial(certificates, port);
			}
			assertThat(after).as("serial of the certificate served after the rotation").isNotEqualTo(before);
		}
	}

	/** The serial number of the certificate the gateway presents to a new TLS connection. */
	private static BigInteger servedSerial(TestCertificates certificates, int port) throws Exception {
		KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
		trusted.load(null, null);
		trusted.setCertificateEntry("ca", certificates.ca());
		TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		trust.init(trusted);
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(null, trust.getTrustManagers(), null);
		try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", port)) {
			socket.setSoTimeout(5000);
			socket.startHandshake();
			return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
		}
	}

}

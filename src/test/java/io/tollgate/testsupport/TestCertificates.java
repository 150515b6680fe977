package io.tollgate.testsupport;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made for one test run: a CA, and server and client certificates it signed, written as PEM files.
 * Nothing is checked in, nothing outlives the run.
 */
public final class TestCertificates {

	private final Path directory;

	private final KeyPair caKeys = keyPair();

	private final X509Certificate ca;

	public TestCertificates() {
		try {
			this.directory = Files.createTempDirectory("tollgate-tls");
			this.ca = certificate("CN=Tollgate Test CA", this.caKeys, "CN=Tollgate Test CA", this.caKeys, true);
			write("ca.crt", this.ca);
			issue("server", "CN=localhost");
			issue("client", "CN=tollgate-gateway");
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** {@code ca.crt}, {@code server.crt}/{@code server.key}, {@code client.crt}/{@code client.key}. */
	public Path file(String name) {
		return this.directory.resolve(name);
	}

	public X509Certificate ca() {
		return this.ca;
	}

	/**
	 * Issues a new certificate and key over {@code name.crt} and {@code name.key} (a rotation): the key first, then
	 * the certificate, as a secret store would replace them.
	 */
	public void issue(String name, String subject) throws Exception {
		KeyPair keys = keyPair();
		write(name + ".key", keys.getPrivate());
		write(name + ".crt", certificate(subject, keys, "CN=Tollgate Test CA", this.caKeys, false));
	}

	private static X509Certificate certificate(String subject, KeyPair keys, String issuer, KeyPair issuerKeys, boolean ca)
			throws Exception {
		Instant now = Instant.now();
		X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name(issuer),
				BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(1, ChronoUnit.DAYS)),
				Date.from(now.plus(1, ChronoUnit.DAYS)), new X500Name(subject), keys.getPublic());
		builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
		if (!ca) {
			builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
					new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1") }));
		}
		return new JcaX509CertificateConverter()
			.getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKeys.getPrivate())));
	}

	private void write(String name, Object object) throws IOException {
		StringWriter pem = new StringWriter();
		try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
			writer.writeObject(object);
		}
		Files.writeString(this.directory.resolve(name), pem.toString());
	}

	private static KeyPair keyPair() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
			generator.initialize(2048);
			return generator.generateKeyPair();
		}
		catch (Exception ex) {
			throw new UncheckedIOException(new IOException(ex));
		}
	}

}

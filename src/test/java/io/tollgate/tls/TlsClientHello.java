package io.tollgate.tls;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * A TLS ClientHello built byte by byte and sent over a plain socket, and what the server answers to it: a client
 * library cannot tell whether the server would accept an old protocol version, since it refuses to offer one
 * itself (JDK 17 disables TLS 1.0 and 1.1). RFC 5246 section 7.4.1.2, RFC 8446 section 4.1.2.
 */
final class TlsClientHello {

	/** TLS 1.1 as {@code legacy_version}. */
	static final int TLS_1_1 = 0x0302;

	/** TLS 1.2 as {@code legacy_version}. */
	static final int TLS_1_2 = 0x0303;

	private static final int HANDSHAKE = 22;

	private static final int ALERT = 21;

	private static final int SERVER_HELLO = 2;

	/**
	 * ECDHE-RSA with AES-GCM (TLS 1.2) and with AES-CBC-SHA (TLS 1.0/1.1 era), plain RSA AES-CBC-SHA, and the
	 * renegotiation SCSV.
	 */
	private static final int[] CIPHER_SUITES = { 0xc02f, 0xc030, 0xc013, 0xc014, 0x002f, 0x0035, 0x00ff };

	/** x25519, secp256r1, secp384r1. */
	private static final int[] GROUPS = { 0x001d, 0x0017, 0x0018 };

	/** rsa_pss_rsae_sha256/384, rsa_pkcs1_sha256/384/sha1, ecdsa_secp256r1_sha256. */
	private static final int[] SIGNATURE_ALGORITHMS = { 0x0804, 0x0805, 0x0401, 0x0501, 0x0201, 0x0403 };

	/** How the server answered a ClientHello. */
	enum Answer {

		/** A ServerHello: the server goes on with the handshake. */
		SERVER_HELLO,
		/** An alert record (RFC 5246 section 7.2). */
		ALERT,
		/** The connection closed before any record. */
		CLOSED,
		/** Some other record. */
		OTHER

	}

	private TlsClientHello() {
	}

	/**
	 * Sends a ClientHello offering only {@code version} (no {@code supported_versions} extension, so TLS 1.3 is
	 * not offered) with the extensions a TLS 1.2 server needs, and reads the first record of the answer.
	 */
	static Answer send(String host, int port, int version) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host, port), 5_000);
			socket.setSoTimeout(10_000);
			socket.getOutputStream().write(record(version, host));
			socket.getOutputStream().flush();
			DataInputStream in = new DataInputStream(socket.getInputStream());
			byte[] header = new byte[5];
			try {
				in.readFully(header);
			}
			catch (EOFException ex) {
				return Answer.CLOSED;
			}
			int type = header[0] & 0xFF;
			if (type == ALERT) {
				return Answer.ALERT;
			}
			if (type == HANDSHAKE && in.readUnsignedByte() == SERVER_HELLO) {
				return Answer.SERVER_HELLO;
			}
			return Answer.OTHER;
		}
	}

	/** The ClientHello in one TLS record. */
	static byte[] record(int version, String serverName) {
		ByteArrayOutputStream hello = new ByteArrayOutputStream();
		u16(hello, version);
		byte[] random = new byte[32];
		new SecureRandom().nextBytes(random);
		hello.writeBytes(random);
		hello.write(0); // no session id
		u16(hello, CIPHER_SUITES.length * 2);
		for (int suite : CIPHER_SUITES) {
			u16(hello, suite);
		}
		hello.write(1); // one compression method: null
		hello.write(0);
		byte[] extensions = extensions(serverName);
		u16(hello, extensions.length);
		hello.writeBytes(extensions);

		ByteArrayOutputStream handshake = new ByteArrayOutputStream();
		handshake.write(1); // client_hello
		u24(handshake, hello.size());
		handshake.writeBytes(hello.toByteArray());

		ByteArrayOutputStream record = new ByteArrayOutputStream();
		record.write(HANDSHAKE);
		u16(record, 0x0301); // record-layer version of a first ClientHello (RFC 8446 section 5.1)
		u16(record, handshake.size());
		record.writeBytes(handshake.toByteArray());
		return record.toByteArray();
	}

	private static byte[] extensions(String serverName) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		byte[] name = serverName.getBytes(StandardCharsets.US_ASCII);
		ByteArrayOutputStream sni = new ByteArrayOutputStream();
		u16(sni, name.length + 3);
		sni.write(0); // host_name
		u16(sni, name.length);
		sni.writeBytes(name);
		extension(out, 0x0000, sni.toByteArray());

		extension(out, 0x000a, list16(GROUPS));
		extension(out, 0x000b, new byte[] { 1, 0 }); // ec_point_formats: uncompressed
		extension(out, 0x000d, list16(SIGNATURE_ALGORITHMS));
		extension(out, 0x0017, new byte[0]); // extended_master_secret
		return out.toByteArray();
	}

	private static byte[] list16(int[] values) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		u16(out, values.length * 2);
		for (int value : values) {
			u16(out, value);
		}
		return out.toByteArray();
	}

	private static void extension(ByteArrayOutputStream out, int type, byte[] data) {
		u16(out, type);
		u16(out, data.length);
		out.writeBytes(data);
	}

	private static void u16(ByteArrayOutputStream out, int value) {
		out.write(value >> 8);
		out.write(value);
	}

	private static void u24(ByteArrayOutputStream out, int value) {
		out.write(value >> 16);
		u16(out, value);
	}

}

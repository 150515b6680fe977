package io.tollgate;

import io.tollgate.testsupport.RecordingUpstream;

import org.springframework.boot.SpringApplication;

/**
 * What {@code ./mvnw spring-boot:run} starts: the sample upstream on 127.0.0.1:9000 and Tollgate with the
 * {@code demo} profile (config-repo/application-demo.yml). Test code, so the sample never ships in the jar.
 */
public final class DemoGateway {

	private DemoGateway() {
	}

	public static void main(String[] args) {
		RecordingUpstream upstream = RecordingUpstream.start(Integer.getInteger("demo.upstream.port", 9000));
		Runtime.getRuntime().addShutdownHook(new Thread(upstream::close));
		SpringApplication.run(TollgateApplication.class, args);
	}

}

package io.tollgate;

import io.tollgate.testsupport.RecordingUpstream;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Profile;

/**
 * The sample upstream of {@code ./mvnw spring-boot:run}: on 127.0.0.1:{@code demo.sample-upstream.port} (the pom
 * passes 9000), echoing what it received, in front of which the {@code demo} profile's routes sit. Test code, so
 * it never ships in the jar; the gateway itself runs as {@link TollgateApplication}, the jar's and the image's
 * main class, with the test classpath added.
 */
@Configuration(proxyBeanMethods = false)
@Profile("demo")
@ConditionalOnProperty("demo.sample-upstream.port")
class DemoSampleUpstream {

	@Bean(destroyMethod = "close")
	RecordingUpstream sampleUpstream(@Value("${demo.sample-upstream.port}") int port) {
		return RecordingUpstream.start(port);
	}

}

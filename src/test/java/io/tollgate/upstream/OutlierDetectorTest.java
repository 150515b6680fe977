package io.tollgate.upstream;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Passive health: an instance that fails {@code consecutive-failures} times in a row is out of rotation for
 * {@code ejection-time}, then back; never more than {@code max-ejection-percent} of a service is out.
 */
class OutlierDetectorTest {

	private static final long NOW = 1_000_000;

	private static final Duration EJECTION = Duration.ofSeconds(30);

	private final ServiceInstance a = instance("10.0.0.1", 8080);

	private final ServiceInstance b = instance("10.0.0.2", 8080);

	private final ServiceInstance c = instance("10.0.0.3", 8080);

	private final ServiceInstance d = instance("10.0.0.4", 8080);

	private final List<ServiceInstance> four = List.of(this.a, this.b, this.c, this.d);

	private final OutlierDetector detector = detector(true, 3, 50);

	@Test
	void instanceIsEjectedOnTheConfiguredConsecutiveFailureNotBefore() {
		fail(this.a, 2);
		assertThat(this.detector.isEjected(key(this.a), NOW)).isFalse();
		assertThat(this.detector.healthy(this.four, NOW)).containsExactly(this.a, this.b, this.c, this.d);

		fail(this.a, 1);
		assertThat(this.detector.isEjected(key(this.a), NOW)).isTrue();
		assertThat(this.detector.healthy(this.four, NOW)).containsExactly(this.b, this.c, this.d);
		assertThat(this.detector.ejectedCount(NOW)).isEqualTo(1);
	}

	@Test
	void aSuccessInBetweenRestartsTheCount() {
		fail(this.a, 2);
		this.detector.succeeded(key(this.a));
		fail(this.a, 2);

		assertThat(this.detector.isEjected(key(this.a), NOW)).isFalse();
	}

	@Test
	void failuresOfOneInstanceDoNotCountAgainstAnother() {
		fail(this.a, 2);
		fail(this.b, 2);

		assertThat(this.detector.healthy(this.four, NOW)).hasSize(4);
	}

	@Test
	void ejectedInstanceReturnsWhenTheEjectionTimeHasPassed() {
		fail(this.a, 3);

		long returns = NOW + EJECTION.toMillis();
		assertThat(this.detector.isEjected(key(this.a), returns - 1)).isTrue();
		assertThat(this.detector.isEjected(key(this.a), returns)).isFalse();
		assertThat(this.detector.healthy(this.four, returns)).contains(this.a);
		assertThat(this.detector.ejectedCount(returns)).isZero();
	}

	@Test
	void returnedInstanceStartsAFreshCount() {
		fail(this.a, 3);
		long returns = NOW + EJECTION.toMillis();

		this.detector.failed(key(this.a), returns);
		assertThat(this.detector.isEjected(key(this.a), returns)).isFalse();
		this.detector.failed(key(this.a), returns);
		this.detector.failed(key(this.a), returns);
		assertThat(this.detector.isEjected(key(this.a), returns)).isTrue();
	}

	@Test
	void upToMaxEjectionPercentOfTheInstancesMayBeOut() {
		fail(this.a, 3);
		fail(this.b, 3);

		// 50% of four: two out.
		assertThat(this.detector.healthy(this.four, NOW)).containsExactly(this.c, this.d);
	}

	@Test
	void beyondMaxEjectionPercentEveryInstanceServesAgain() {
		fail(this.a, 3);
		fail(this.b, 3);
		fail(this.c, 3);

		// A shared cause (or a tiny pool): better to spread the load over all than to crush the last one.
		assertThat(this.detector.healthy(this.four, NOW)).containsExactly(this.a, this.b, this.c, this.d);
	}

	@Test
	void theOnlyInstanceOfAServiceIsNeverTakenOutOfRotation() {
		fail(this.a, 3);

		assertThat(this.detector.isEjected(key(this.a), NOW)).isTrue();
		assertThat(this.detector.healthy(List.of(this.a), NOW)).containsExactly(this.a);
	}

	@Test
	void maxEjectionPercentOfZeroEjectsNobody() {
		OutlierDetector never = detector(true, 1, 0);
		never.failed(key(this.a), NOW);

		assertThat(never.healthy(this.four, NOW)).hasSize(4);
	}

	@Test
	void disabledDetectionServesEveryInstance() {
		OutlierDetector disabled = detector(false, 1, 100);
		disabled.failed(key(this.a), NOW);

		assertThat(disabled.healthy(this.four, NOW)).containsExactly(this.a, this.b, this.c, this.d);
	}

	@Test
	void instancesAreKnownByHostAndPort() {
		ServiceInstance sameAddress = new DefaultServiceInstance("other-id", "other-service", "10.0.0.1", 8080, false);
		ServiceInstance otherPort = instance("10.0.0.1", 8081);
		fail(this.a, 3);

		assertThat(OutlierDetector.key(this.a)).isEqualTo("10.0.0.1:8080");
		assertThat(this.detector.healthy(List.of(sameAddress, otherPort, this.b, this.c), NOW))
			.containsExactly(otherPort, this.b, this.c);
	}

	@Test
	void successOfAnInstanceNeverSeenFailingChangesNothing() {
		this.detector.succeeded(key(this.a));

		assertThat(this.detector.ejectedCount(NOW)).isZero();
		assertThat(this.detector.healthy(List.of(), NOW)).isEmpty();
	}

	private void fail(ServiceInstance instance, int times) {
		for (int i = 0; i < times; i++) {
			this.detector.failed(key(instance), NOW);
		}
	}

	private static String key(ServiceInstance instance) {
		return OutlierDetector.key(instance);
	}

	private static OutlierDetector detector(boolean enabled, int consecutiveFailures, int maxEjectionPercent) {
		return new OutlierDetector(
				new UpstreamProperties.OutlierDetection(enabled, consecutiveFailures, EJECTION, maxEjectionPercent));
	}

	private static ServiceInstance instance(String host, int port) {
		return new DefaultServiceInstance(host + ":" + port, "orders", host, port, false);
	}

}

package io.tollgate.ratelimit;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.TollgateApplication;
import io.tollgate.pipeline.PolicyOrder;
import io.tollgate.testsupport.RawRedis;
import io.tollgate.testsupport.RealRedis;
import io.tollgate.testsupport.RecordingUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.server.WebFilter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The exact mode's Redis round trip: on the request's own event loop, exactly the limit across replicas under
 * concurrency, and the script loaded before the gateway says it is ready.
 */
@ExtendWith(RealRedis.class)
class RedisRoundTripTest {

	private static final RecordingUpstream upstream = RecordingUpstream.shared();

	private static final LoopResources clientLoops = LoopResources.create("round-trip-client", 2, true);

	@AfterAll
	static void stop() {
		clientLoops.dispose();
	}

	@Test
	void twoReplicasAdmitExactlyTheLimitUnder200ConcurrentRequests() {
		try (ConfigurableApplicationContext first = replica(); ConfigurableApplicationContext second = replica()) {
			HttpClient client = HttpClient.create(ConnectionProvider.builder("round-trip").maxConnections(200).build())
				.runOn(clientLoops)
				.responseTimeout(Duration.ofSeconds(10));
			List<Integer> ports = List.of(port(first), port(second));

			String tenant = UUID.randomUUID().toString();
			List<Integer> statuses = Flux.range(0, 200)
				.flatMap((i) -> client.headers((headers) -> headers.set("X-Tenant", tenant))
					.get()
					.uri("http://127.0.0.1:" + ports.get(i % 2) + "/concurrent/" + i)
					.responseSingle((response, body) -> Mono.just(response.status().code())), 200)
				.collectList()
				.block(Duration.ofSeconds(30));

			assertThat(statuses).hasSize(200);
			assertThat(statuses.stream().filter((status) -> status == 200).count()).isEqualTo(100);
			assertThat(statuses.stream().filter((status) -> status == 429).count()).isEqualTo(100);
			assertThat(fallbacks(first) + fallbacks(second)).as("decisions made without Redis").isZero();
		}
	}

	@Test
	void aRequestsRedisCallIsAnsweredOnTheThreadThatServesIt() {
		ThreadProbe.threads.clear();
		try (ConfigurableApplicationContext gateway = replica()) {
			HttpClient client = HttpClient.create().runOn(clientLoops);
			String tenant = UUID.randomUUID().toString();
			Flux.range(0, 40)
				.flatMap((i) -> client.headers((headers) -> headers.set("X-Tenant", tenant))
					.get()
					.uri("http://127.0.0.1:" + port(gateway) + "/concurrent/" + i)
					.responseSingle((response, body) -> Mono.just(response.status().code())), 8)
				.blockLast(Duration.ofSeconds(30));

			assertThat(ThreadProbe.threads).hasSize(40);
			ThreadProbe.threads.forEach((path, threads) -> {
				assertThat(threads[1]).as("thread after the Redis call of %s", path).isSameAs(threads[0]);
				assertThat(threads[0].getName()).as("thread serving %s", path).startsWith("reactor-http");
			});
			assertThat(fallbacks(gateway)).isZero();
		}
	}

	@Test
	void readinessReportsUpOnlyOnceTheScriptIsLoaded() throws Exception {
		RawRedis.command(RealRedis.server(), "SCRIPT", "FLUSH");
		ThreadProbe.scriptLoadedWhenReady.set(null);
		try (ConfigurableApplicationContext gateway = replica()) {
			assertThat(ThreadProbe.scriptLoadedWhenReady.get()).as("script loaded when readiness turned UP").isTrue();
		}
	}

	private static long fallbacks(ConfigurableApplicationContext context) {
		return (long) context.getBean(MeterRegistry.class)
			.find("tollgate.ratelimit.fallbacks")
			.counters()
			.stream()
			.mapToDouble((counter) -> counter.count())
			.sum();
	}

	private static ConfigurableApplicationContext replica() {
		RealRedis.Server redis = RealRedis.server();
		return new SpringApplicationBuilder(TollgateApplication.class, ThreadProbe.class).profiles("test", "concurrent")
			.run("--server.port=0", "--management.server.port=0", "--upstream.uri=" + upstream.uri(),
					"--refused.port=1", "--spring.data.redis.host=" + redis.host(),
					"--spring.data.redis.port=" + redis.port(),
					// Exactness is under test here, not the timeout: a loaded test JVM must not fall back.
					"--tollgate.rate-limiting.redis-timeout=5s");
	}

	private static int port(ConfigurableApplicationContext context) {
		return ((WebServerApplicationContext) context).getWebServer().getPort();
	}

	/** Records, per request path, the thread a request started on and the one it continued on after RateLimit. */
	@Configuration(proxyBeanMethods = false)
	static class ThreadProbe {

		static final Map<String, Thread[]> threads = new ConcurrentHashMap<>();

		static final AtomicReference<Boolean> scriptLoadedWhenReady = new AtomicReference<>();

		@Bean
		@Order(Ordered.HIGHEST_PRECEDENCE)
		WebFilter threadAtStart() {
			return (exchange, chain) -> {
				exchange.getAttributes().put("test.thread", Thread.currentThread());
				return chain.filter(exchange);
			};
		}

		@Bean
		GlobalFilter threadAfterRateLimit() {
			class AfterRateLimit implements GlobalFilter, Ordered {

				@Override
				public Mono<Void> filter(org.springframework.web.server.ServerWebExchange exchange,
						org.springframework.cloud.gateway.filter.GatewayFilterChain chain) {
					threads.put(exchange.getRequest().getPath().value(),
							new Thread[] { exchange.getAttribute("test.thread"), Thread.currentThread() });
					return chain.filter(exchange);
				}

				@Override
				public int getOrder() {
					return PolicyOrder.RATE_LIMIT + 1;
				}

			}
			return new AfterRateLimit();
		}

		@EventListener
		void ready(AvailabilityChangeEvent<ReadinessState> event) {
			if (event.getState() == ReadinessState.ACCEPTING_TRAFFIC) {
				RealRedis.Server redis = RealRedis.server();
				RedisClient client = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
				try (StatefulRedisConnection<String, String> connection = client.connect()) {
					scriptLoadedWhenReady.set(connection.sync().scriptExists(LimitScriptSource.SHA1).get(0));
				}
				finally {
					client.shutdown();
				}
			}
		}

	}

}

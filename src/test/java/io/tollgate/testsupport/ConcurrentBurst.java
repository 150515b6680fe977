package io.tollgate.testsupport;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

/**
 * Many requests from one client at once, spread over several gateways: for counting what a limit admits when every
 * request races every other.
 */
public final class ConcurrentBurst {

	/**
	 * One client for every burst, so connections are reused from one burst to the next: a client per burst would
	 * leave hundreds of sockets open each time (until the gateways' idle timeout) and run the JVM out of files.
	 */
	private static final HttpClient http = HttpClient.newBuilder()
		.executor(Executors.newFixedThreadPool(4, (task) -> {
			Thread thread = new Thread(task, "concurrent-burst");
			thread.setDaemon(true);
			return thread;
		}))
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	private ConcurrentBurst() {
	}

	/**
	 * Sends {@code total} GETs of {@code path}, round robin over {@code ports}, all at once, as client {@code ip}
	 * (X-Forwarded-For); returns how many were answered 200. Any answer but 200 and 429 fails.
	 */
	public static int admitted(List<Integer> ports, String path, String ip, int total) throws Exception {
		List<HttpRequest> requests = new ArrayList<>(total);
		for (int i = 0; i < total; i++) {
			requests.add(HttpRequest
				.newBuilder(URI.create("http://127.0.0.1:" + ports.get(i % ports.size()) + path + "/" + i))
				.header("X-Forwarded-For", ip)
				.timeout(Duration.ofSeconds(30))
				.build());
		}
		// Built first, sent in one go: each on a connection of its own, so they race in the gateways.
		List<CompletableFuture<HttpResponse<Void>>> answers = new ArrayList<>(total);
		for (HttpRequest request : requests) {
			answers.add(http.sendAsync(request, HttpResponse.BodyHandlers.discarding()));
		}
		int admitted = 0;
		for (CompletableFuture<HttpResponse<Void>> answer : answers) {
			int status = answer.get().statusCode();
			if (status != 200 && status != 429) {
				throw new AssertionError("a burst request was answered " + status);
			}
			admitted += (status == 200) ? 1 : 0;
		}
		return admitted;
	}

}

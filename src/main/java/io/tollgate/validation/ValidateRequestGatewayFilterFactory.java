package io.tollgate.validation;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.networknt.schema.Schema;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tollgate.config.InvalidConfigurationException;
import io.tollgate.error.ProblemWriter;
import io.tollgate.pipeline.ModeConfig;
import io.tollgate.pipeline.PolicyModes;
import io.tollgate.pipeline.PolicyOrder;
import io.tollgate.pipeline.Shadow;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.OrderedGatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.cloud.gateway.support.HasRouteId;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;
import org.springframework.web.server.ServerWebExchange;

/**
 * {@code ValidateRequest}: stops requests that do not match their contract at the edge. Checks, in order: the
 * content type ({@code content-types}, 415), the body size ({@code max-body-size}, 413, never reading past it),
 * the body against a JSON Schema ({@code body-schema}) and the whole request against an OpenAPI 3 operation
 * ({@code openapi}), 400 with one item per violation. Schemas and documents are compiled once, at startup. A
 * request that passes is forwarded with its body byte for byte as received.
 * <pre>
 * filters:
 *   - name: ValidateRequest
 *     args: { body-schema: config-repo/schemas/order.json, content-types: [application/json], max-body-size: 1MB }
 * </pre>
 */
@Component
public class ValidateRequestGatewayFilterFactory
		extends AbstractGatewayFilterFactory<ValidateRequestGatewayFilterFactory.Config> {

	/**
	 * Bodies at least this large are parsed and validated off the event loop (parallel scheduler): a 16 KB document
	 * takes well under a millisecond; larger ones could hold the loop and every connection on it.
	 */
	private static final int LARGE_BODY = 16 * 1024;

	private static final byte[] NO_BODY = new byte[0];

	private final JsonSchemas schemas;

	private final OpenApiDocuments documents;

	private final BodySizeLimits limits;

	private final BufferedBodies buffered;

	private final ValidationProperties properties;

	private final MeterRegistry meters;

	private final PolicyModes policies;

	ValidateRequestGatewayFilterFactory(JsonSchemas schemas, OpenApiDocuments documents, BodySizeLimits limits,
			BufferedBodies buffered, ValidationProperties properties, MeterRegistry meters, PolicyModes policies) {
		super(Config.class);
		this.policies = policies;
		this.meters = meters;
		this.schemas = schemas;
		this.documents = documents;
		this.limits = limits;
		this.buffered = buffered;
		this.properties = properties;
	}

	/** {@code ValidateRequest=schemas/order.json,16KB}: the body schema, then optionally the body limit. */
	@Override
	public List<String> shortcutFieldOrder() {
		return List.of("bodySchema", "maxBodySize");
	}

	@Override
	public GatewayFilter apply(Config config) {
		config.validate();
		Schema schema = (config.bodySchema != null) ? this.schemas.get(config.bodySchema) : null;
		OpenApiInteractionValidator openapi = (config.openapi != null) ? this.documents.get(config.openapi) : null;
		int maxErrors = (config.maxErrors != null) ? config.maxErrors : this.properties.maxErrors();
		boolean shadow = config.shadow(this.policies);
		return new OrderedGatewayFilter(new ValidateRequestFilter(config, schema, openapi, maxErrors, shadow),
				PolicyOrder.VALIDATE_REQUEST);
	}

	/** A route's ValidateRequest; {@link BodySizeLimits} reads the route's body limit from it. */
	final class ValidateRequestFilter implements GatewayFilter {

		private final Config config;

		private final Schema schema;

		private final OpenApiInteractionValidator openapi;

		private final int maxErrors;

		/**
		 * Content type, schema and OpenAPI violations go through, counted. Not the body size: the limit bounds the
		 * memory a request may hold, trial or not.
		 */
		private final boolean shadow;

		ValidateRequestFilter(Config config, Schema schema, OpenApiInteractionValidator openapi, int maxErrors,
				boolean shadow) {
			this.config = config;
			this.schema = schema;
			this.openapi = openapi;
			this.maxErrors = maxErrors;
			this.shadow = shadow;
		}

		/** The route's own body limit; null when it uses the global one. */
		Long maxBodySize() {
			return (this.config.maxBodySize != null) ? this.config.maxBodySize.toBytes() : null;
		}

		@Override
		public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
			ServerHttpRequest request = exchange.getRequest();
			boolean hasBody = hasBody(request);
			if (hasBody && !this.config.contentTypes.isEmpty()) {
				Rejection rejection = checkContentType(request.getHeaders());
				if (rejection != null) {
					if (!this.shadow) {
						return reject(exchange, rejection);
					}
					// Counted once, for the first thing it would refuse; the body is not read.
					Shadow.letThrough(exchange, ValidateRequestGatewayFilterFactory.this.meters, "validate-request",
							rejection.status().value());
					return chain.filter(exchange);
				}
			}
			if (this.schema == null && this.openapi == null) {
				return chain.filter(exchange);
			}
			long limit = ValidateRequestGatewayFilterFactory.this.limits.of(exchange);
			if (request.getHeaders().getContentLength() > limit) {
				return reject(exchange, Rejection.of(HttpStatus.PAYLOAD_TOO_LARGE, PayloadTooLargeException.REASON));
			}
			AtomicLong held = new AtomicLong();
			Mono<byte[]> body = hasBody ? read(request.getBody(), limit, held) : Mono.just(NO_BODY);
			return body.flatMap((bytes) -> {
				Mono<Rejection> verdict = Mono.fromSupplier(() -> verdict(request, bytes));
				if (bytes.length >= LARGE_BODY) {
					verdict = verdict.subscribeOn(Schedulers.parallel());
				}
				Mono<Void> pass = Mono.defer(() -> chain.filter(exchange.mutate().request(replay(request, bytes)).build()));
				return verdict.map((rejection) -> {
					if (!this.shadow) {
						return reject(exchange, rejection);
					}
					Shadow.letThrough(exchange, ValidateRequestGatewayFilterFactory.this.meters, "validate-request",
							rejection.status().value());
					return pass;
				}).defaultIfEmpty(pass).flatMap((next) -> next);
			})
				.onErrorResume(DataBufferLimitException.class, (ex) -> reject(exchange,
						Rejection.of(HttpStatus.PAYLOAD_TOO_LARGE, PayloadTooLargeException.REASON)))
				.onErrorResume(PayloadTooLargeException.class, (ex) -> reject(exchange,
						Rejection.of(HttpStatus.PAYLOAD_TOO_LARGE, PayloadTooLargeException.REASON)))
				.doFinally((signal) -> ValidateRequestGatewayFilterFactory.this.buffered.release(held.get()));
		}

		/** Null (empty) when the request conforms. */
		private Rejection verdict(ServerHttpRequest request, byte[] bytes) {
			if (this.schema != null && (bytes.length > 0 || requiresBody(request.getMethod()))) {
				Rejection rejection = BodyValidator.validate(this.schema, bytes, this.maxErrors);
				if (rejection != null) {
					return rejection;
				}
			}
			if (this.openapi != null) {
				return RequestValidator.validate(this.openapi, request, bytes, this.config.openapiStrict,
						this.maxErrors);
			}
			return null;
		}

		private Rejection checkContentType(HttpHeaders headers) {
			String declared = headers.getFirst(HttpHeaders.CONTENT_TYPE);
			MediaType type = null;
			try {
				type = (declared != null) ? MediaType.parseMediaType(declared) : null;
			}
			catch (InvalidMediaTypeException ex) {
				// treated as not allowed below
			}
			if (type != null) {
				for (MediaType allowed : this.config.contentTypes) {
					if (allowed.includes(type)) {
						return null;
					}
				}
			}
			return Rejection.of(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Content-Type "
					+ ((declared != null) ? "'" + declared + "'" : "(none)") + " is not allowed; allowed: "
					+ this.config.contentTypes);
		}

		/**
		 * Reads the body into one array, never more than {@code limit} bytes: the read stops (413) as soon as the
		 * body grows past it.
		 */
		private Mono<byte[]> read(Flux<DataBuffer> body, long limit, AtomicLong held) {
			BufferedBodies buffered = ValidateRequestGatewayFilterFactory.this.buffered;
			Flux<DataBuffer> counted = body.doOnNext((buffer) -> {
				int size = buffer.readableByteCount();
				held.addAndGet(size);
				buffered.add(size);
			});
			return DataBufferUtils.join(counted, (int) Math.min(limit, Integer.MAX_VALUE - 8)).map((joined) -> {
				byte[] bytes = new byte[joined.readableByteCount()];
				joined.read(bytes);
				DataBufferUtils.release(joined);
				return bytes;
			}).defaultIfEmpty(NO_BODY);
		}

		private final java.util.Map<Integer, Counter> rejections = new java.util.concurrent.ConcurrentHashMap<>();

		private Mono<Void> reject(ServerWebExchange exchange, Rejection rejection) {
			this.rejections.computeIfAbsent(rejection.status().value(), (status) -> Counter
				.builder("tollgate.validation.rejections")
				.description("Requests refused by ValidateRequest")
				.tag("route", (this.config.routeId != null) ? this.config.routeId : "unknown")
				.tag("status", Integer.toString(status))
				.register(ValidateRequestGatewayFilterFactory.this.meters))
				.increment();
			Map<String, Object> extensions = rejection.errors().isEmpty() ? Map.of() : Map.of("errors", rejection.errors());
			return ProblemWriter.write(exchange, rejection.status(), rejection.detail(), extensions);
		}

		@Override
		public String toString() {
			return "ValidateRequest" + this.config;
		}

	}

	/** The body as received, replayed for the upstream (and for any filter after this one). */
	private static ServerHttpRequest replay(ServerHttpRequest request, byte[] bytes) {
		return new ServerHttpRequestDecorator(request) {
			@Override
			public Flux<DataBuffer> getBody() {
				return (bytes.length == 0) ? Flux.empty()
						: Flux.defer(() -> Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(bytes)));
			}
		};
	}

	private static boolean hasBody(ServerHttpRequest request) {
		HttpHeaders headers = request.getHeaders();
		return headers.getContentLength() > 0 || headers.containsHeader(HttpHeaders.TRANSFER_ENCODING);
	}

	private static boolean requiresBody(HttpMethod method) {
		return HttpMethod.POST.equals(method) || HttpMethod.PUT.equals(method) || HttpMethod.PATCH.equals(method);
	}

	/** Arguments of {@code ValidateRequest}. */
	public static class Config extends ModeConfig implements HasRouteId {

		/** JSON Schema of the body (JSON or YAML): {@code classpath:...}, {@code file:...} or a file path. */
		private String bodySchema;

		/** OpenAPI 3 document describing the routes' operations. */
		private String openapi;

		/** Reject (404/405) requests for paths or methods the OpenAPI document does not describe. */
		private boolean openapiStrict = false;

		/** Allowed body media types; parameters (charset) are ignored, wildcards ({@code application/*}) allowed. */
		private List<MediaType> contentTypes = List.of();

		/** The largest body accepted on this route (default: {@code tollgate.validation.max-body-size}). */
		private DataSize maxBodySize;

		/** The most errors listed in a 400 (default: {@code tollgate.validation.max-errors}). */
		private Integer maxErrors;

		private String routeId;

		void validate() {
			if (this.maxBodySize != null && this.maxBodySize.toBytes() <= 0) {
				throw new InvalidConfigurationException("max-body-size", "must be positive");
			}
			if (this.maxErrors != null && this.maxErrors <= 0) {
				throw new InvalidConfigurationException("max-errors", "must be positive");
			}
			if (this.openapiStrict && this.openapi == null) {
				throw new InvalidConfigurationException("openapi-strict", "needs an openapi document");
			}
		}

		public String getBodySchema() {
			return this.bodySchema;
		}

		public Config setBodySchema(String bodySchema) {
			this.bodySchema = bodySchema;
			return this;
		}

		public String getOpenapi() {
			return this.openapi;
		}

		public Config setOpenapi(String openapi) {
			this.openapi = openapi;
			return this;
		}

		public boolean isOpenapiStrict() {
			return this.openapiStrict;
		}

		public Config setOpenapiStrict(boolean openapiStrict) {
			this.openapiStrict = openapiStrict;
			return this;
		}

		public List<MediaType> getContentTypes() {
			return this.contentTypes;
		}

		public Config setContentTypes(List<MediaType> contentTypes) {
			this.contentTypes = (contentTypes != null) ? contentTypes : List.of();
			return this;
		}

		public DataSize getMaxBodySize() {
			return this.maxBodySize;
		}

		public Config setMaxBodySize(DataSize maxBodySize) {
			this.maxBodySize = maxBodySize;
			return this;
		}

		public Integer getMaxErrors() {
			return this.maxErrors;
		}

		public Config setMaxErrors(Integer maxErrors) {
			this.maxErrors = maxErrors;
			return this;
		}

		@Override
		public String getRouteId() {
			return this.routeId;
		}

		@Override
		public void setRouteId(String routeId) {
			this.routeId = routeId;
		}

		@Override
		public String toString() {
			return "[bodySchema=" + this.bodySchema + ", openapi=" + this.openapi + ", openapiStrict="
					+ this.openapiStrict + ", contentTypes=" + this.contentTypes + ", maxBodySize=" + this.maxBodySize
					+ modeSuffix() + "]";
		}

	}

}

package io.tollgate.reload;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.tollgate.admin.AdminProperties;
import io.tollgate.admin.AdminUsers;
import io.tollgate.config.InvalidConfigurationException;
import io.tollgate.config.RouteFilterCheck;
import io.tollgate.consumer.ConsumerProperties;
import io.tollgate.consumer.ConsumerRegistry;
import io.tollgate.edge.ClientIp;
import io.tollgate.edge.ClientIpProperties;
import io.tollgate.ratelimit.RateLimitProperties;
import io.tollgate.responsecache.ResponseCacheProperties;
import jakarta.validation.Validation;
import reactor.core.publisher.Flux;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.ConfigurationPropertiesBean;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.cloud.gateway.config.GatewayProperties;
import org.springframework.cloud.gateway.filter.factory.GatewayFilterFactory;
import org.springframework.cloud.gateway.handler.predicate.RoutePredicateFactory;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.cloud.gateway.route.RouteDefinitionRouteLocator;
import org.springframework.cloud.gateway.support.ConfigurationService;
import org.springframework.context.ApplicationContext;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.convert.ConversionFailedException;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;
import org.springframework.validation.annotation.Validated;
import org.springframework.validation.beanvalidation.SpringValidatorAdapter;

/**
 * Builds a configuration from a candidate environment with the checks startup applies, without putting anything
 * in force: every Tollgate settings class and the gateway's routes bound and validated, every route's filters
 * configured ({@link RouteFilterCheck}: unknown filters, bad arguments, schemas that do not compile) and every
 * route built as the gateway will build it (predicates, the gateway's own filters), and the consumers
 * ({@link ConsumerRegistry}: duplicate keys, unknown plans), trusted proxies and admin users built, and the
 * rate-limit and response-cache settings a reload may change bound.
 */
@SuppressWarnings("rawtypes") // Spring Cloud Gateway's factories are raw types in RouteDefinitionRouteLocator
final class ConfigCheck {

	private static final Duration BUILD_TIMEOUT = Duration.ofSeconds(30);

	/** Settings that {@link #check} binds itself, to build what a reload swaps in. */
	private static final List<Class<?>> BUILT = List.of(ConsumerProperties.class, ClientIpProperties.class,
			AdminProperties.class, RateLimitProperties.class, ResponseCacheProperties.class);

	private final ApplicationContext context;

	private final RouteFilterCheck routes;

	private final ConsumerRegistry consumers;

	private final List<RoutePredicateFactory> predicates;

	private final List<GatewayFilterFactory> filters;

	private final ConfigurationService configurationService;

	private final SpringValidatorAdapter validator = new SpringValidatorAdapter(
			Validation.buildDefaultValidatorFactory().getValidator());

	ConfigCheck(ApplicationContext context, RouteFilterCheck routes, ConsumerRegistry consumers,
			List<RoutePredicateFactory> predicates, List<GatewayFilterFactory> filters,
			ConfigurationService configurationService) {
		this.context = context;
		this.routes = routes;
		this.consumers = consumers;
		this.predicates = predicates;
		this.filters = filters;
		this.configurationService = configurationService;
	}

	/** @throws InvalidConfigurationException naming the first property that is wrong */
	Candidate check(ConfigurableEnvironment environment) {
		Binder binder = Binder.get(environment);
		for (Class<?> type : settingsTypes()) {
			bind(binder, type);
		}
		ClientIp clientIp = new ClientIp(bind(binder, ClientIpProperties.class));
		AdminUsers adminUsers = new AdminUsers(bind(binder, AdminProperties.class));
		ConsumerRegistry candidate = new ConsumerRegistry(bind(binder, ConsumerProperties.class));
		RateLimitProperties rateLimiting = bind(binder, RateLimitProperties.class);
		ResponseCacheProperties responseCache = bind(binder, ResponseCacheProperties.class);
		GatewayProperties gateway = bind(binder, GatewayProperties.class);
		this.consumers.checkWith(candidate, () -> {
			this.routes.check(gateway);
			build(gateway);
		});
		return new Candidate(candidate, clientIp, adminUsers, rateLimiting, responseCache, gateway);
	}

	/**
	 * Builds every candidate route as Spring Cloud Gateway will (predicates and all filters, its own included), one
	 * at a time so that a failure names its route: a route the gateway could not build would otherwise be dropped,
	 * or keep the old routes in force, after the rest of the change was.
	 */
	private void build(GatewayProperties gateway) {
		GatewayProperties strict = new GatewayProperties();
		strict.setDefaultFilters(gateway.getDefaultFilters());
		strict.setFailOnRouteDefinitionError(true);
		List<RouteDefinition> definitions = gateway.getRoutes();
		for (int r = 0; r < definitions.size(); r++) {
			RouteDefinition definition = definitions.get(r);
			RouteDefinitionRouteLocator locator = new RouteDefinitionRouteLocator(() -> Flux.just(definition),
					this.predicates, this.filters, strict, this.configurationService);
			try {
				locator.getRoutes().collectList().block(BUILD_TIMEOUT);
			}
			catch (InvalidConfigurationException ex) {
				throw ex;
			}
			catch (RuntimeException ex) {
				throw new InvalidConfigurationException(GatewayProperties.PREFIX + ".routes[" + r + "]",
						"route '" + definition.getId() + "' cannot be built: " + ConfigReloader.describe(ex));
			}
		}
	}

	/** Tollgate's own settings classes, as startup bound them. */
	private List<Class<?>> settingsTypes() {
		List<Class<?>> types = new ArrayList<>();
		for (ConfigurationPropertiesBean bean : ConfigurationPropertiesBean.getAll(this.context).values()) {
			Class<?> type = bean.getInstance().getClass();
			// Those bound below, to be built, are bound once: a large consumer list is not bound twice.
			if (type.getPackageName().startsWith("io.tollgate") && !BUILT.contains(type) && !types.contains(type)) {
				types.add(type);
			}
		}
		return types;
	}

	private <T> T bind(Binder binder, Class<T> type) {
		ConfigurationProperties annotation = AnnotatedElementUtils.findMergedAnnotation(type,
				ConfigurationProperties.class);
		String prefix = (annotation != null) ? annotation.prefix() : "";
		BindHandler handler = AnnotatedElementUtils.hasAnnotation(type, Validated.class)
				? new ValidationBindHandler(this.validator) : BindHandler.DEFAULT;
		try {
			return binder.bindOrCreate(prefix, Bindable.of(type), handler);
		}
		catch (BindException ex) {
			throw reason(ex, prefix);
		}
	}

	/**
	 * The property and reason of a failed bind, as startup's failure analysis would name them, but never the value
	 * (it may be a key).
	 */
	private static InvalidConfigurationException reason(BindException ex, String prefix) {
		String property = (ex.getProperty() != null) ? ex.getProperty().getName().toString() : prefix;
		Throwable root = ex;
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof InvalidConfigurationException invalid) {
				return invalid;
			}
			if (cause instanceof BindValidationException validation
					&& !validation.getValidationErrors().getAllErrors().isEmpty()) {
				ObjectError error = validation.getValidationErrors().getAllErrors().get(0);
				String at = (error instanceof FieldError field) ? prefix + "." + field.getField() : prefix;
				return new InvalidConfigurationException(at, String.valueOf(error.getDefaultMessage()));
			}
			if (cause instanceof ConversionFailedException conversion) {
				return new InvalidConfigurationException(property,
						"cannot be read as " + conversion.getTargetType().getType().getSimpleName());
			}
			root = cause;
		}
		return new InvalidConfigurationException(property, ConfigReloader.describe(root));
	}

	/** A checked configuration, ready to be put in force. */
	record Candidate(ConsumerRegistry consumers, ClientIp clientIp, AdminUsers adminUsers,
			RateLimitProperties rateLimiting, ResponseCacheProperties responseCache, GatewayProperties gateway) {
	}

}

package io.tollgate.reload;

import java.util.ArrayList;
import java.util.List;

import io.tollgate.config.InvalidConfigurationException;
import io.tollgate.config.RouteFilterCheck;
import io.tollgate.consumer.ConsumerProperties;
import io.tollgate.consumer.ConsumerRegistry;
import jakarta.validation.Validation;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.ConfigurationPropertiesBean;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.cloud.gateway.config.GatewayProperties;
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
 * configured ({@link RouteFilterCheck}: unknown filters, bad arguments, schemas that do not compile), and the
 * consumers built ({@link ConsumerRegistry}: duplicate keys, unknown plans).
 */
final class ConfigCheck {

	private final ApplicationContext context;

	private final RouteFilterCheck routes;

	private final ConsumerRegistry consumers;

	private final SpringValidatorAdapter validator = new SpringValidatorAdapter(
			Validation.buildDefaultValidatorFactory().getValidator());

	ConfigCheck(ApplicationContext context, RouteFilterCheck routes, ConsumerRegistry consumers) {
		this.context = context;
		this.routes = routes;
		this.consumers = consumers;
	}

	/** @throws InvalidConfigurationException naming the first property that is wrong */
	Candidate check(ConfigurableEnvironment environment) {
		Binder binder = Binder.get(environment);
		for (Class<?> type : settingsTypes()) {
			bind(binder, type);
		}
		ConsumerRegistry candidate = new ConsumerRegistry(bind(binder, ConsumerProperties.class));
		GatewayProperties gateway = bind(binder, GatewayProperties.class);
		this.consumers.checkWith(candidate, () -> this.routes.check(gateway));
		return new Candidate(candidate, gateway.getRoutes().size());
	}

	/** Tollgate's own settings classes, as startup bound them. */
	private List<Class<?>> settingsTypes() {
		List<Class<?>> types = new ArrayList<>();
		for (ConfigurationPropertiesBean bean : ConfigurationPropertiesBean.getAll(this.context).values()) {
			Class<?> type = bean.getInstance().getClass();
			// The consumers are bound below, once: a large list is not bound twice.
			if (type.getPackageName().startsWith("io.tollgate") && type != ConsumerProperties.class
					&& !types.contains(type)) {
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
		return new InvalidConfigurationException(property,
				(root.getMessage() != null) ? root.getMessage() : root.getClass().getSimpleName());
	}

	/** A checked configuration, ready to be put in force. */
	record Candidate(ConsumerRegistry consumers, int routes) {
	}

}

package io.tollgate.tracing;

import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class TracingConfiguration {

	/** Boot's OpenTelemetry tracer (sampler from management.tracing.sampling); a no-op one without tracing. */
	@Bean
	ServerSpanFilter serverSpanFilter(ObjectProvider<Tracer> tracer, ObjectProvider<ContextPropagators> propagators) {
		return new ServerSpanFilter(tracer.getIfAvailable(() -> TracerProvider.noop().get("io.tollgate")),
				textMapPropagator(propagators));
	}

	@Bean
	TraceHeadersFilter traceHeadersFilter(ObjectProvider<ContextPropagators> propagators) {
		return new TraceHeadersFilter(textMapPropagator(propagators));
	}

	private static TextMapPropagator textMapPropagator(ObjectProvider<ContextPropagators> propagators) {
		ContextPropagators available = propagators.getIfAvailable();
		return (available != null) ? available.getTextMapPropagator() : TextMapPropagator.noop();
	}

}

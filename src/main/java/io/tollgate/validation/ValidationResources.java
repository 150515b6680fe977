package io.tollgate.validation;

import io.tollgate.config.InvalidConfigurationException;

import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.ResourceUtils;

/**
 * Finds schema and OpenAPI documents: {@code classpath:...}, {@code file:...}, or a plain path, read as a file
 * relative to the working directory (so {@code config-repo/schemas/order.json} works as written).
 */
class ValidationResources {

	private final ResourceLoader loader;

	ValidationResources(ResourceLoader loader) {
		this.loader = loader;
	}

	Resource find(String location, String property) {
		Resource resource = ResourceUtils.isUrl(location) ? this.loader.getResource(location)
				: new FileSystemResource(location);
		if (!resource.exists()) {
			throw new InvalidConfigurationException(property, "'" + location + "' does not exist");
		}
		return resource;
	}

}

package io.tollgate.firewall;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The request firewall on the proxy port ({@code tollgate.firewall}): what a request line must look like before
 * any route is matched. The defaults follow Spring Security's {@code StrictServerWebExchangeFirewall}; loosen
 * them only for the routes that need it.
 *
 * @param allowedMethods the HTTP methods the gateway accepts; another standard method (TRACE, CONNECT) is answered
 * 405, an unknown token 501
 * @param encodedSlashPaths path patterns ({@code /blobs/**}) under which an encoded slash ({@code %2F}) is
 * accepted and passed on as it is, for upstreams that keep it apart from {@code /}; empty by default
 * @param allowSemicolon accept {@code ;} in paths (matrix parameters); off because Tomcat and Jetty strip
 * {@code ;...} from a segment before matching, so {@code /open/..;/admin} reads differently upstream
 * @param allowEncodedPercent accept {@code %25} in paths; off because an upstream that decodes twice turns
 * {@code %252e%252e} into {@code ..}
 */
@ConfigurationProperties("tollgate.firewall")
public record FirewallProperties(
		@DefaultValue({ "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" }) List<String> allowedMethods,
		@DefaultValue List<String> encodedSlashPaths, @DefaultValue("false") boolean allowSemicolon,
		@DefaultValue("false") boolean allowEncodedPercent) {
}

package bench;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A bare Spring Cloud Gateway with one route (application.yml): the baseline Tollgate's plain route must match. */
@SpringBootApplication
public class VanillaGateway {

	public static void main(String[] args) {
		SpringApplication.run(VanillaGateway.class, args);
	}

}

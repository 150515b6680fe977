package io.tollgate.migrate;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command-line verbs that run and exit without starting a gateway:
 * <pre>
 * java -jar tollgate.jar kong import kong.yml --out DIR [--strict] [--force]
 * java -jar tollgate.jar openapi import spec.yaml --upstream URL --out DIR [--strict] [--force]
 * </pre>
 * Exit codes: 0 written; 1 written, but {@code --strict} and something was left out; 2 bad input or usage, nothing
 * written.
 */
public final class Commands {

	static final int OK = 0;

	static final int LEFT_OUT = 1;

	static final int BAD_INPUT = 2;

	private static final String USAGE = """
			Usage:
			  java -jar tollgate.jar kong import FILE --out DIR [--strict] [--force]
			  java -jar tollgate.jar openapi import FILE --upstream URL --out DIR [--strict] [--force]
			Writes a Tollgate config directory (application.yml, schemas, IMPORT-REPORT.md) to DIR.
			  --strict  exit 1 when anything could not be imported (listed in IMPORT-REPORT.md)
			  --force   overwrite DIR/application.yml if it exists
			""";

	private Commands() {
	}

	/** The exit code of a command, or null when {@code args} name none (then the gateway starts). */
	public static Integer run(String[] args, PrintStream out, PrintStream err) {
		if (args.length < 2 || !args[1].equals("import")
				|| !(args[0].equals("kong") || args[0].equals("openapi"))) {
			return null;
		}
		String source = null;
		String dir = null;
		String upstream = null;
		boolean strict = false;
		boolean force = false;
		List<String> rest = new ArrayList<>(List.of(args).subList(2, args.length));
		for (int i = 0; i < rest.size(); i++) {
			String arg = rest.get(i);
			switch (arg) {
				case "--strict" -> strict = true;
				case "--force" -> force = true;
				case "--out", "--upstream" -> {
					if (i + 1 >= rest.size()) {
						return usage(err, arg + " needs a value");
					}
					if (arg.equals("--out")) {
						dir = rest.get(++i);
					}
					else {
						upstream = rest.get(++i);
					}
				}
				default -> {
					if (arg.startsWith("--out=")) {
						dir = arg.substring(6);
					}
					else if (arg.startsWith("--upstream=")) {
						upstream = arg.substring(11);
					}
					else if (arg.startsWith("-") || source != null) {
						return usage(err, "unexpected argument '" + arg + "'");
					}
					else {
						source = arg;
					}
				}
			}
		}
		boolean kong = args[0].equals("kong");
		if (source == null || dir == null) {
			return usage(err, "FILE and --out DIR are required");
		}
		if (!kong && upstream == null) {
			return usage(err, "openapi import needs --upstream URL (where the API's requests go)");
		}
		if (kong && upstream != null) {
			return usage(err, "--upstream is for openapi import; kong import takes upstreams from the file");
		}
		Path target = Path.of(dir);
		if (!force && Files.exists(target.resolve("application.yml"))) {
			err.println("Not written: " + target.resolve("application.yml") + " exists (--force to overwrite it)");
			return BAD_INPUT;
		}
		try {
			String text = read(Path.of(source));
			ConfigOutput output;
			ImportReport report;
			if (kong) {
				KongImport.Result result = KongImport.read(text, source);
				output = result.output();
				report = result.report();
			}
			else {
				OpenApiImport.Result result = OpenApiImport.read(text, source, upstream);
				output = result.output();
				report = result.report();
			}
			String header = "# Written by `" + args[0] + " import " + Path.of(source).getFileName()
					+ "`: a Tollgate configuration directory (TOLLGATE_CONFIG_DIR).\n"
					+ "# What was not imported, and what behaves differently, is in IMPORT-REPORT.md.\n";
			output.write(target, header, report);
			out.print(report.markdown());
			out.println();
			out.println("Wrote " + target.resolve("application.yml") + " (" + output.routes.size() + " routes, "
					+ output.consumers.size() + " consumers) and " + target.resolve("IMPORT-REPORT.md")
					+ ". Start it: TOLLGATE_CONFIG_DIR=" + target + " java -jar tollgate.jar");
			if (strict && !report.leftOut().isEmpty()) {
				err.println("--strict: " + report.leftOut().size() + " item(s) not imported; see "
						+ target.resolve("IMPORT-REPORT.md"));
				return LEFT_OUT;
			}
			return OK;
		}
		catch (ImportException ex) {
			String message = ex.getMessage();
			// "line 7: ..." from the YAML reader: named like every other, file:line
			err.println("Cannot import: " + (message.startsWith("line ") ? source + ":" + message.substring(5) : message));
			return BAD_INPUT;
		}
		catch (IOException ex) {
			err.println("Cannot import: " + describe(ex));
			return BAD_INPUT;
		}
		catch (RuntimeException | StackOverflowError ex) {
			// Input shaped in a way no check above expected: still a message and exit code 2, never a stack trace.
			err.println("Cannot import " + source + ": unexpected input (" + ex.getClass().getSimpleName()
					+ ((ex.getMessage() != null) ? ": " + ex.getMessage() : "") + ")");
			return BAD_INPUT;
		}
	}

	private static String read(Path source) throws IOException {
		try {
			return Files.readString(source, StandardCharsets.UTF_8);
		}
		catch (MalformedInputException ex) {
			throw new ImportException(source + ": not a UTF-8 text file");
		}
	}

	private static String describe(IOException ex) {
		if (ex instanceof NoSuchFileException) {
			return "no such file: " + ex.getMessage();
		}
		return ex.getClass().getSimpleName() + ": " + ex.getMessage();
	}

	private static int usage(PrintStream err, String problem) {
		err.println(problem);
		err.print(USAGE);
		return BAD_INPUT;
	}

}

package io.tollgate.migrate;

/** Input an import cannot read: the message names the file's line (exit code 2). */
public class ImportException extends RuntimeException {

	public ImportException(String message) {
		super(message);
	}

}

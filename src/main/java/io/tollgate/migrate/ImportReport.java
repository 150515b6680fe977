package io.tollgate.migrate;

import java.util.ArrayList;
import java.util.List;

/**
 * What an import left out, and what it changed on the way: written to {@code IMPORT-REPORT.md} and stdout.
 * {@code --strict} fails on anything left out; differences alone do not fail it.
 */
final class ImportReport {

	/** One line: the entity (as {@code route 'orders' (line 12)}), what, and why. */
	record Item(String entity, String what, String why) {
	}

	private final String title;

	private final List<Item> leftOut = new ArrayList<>();

	private final List<Item> differences = new ArrayList<>();

	private final List<String> summary = new ArrayList<>();

	ImportReport(String title) {
		this.title = title;
	}

	/** Something of the input that has no effect in the output. */
	void leftOut(String entity, String what, String why) {
		Item item = new Item(entity, what, why);
		if (!this.leftOut.contains(item)) { // a global plugin is read once per route
			this.leftOut.add(item);
		}
	}

	/** Imported, but Tollgate behaves differently from the source here. */
	void difference(String entity, String what, String why) {
		Item item = new Item(entity, what, why);
		if (!this.differences.contains(item)) {
			this.differences.add(item);
		}
	}

	/** Every field of {@code node} that nothing read, as not understood. */
	void unread(YamlNode node, String entity) {
		boolean secret = entity.startsWith("consumer") || entity.contains("credential");
		for (String key : node.unread()) {
			// Under consumers and credentials an unknown field may hold a secret: its name only.
			leftOut(entity, secret ? key : key + ": " + node.describe(key), "not understood by the import");
		}
	}

	void summary(String line) {
		this.summary.add(line);
	}

	List<Item> leftOut() {
		return this.leftOut;
	}

	List<Item> differences() {
		return this.differences;
	}

	String markdown() {
		StringBuilder text = new StringBuilder("# " + this.title + "\n\n");
		for (String line : this.summary) {
			text.append("- ").append(line).append('\n');
		}
		text.append("\n## Not imported (").append(this.leftOut.size()).append(")\n\n");
		table(text, this.leftOut, "Nothing: every entity and setting was imported.");
		text.append("\n## Imported with a difference (").append(this.differences.size()).append(")\n\n");
		table(text, this.differences, "None.");
		return text.toString();
	}

	private static void table(StringBuilder text, List<Item> items, String none) {
		if (items.isEmpty()) {
			text.append(none).append('\n');
			return;
		}
		text.append("| entity | what | why |\n|---|---|---|\n");
		for (Item item : items) {
			text.append("| ").append(cell(item.entity())).append(" | ").append(cell(item.what())).append(" | ")
				.append(cell(item.why())).append(" |\n");
		}
	}

	private static String cell(String value) {
		return value.replace("|", "\\|").replace("\n", " ");
	}

}

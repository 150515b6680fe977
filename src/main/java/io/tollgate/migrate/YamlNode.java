package io.tollgate.migrate;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML (or JSON) document read with its line numbers, so that what an import cannot use is named by line. Remembers
 * which keys of a mapping were read: what was not read is what the import left out ({@link #unread()}).
 */
final class YamlNode {

	private final Node node;

	private final String path;

	private final Map<String, Node> entries;

	private final Set<String> read = new LinkedHashSet<>();

	private YamlNode(Node node, String path) {
		this.node = node;
		this.path = path;
		if (node instanceof MappingNode mapping) {
			this.entries = new LinkedHashMap<>();
			for (NodeTuple tuple : mapping.getValue()) {
				if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
					throw new ImportException("line " + line(tuple.getKeyNode()) + ": " + path
							+ " has a key that is not a plain value");
				}
				this.entries.put(key.getValue(), tuple.getValueNode());
			}
		}
		else {
			this.entries = null;
		}
	}

	/** @throws ImportException naming the line for anything that is not a YAML mapping */
	static YamlNode parse(String text, String file) {
		LoaderOptions options = new LoaderOptions();
		options.setAllowDuplicateKeys(false);
		options.setMaxAliasesForCollections(50);
		options.setNestingDepthLimit(64);
		options.setCodePointLimit(64 * 1024 * 1024);
		Node root;
		try {
			root = new Yaml(options).compose(new StringReader(text));
		}
		catch (MarkedYAMLException ex) {
			int line = (ex.getProblemMark() != null) ? ex.getProblemMark().getLine() + 1 : 0;
			throw new ImportException(file + ":" + line + ": not valid YAML: " + ex.getProblem());
		}
		catch (YAMLException ex) {
			throw new ImportException(file + ": not valid YAML: " + ex.getMessage());
		}
		if (!(root instanceof MappingNode)) {
			throw new ImportException(file + ":" + ((root != null) ? line(root) : 1)
					+ ": expected a YAML mapping at the top level");
		}
		return new YamlNode(root, "");
	}

	private static int line(Node node) {
		return node.getStartMark().getLine() + 1;
	}

	int line() {
		return line(this.node);
	}

	/** Where this is in the document, as {@code services[0].routes[1]}. */
	String path() {
		return this.path;
	}

	boolean isMapping() {
		return this.entries != null;
	}

	boolean has(String key) {
		return this.entries != null && this.entries.containsKey(key) && !isNull(this.entries.get(key));
	}

	/** The value under {@code key}, read; null when absent or null. */
	YamlNode get(String key) {
		if (this.entries == null) {
			return null;
		}
		this.read.add(key);
		Node value = this.entries.get(key);
		return (value == null || isNull(value)) ? null : new YamlNode(value, child(key));
	}

	/** The mapping under {@code key}, read; null when absent. */
	YamlNode mapping(String key) {
		YamlNode value = get(key);
		if (value != null && !value.isMapping()) {
			throw new ImportException("line " + value.line() + ": " + value.path + " must be a mapping (key: value)");
		}
		return value;
	}

	/** Marks keys as read without using them (fields that mean nothing to Tollgate: ids, timestamps, tags). */
	void ignore(String... keys) {
		for (String key : keys) {
			this.read.add(key);
		}
	}

	String string(String key) {
		YamlNode value = get(key);
		return (value != null) ? value.scalar() : null;
	}

	String string(String key, String fallback) {
		String value = string(key);
		return (value != null) ? value : fallback;
	}

	Long number(String key) {
		YamlNode value = get(key);
		if (value == null) {
			return null;
		}
		String text = value.scalar();
		try {
			double parsed = Double.parseDouble(text);
			return (long) parsed;
		}
		catch (NumberFormatException ex) {
			throw new ImportException("line " + value.line() + ": " + value.path + " must be a number, not '"
					+ text + "'");
		}
	}

	Double decimal(String key) {
		YamlNode value = get(key);
		if (value == null) {
			return null;
		}
		try {
			return Double.parseDouble(value.scalar());
		}
		catch (NumberFormatException ex) {
			throw new ImportException("line " + value.line() + ": " + value.path + " must be a number");
		}
	}

	boolean bool(String key, boolean fallback) {
		YamlNode value = get(key);
		return (value != null) ? truthy(value.scalar()) : fallback;
	}

	/** The list under {@code key}; empty when absent. */
	List<YamlNode> list(String key) {
		YamlNode value = get(key);
		if (value == null) {
			return List.of();
		}
		if (!(value.node instanceof SequenceNode sequence)) {
			throw new ImportException("line " + value.line() + ": " + value.path + " must be a list");
		}
		List<YamlNode> items = new ArrayList<>();
		List<Node> nodes = sequence.getValue();
		for (int i = 0; i < nodes.size(); i++) {
			items.add(new YamlNode(nodes.get(i), value.path + "[" + i + "]"));
		}
		return items;
	}

	/** The items of this list; empty for anything else. */
	List<YamlNode> items() {
		List<YamlNode> items = new ArrayList<>();
		if (this.node instanceof SequenceNode sequence) {
			List<Node> nodes = sequence.getValue();
			for (int i = 0; i < nodes.size(); i++) {
				items.add(new YamlNode(nodes.get(i), this.path + "[" + i + "]"));
			}
		}
		return items;
	}

	/** The strings under {@code key} (a list, or one scalar); empty when absent. */
	List<String> strings(String key) {
		YamlNode value = get(key);
		if (value == null) {
			return List.of();
		}
		if (value.node instanceof ScalarNode) {
			return List.of(value.scalar());
		}
		List<String> strings = new ArrayList<>();
		for (YamlNode item : list(key)) {
			strings.add(item.scalar());
		}
		return strings;
	}

	/** The mapping's keys, in document order. */
	Set<String> keys() {
		return (this.entries != null) ? this.entries.keySet() : Set.of();
	}

	String scalar() {
		if (this.node instanceof ScalarNode scalar) {
			return scalar.getValue();
		}
		throw new ImportException("line " + line() + ": " + this.path + " must be a single value");
	}

	/** Keys present with a value that nothing read. */
	List<String> unread() {
		List<String> unread = new ArrayList<>();
		if (this.entries != null) {
			this.entries.forEach((key, value) -> {
				if (!this.read.contains(key) && !isNull(value) && !isEmpty(value)) {
					unread.add(key);
				}
			});
		}
		return unread;
	}

	/** The value under {@code key} as plain Java (maps, lists, strings, numbers, booleans). */
	Object plain(String key) {
		YamlNode value = get(key);
		return (value != null) ? value.plain() : null;
	}

	Object plain() {
		return plain(this.node, 0);
	}

	/** Depth-bounded: an anchor that refers to itself would otherwise never end. */
	private static Object plain(Node node, int depth) {
		if (depth > 64) {
			throw new ImportException("line " + line(node) + ": nested too deeply (or refers to itself)");
		}
		if (node instanceof MappingNode mapping) {
			Map<String, Object> map = new LinkedHashMap<>();
			for (NodeTuple tuple : mapping.getValue()) {
				Node key = tuple.getKeyNode();
				map.put((key instanceof ScalarNode scalar) ? scalar.getValue() : "?", plain(tuple.getValueNode(), depth + 1));
			}
			return map;
		}
		if (node instanceof SequenceNode sequence) {
			List<Object> list = new ArrayList<>();
			for (Node item : sequence.getValue()) {
				list.add(plain(item, depth + 1));
			}
			return list;
		}
		ScalarNode scalar = (ScalarNode) node;
		Tag tag = scalar.getTag();
		String text = scalar.getValue();
		if (Tag.NULL.equals(tag)) {
			return null;
		}
		if (Tag.BOOL.equals(tag)) {
			return truthy(text);
		}
		if (Tag.INT.equals(tag)) {
			try {
				return Long.parseLong(text);
			}
			catch (NumberFormatException ex) {
				return text;
			}
		}
		if (Tag.FLOAT.equals(tag)) {
			try {
				return Double.parseDouble(text);
			}
			catch (NumberFormatException ex) {
				return text;
			}
		}
		return text;
	}

	/** The value as it was written, for a report line. */
	String describe(String key) {
		Object value = plain(this.entries.get(key), 0);
		String text = String.valueOf(value);
		return (text.length() > 80) ? text.substring(0, 77) + "..." : text;
	}

	private String child(String key) {
		return this.path.isEmpty() ? key : this.path + "." + key;
	}

	/** YAML 1.1's true values (Kong's files are YAML 1.1 too). */
	private static boolean truthy(String text) {
		return text.equalsIgnoreCase("true") || text.equalsIgnoreCase("yes") || text.equalsIgnoreCase("on")
				|| text.equalsIgnoreCase("y");
	}

	private static boolean isEmpty(Node node) {
		return (node instanceof SequenceNode sequence && sequence.getValue().isEmpty())
				|| (node instanceof MappingNode mapping && mapping.getValue().isEmpty());
	}

	private static boolean isNull(Node node) {
		return node instanceof ScalarNode scalar && Tag.NULL.equals(scalar.getTag());
	}

}

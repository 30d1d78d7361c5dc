package org.apache.camel.component.logicwebhook;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Keeps the option tables of {@code docs/component-reference.md} equal to the component's generated metadata
 * ({@code logicwebhook.json}). The tables sit between {@code <!-- BEGIN GENERATED: section -->} and
 * {@code <!-- END GENERATED: section -->}; everything else in the document is hand-written and left alone.
 * <p>
 * With {@code -Dlogicwebhook.updateDocs=true} the test rewrites those sections instead of failing.
 */
class ComponentReferenceDocTest {

    static final String METADATA = "META-INF/org/apache/camel/component/logicwebhook/logicwebhook.json";
    static final String DOC = "../docs/component-reference.md";
    static final String UPDATE_PROPERTY = "logicwebhook.updateDocs";
    static final String UPDATE_COMMAND = "mvn -pl camel-logicwebhook-component test -Dtest=ComponentReferenceDocTest"
                                         + " -D" + UPDATE_PROPERTY + "=true";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern BEGIN = Pattern.compile("<!-- BEGIN GENERATED: ([a-z-]+) -->");

    @Test
    void generatedSectionsOfTheReferenceMatchTheMetadata() throws IOException {
        Map<String, String> sections = render(readMetadata());
        Path doc = docPath();
        assertTrue(Files.isRegularFile(doc), "The component reference is missing: " + doc.toAbsolutePath());
        String text = Files.readString(doc, StandardCharsets.UTF_8).replace("\r\n", "\n");

        String expected = replaceSections(text, sections);
        if (expected.equals(text)) {
            return;
        }
        if (Boolean.getBoolean(UPDATE_PROPERTY)) {
            Files.writeString(doc, expected, StandardCharsets.UTF_8);
            return;
        }
        fail(doc.normalize() + " is out of date with " + METADATA + ":\n" + firstDifference(text, expected)
             + "\nThe tables between the GENERATED markers are generated from the metadata; refresh them with\n  "
             + UPDATE_COMMAND + "\nand change an option's text in its @UriParam/@Metadata annotation, not in the document.");
    }

    private static Path docPath() {
        // Surefire runs with the module as working directory, and also names it in basedir
        return Path.of(System.getProperty("basedir", ".")).resolve(DOC);
    }

    private static JsonNode readMetadata() throws IOException {
        try (InputStream in = ComponentReferenceDocTest.class.getClassLoader().getResourceAsStream(METADATA)) {
            assertNotNull(in, METADATA + " is not on the classpath: build the module first");
            return JSON.readTree(in);
        }
    }

    /** The text with every generated section set to its rendering; fails on a missing, unknown or unclosed section. */
    static String replaceSections(String text, Map<String, String> sections) {
        List<String> problems = new ArrayList<>();
        Matcher begin = BEGIN.matcher(text);
        while (begin.find()) {
            if (!sections.containsKey(begin.group(1))) {
                problems.add("unknown section '" + begin.group(1) + "' (known: " + sections.keySet() + ")");
            }
        }
        String result = text;
        for (Map.Entry<String, String> section : sections.entrySet()) {
            String open = "<!-- BEGIN GENERATED: " + section.getKey() + " -->";
            String close = "<!-- END GENERATED: " + section.getKey() + " -->";
            int from = result.indexOf(open);
            int to = from < 0 ? -1 : result.indexOf(close, from);
            if (from < 0 || to < 0 || result.indexOf(open, from + open.length()) >= 0) {
                problems.add("section '" + section.getKey() + "' needs exactly one pair of markers " + open + " … " + close);
                continue;
            }
            result = result.substring(0, from + open.length()) + "\n" + section.getValue() + result.substring(to);
        }
        if (!problems.isEmpty()) {
            fail(DOC + ": " + String.join("; ", problems));
        }
        return result;
    }

    private static String firstDifference(String actual, String expected) {
        String[] a = actual.split("\n", -1);
        String[] e = expected.split("\n", -1);
        for (int i = 0; i < Math.max(a.length, e.length); i++) {
            String left = i < a.length ? a[i] : "(end of file)";
            String right = i < e.length ? e[i] : "(end of file)";
            if (!left.equals(right)) {
                return "  first difference at line " + (i + 1) + "\n    document: " + left + "\n    metadata: " + right;
            }
        }
        return "  (line endings differ)";
    }

    // ---- rendering ------------------------------------------------------------------------------------------------

    static Map<String, String> render(JsonNode metadata) {
        Map<String, String> sections = new LinkedHashMap<>();
        JsonNode componentOptions = metadata.path("componentProperties");
        sections.put("component-options", count(componentOptions, "component option") + groupedTables(componentOptions));

        JsonNode endpointOptions = metadata.path("properties");
        JsonNode path = select(endpointOptions, o -> "path".equals(o.path("kind").asText()));
        JsonNode query = select(endpointOptions, o -> !"path".equals(o.path("kind").asText()));
        sections.put("endpoint-options",
                "#### Path parameters (" + path.size() + ")\n\n" + table(path, false)
                                         + "\n#### Query parameters (" + query.size() + ")\n\n" + groupedTables(query));

        JsonNode headers = metadata.path("headers");
        sections.put("message-headers", count(headers, "message header") + table(headers, true));
        return sections;
    }

    private static String count(JsonNode options, String what) {
        return "The component has " + options.size() + " " + what + (options.size() == 1 ? "" : "s") + ".\n\n";
    }

    private static JsonNode select(JsonNode options, Predicate<JsonNode> filter) {
        ObjectNode selected = JSON.createObjectNode();
        for (Map.Entry<String, JsonNode> e : options.properties()) {
            if (filter.test(e.getValue())) {
                selected.set(e.getKey(), e.getValue());
            }
        }
        return selected;
    }

    /** One table per group, in the order the metadata lists the groups. */
    private static String groupedTables(JsonNode options) {
        Map<String, ObjectNode> groups = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : options.properties()) {
            groups.computeIfAbsent(e.getValue().path("group").asText("common"), g -> JSON.createObjectNode())
                    .set(e.getKey(), e.getValue());
        }
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, ObjectNode> group : groups.entrySet()) {
            if (out.length() > 0) {
                out.append('\n');
            }
            out.append("**Group: ").append(group.getKey()).append("** (").append(group.getValue().size()).append(")\n\n");
            out.append(table(group.getValue(), false));
        }
        return out.toString();
    }

    private static String table(JsonNode options, boolean withLabel) {
        StringBuilder out = new StringBuilder();
        out.append(withLabel ? "| Name | Description | Default | Type | Label |\n|---|---|---|---|---|\n"
                : "| Name | Description | Default | Type |\n|---|---|---|---|\n");
        for (Map.Entry<String, JsonNode> field : options.properties()) {
            JsonNode option = field.getValue();
            out.append("| ").append(name(field.getKey(), option))
                    .append(" | ").append(cell(option.path("description").asText()))
                    .append(" | ").append(code(option.path("defaultValue")))
                    .append(" | ").append(type(option));
            if (withLabel) {
                out.append(" | ").append(cell(option.path("label").asText()));
            }
            out.append(" |\n");
        }
        return out.toString();
    }

    private static String name(String key, JsonNode option) {
        StringBuilder name = new StringBuilder("`").append(key).append('`');
        if (option.path("required").asBoolean()) {
            name.append(" **required**");
        }
        if (option.path("secret").asBoolean()) {
            name.append(" **secret**");
        }
        return name.toString();
    }

    private static String type(JsonNode option) {
        String type = option.has("type") ? option.path("type").asText() : simpleName(option.path("javaType").asText());
        List<String> details = new ArrayList<>();
        if (option.has("enum")) {
            List<String> values = new ArrayList<>();
            option.path("enum").forEach(v -> values.add(v.asText()));
            details.add(String.join(", ", values));
        } else if ("object".equals(type)) {
            details.add(simpleName(option.path("javaType").asText()));
        }
        if (option.has("prefix")) {
            details.add("prefix `" + option.path("prefix").asText() + "`");
        }
        return cell(details.isEmpty() ? type : type + " (" + String.join("; ", details) + ")");
    }

    private static String simpleName(String javaType) {
        String raw = javaType.contains("<") ? javaType.substring(0, javaType.indexOf('<')) : javaType;
        return raw.substring(raw.lastIndexOf('.') + 1);
    }

    private static String code(JsonNode value) {
        return value.isMissingNode() || value.isNull() ? "" : "`" + cell(value.asText()) + "`";
    }

    /** Text that stays inside one table cell and is shown as written. */
    private static String cell(String text) {
        return text.replace("\r", "").replace("\n", " ").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;");
    }
}

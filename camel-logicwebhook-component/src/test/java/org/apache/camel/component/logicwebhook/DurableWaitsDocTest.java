package org.apache.camel.component.logicwebhook;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

import org.apache.camel.component.logicwebhook.store.JdbcWaitStore;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The schema that docs/durable-waits.md gives DBAs is the one the store creates, statement for statement, and its
 * upgrade of an older table too.
 */
class DurableWaitsDocTest {

    @Test
    void theDocumentedSchemaIsTheOneTheStoreCreates() throws Exception {
        String doc = Files.readString(Path.of(System.getProperty("basedir", ".")).resolve("../docs/durable-waits.md"));
        for (String statement : JdbcWaitStore.SCHEMA) {
            String asDocumented = statement.strip().lines().map(line -> line.startsWith("    ") ? line : line.strip())
                    .collect(Collectors.joining("\n")) + ";";
            assertTrue(doc.contains(asDocumented), "docs/durable-waits.md lacks:\n" + asDocumented);
        }
        for (String statement : JdbcWaitStore.UPGRADE) {
            assertTrue(doc.contains(statement + ";"), "docs/durable-waits.md lacks:\n" + statement);
        }
    }
}

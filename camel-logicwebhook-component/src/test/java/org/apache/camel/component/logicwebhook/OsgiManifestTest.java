package org.apache.camel.component.logicwebhook;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bundle manifest that bnd writes for Karaf: the component's package and the wait-store SPI exported, and a version
 * range on every import that is not the JDK's.
 */
class OsgiManifestTest {

    private static Attributes manifest() throws Exception {
        Path file = Path.of("target/classes/META-INF/MANIFEST.MF");
        try (InputStream in = Files.newInputStream(file)) {
            return new Manifest(in).getMainAttributes();
        }
    }

    /** Splits an OSGi header on the commas that are not inside quotes. */
    private static List<String> clauses(String header) {
        List<String> clauses = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (char c : header.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                clauses.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        clauses.add(current.toString());
        return clauses;
    }

    @Test
    void exportsOnlyTheComponentPackageAndTheWaitStoreSpi() throws Exception {
        Attributes manifest = manifest();
        assertEquals("io.logicwebhook.camel-logicwebhook", manifest.getValue("Bundle-SymbolicName"));
        List<String> exports = clauses(manifest.getValue("Export-Package"));
        assertEquals(2, exports.size(), exports.toString());
        assertTrue(exports.get(0).startsWith("org.apache.camel.component.logicwebhook;version="), exports.get(0));
        assertTrue(exports.get(1).startsWith("org.apache.camel.component.logicwebhook.store;version="), exports.get(1));
    }

    @Test
    void everyNonJdkImportHasAVersionRange() throws Exception {
        String imports = manifest().getValue("Import-Package");
        assertNotNull(imports);
        for (String clause : clauses(imports)) {
            String pkg = clause.split(";")[0];
            if (pkg.startsWith("java.") || pkg.startsWith("javax.crypto") || pkg.startsWith("javax.net")
                    || pkg.startsWith("javax.sql")) {
                continue;
            }
            assertTrue(clause.matches(".*;version=\"\\[[0-9.]+,[0-9.]+\\)\".*"), "no version range: " + clause);
        }
    }

    @Test
    void micrometerIsAnOptionalImport() throws Exception {
        List<String> micrometer = clauses(manifest().getValue("Import-Package")).stream()
                .filter(clause -> clause.startsWith("io.micrometer.")).toList();
        assertTrue(!micrometer.isEmpty(), "the meters import Micrometer");
        for (String clause : micrometer) {
            assertTrue(clause.contains("resolution:=optional"), "not optional: " + clause);
        }
    }
}

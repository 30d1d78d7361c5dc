package io.logicwebhook.karaf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Writes a Karaf features repository that stands in for camel-karaf's (not served here for Camel 4.18): features named
 * as camel-karaf names them (camel-core, camel-platform-http-vertx, camel-http, camel-jackson, …), made of the plain
 * Camel 4.18 jars and their dependencies from Maven Central. A jar that carries OSGi headers is installed as it is; one
 * that does not (every Camel 4 jar, Vert.x 4.5, HttpClient 5) is wrapped with {@code wrap:}, exporting its packages at
 * its own version, as camel-karaf does for third-party jars.
 */
final class StandInCamelFeatures {

    /** Every jar of the Karaf repository goes to one of these features, by artifactId (or groupId for Netty). */
    private static final Map<String, List<String>> FEATURES = new LinkedHashMap<>();

    static {
        FEATURES.put("camel-core", List.of("camel-api", "camel-util", "camel-util-json", "camel-management-api",
                "camel-support", "camel-base", "camel-base-engine", "camel-core-engine", "camel-core-model",
                "camel-core-reifier", "camel-core-processor", "camel-core-languages", "camel-cloud", "camel-cluster",
                "camel-xml-jaxp-util", "camel-bean", "camel-file", "jakarta.xml.bind-api", "jakarta.activation-api"));
        FEATURES.put("camel-platform-http", List.of("camel-platform-http"));
        FEATURES.put("camel-vertx-common", List.of("camel-vertx-common", "vertx-core", "io.netty"));
        FEATURES.put("camel-platform-http-vertx", List.of("camel-platform-http-vertx", "camel-attachments", "vertx-web",
                "vertx-web-common", "vertx-auth-common", "vertx-bridge-common"));
        FEATURES.put("camel-http", List.of("camel-http", "camel-http-common", "camel-http-base", "httpclient5",
                "httpcore5", "httpcore5-h2", "jakarta.servlet-api"));
        FEATURES.put("camel-jackson", List.of("camel-jackson", "jackson-core", "jackson-databind", "jackson-annotations"));
    }

    /** The features each stand-in feature requires, as camel-karaf's do. */
    private static final Map<String, List<String>> REQUIRES = Map.of(
            "camel-platform-http", List.of("camel-core"),
            "camel-vertx-common", List.of("camel-core"),
            "camel-platform-http-vertx", List.of("camel-platform-http", "camel-vertx-common"),
            "camel-http", List.of("camel-core"),
            "camel-jackson", List.of("camel-core"));

    /** Jars of the repository that are not Camel's: ours, and what Karaf already provides (pax-logging's SLF4J). */
    private static final List<String> NOT_IN_STAND_IN = List.of("camel-logicwebhook", "camel-logicwebhook-karaf-features",
            "slf4j-api");

    private record Artifact(String groupId, String artifactId, String version, Path jar) {
    }

    private StandInCamelFeatures() {
    }

    /** Writes the features file, with a feature that installs the probe bundle, and returns its file: URL. */
    static String write(Path repository, String camelVersion, Path probe, Path target) throws IOException {
        Map<String, List<String>> bundles = new LinkedHashMap<>();
        FEATURES.keySet().forEach(feature -> bundles.put(feature, new ArrayList<>()));
        for (Artifact artifact : jars(repository)) {
            if (NOT_IN_STAND_IN.contains(artifact.artifactId())) {
                continue;
            }
            String feature = featureOf(artifact);
            bundles.get(feature).add(bundleUrl(artifact));
        }
        StringBuilder xml = new StringBuilder()
                .append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<features xmlns=\"http://karaf.apache.org/xmlns/features/v1.6.0\" name=\"camel-stand-in-")
                .append(camelVersion).append("\">\n");
        for (Map.Entry<String, List<String>> feature : bundles.entrySet()) {
            xml.append("  <feature name=\"").append(feature.getKey()).append("\" version=\"").append(camelVersion)
                    .append("\">\n");
            for (String required : REQUIRES.getOrDefault(feature.getKey(), List.of())) {
                xml.append("    <feature>").append(required).append("</feature>\n");
            }
            for (String bundle : feature.getValue()) {
                // Camel's own bundles are always installed, as in camel-karaf (camel-bean, say, is used by name
                // through Simple, and no bundle imports its packages); the others only where a bundle needs them
                String dependency = bundle.contains(":org.apache.camel/") ? "" : " dependency=\"true\"";
                xml.append("    <bundle").append(dependency).append('>').append(bundle.replace("&", "&amp;"))
                        .append("</bundle>\n");
            }
            xml.append("  </feature>\n");
        }
        xml.append("  <feature name=\"logicwebhook-karaf-probe\" version=\"1.0.0\">\n")
                .append("    <feature>camel-platform-http-vertx</feature>\n")
                .append("    <bundle>").append(probe.toUri()).append("</bundle>\n")
                .append("  </feature>\n")
                .append("</features>\n");
        Files.writeString(target, xml);
        return target.toUri().toString();
    }

    private static String featureOf(Artifact artifact) {
        for (Map.Entry<String, List<String>> feature : FEATURES.entrySet()) {
            if (feature.getValue().contains(artifact.artifactId()) || feature.getValue().contains(artifact.groupId())) {
                return feature.getKey();
            }
        }
        throw new IllegalStateException(artifact + " is in no stand-in feature: a new dependency? Add it to FEATURES");
    }

    private static String bundleUrl(Artifact artifact) throws IOException {
        String mvn = "mvn:" + artifact.groupId() + "/" + artifact.artifactId() + "/" + artifact.version();
        try (JarFile jar = new JarFile(artifact.jar().toFile())) {
            if (jar.getManifest() != null && jar.getManifest().getMainAttributes().getValue("Bundle-SymbolicName") != null) {
                return mvn;
            }
        }
        return "wrap:" + mvn + "$Bundle-SymbolicName=" + artifact.groupId() + "." + artifact.artifactId()
               + "&Bundle-Version=" + artifact.version() + "&Export-Package=*;version=" + artifact.version();
    }

    /** The jars of a Maven repository layout: group/path/artifactId/version/artifactId-version.jar. */
    private static List<Artifact> jars(Path repository) throws IOException {
        try (Stream<Path> files = Files.walk(repository)) {
            return files.filter(file -> file.toString().endsWith(".jar")).map(jar -> {
                Path versionDir = jar.getParent();
                Path artifactDir = versionDir.getParent();
                String groupId = repository.relativize(artifactDir.getParent()).toString().replace('/', '.');
                return new Artifact(groupId, artifactDir.getFileName().toString(), versionDir.getFileName().toString(),
                        jar);
            }).toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}

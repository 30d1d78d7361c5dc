package io.logicwebhook.karaf;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Karaf instance of the test: a fresh copy of the unpacked distribution, configured to read Maven artifacts only from
 * the module's own repository folder, to boot the given features, and to open no fixed port (its SSH console and JMX
 * connector are left out), run headless ({@code bin/karaf daemon}) as a child process.
 */
final class Karaf implements AutoCloseable {

    /** Boot features of the distribution that open fixed ports (8101; 1099 and 44444). */
    private static final List<String> LEFT_OUT = List.of("ssh", "management");

    private final Path home;
    private Process process;

    private Karaf(Path home) {
        this.home = home;
    }

    static Karaf prepare(Path distribution, Path instance) throws IOException {
        Path home = instance.toAbsolutePath();
        deleteRecursively(home);
        try (Stream<Path> files = Files.walk(distribution)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Path copy = home.resolve(distribution.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(source, copy, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return new Karaf(home);
    }

    /** Karaf resolves mvn: URLs from this Maven repository layout and its own system folder, never from a network. */
    Karaf mavenRepository(Path repository) throws IOException {
        Properties mvn = new Properties();
        mvn.setProperty("org.ops4j.pax.url.mvn.useFallbackRepositories", "false");
        mvn.setProperty("org.ops4j.pax.url.mvn.defaultRepositories",
                "${karaf.home.uri}${karaf.default.repository}@id=system.repository@snapshots");
        mvn.setProperty("org.ops4j.pax.url.mvn.localRepository", repository.toAbsolutePath().toString());
        mvn.setProperty("org.ops4j.pax.url.mvn.repositories", "");
        store(mvn, "org.ops4j.pax.url.mvn.cfg");
        return this;
    }

    /** Adds features repositories, and boots these features after the distribution's own. */
    Karaf bootFeatures(List<String> repositories, List<String> features) throws IOException {
        Properties cfg = load("org.apache.karaf.features.cfg");
        List<String> repos = new ArrayList<>(split(cfg.getProperty("featuresRepositories")));
        repos.addAll(repositories);
        cfg.setProperty("featuresRepositories", String.join(", ", repos));
        List<String> standard = split(cfg.getProperty("featuresBoot")).stream()
                .filter(feature -> !LEFT_OUT.contains(feature.split("/")[0])).toList();
        // two stages: the distribution's features (wrap: among them) first
        cfg.setProperty("featuresBoot", "(" + String.join(", ", standard) + "), (" + String.join(", ", features) + ")");
        store(cfg, "org.apache.karaf.features.cfg");
        return this;
    }

    Karaf systemProperties(Map<String, String> properties) throws IOException {
        String lines = properties.entrySet().stream().map(e -> e.getKey() + " = " + e.getValue())
                .collect(Collectors.joining("\n", "\n", "\n"));
        Files.writeString(home.resolve("etc/system.properties"), lines, StandardCharsets.ISO_8859_1,
                StandardOpenOption.APPEND);
        return this;
    }

    Karaf start() throws IOException {
        ProcessBuilder builder = new ProcessBuilder("bash", home.resolve("bin/karaf").toString(), "daemon")
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("console.log").toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().remove("KARAF_HOME");
        process = builder.start();
        return this;
    }

    boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Whether installing the boot features failed (Karaf logs it and goes on running). */
    boolean bootFailed() {
        try {
            Path log = home.resolve("data/log/karaf.log");
            return Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains("Error installing boot features");
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops Karaf as a service manager does (SIGTERM): the framework stops every bundle before the JVM exits. */
    int stop(long timeout, TimeUnit unit) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout, unit)) {
            process.destroyForcibly().waitFor();
            throw new IllegalStateException("Karaf did not stop within " + timeout + " " + unit);
        }
        return process.exitValue();
    }

    /** The end of Karaf's log and console, for a failure message. */
    String logTail() {
        StringBuilder tail = new StringBuilder();
        for (Path log : List.of(home.resolve("data/log/karaf.log"), home.resolve("console.log"))) {
            try {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                tail.append("--- ").append(log.getFileName()).append('\n')
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size())))
                        .append('\n');
            } catch (IOException e) {
                tail.append("--- ").append(log.getFileName()).append(": ").append(e.getMessage()).append('\n');
            }
        }
        return tail.toString();
    }

    @Override
    public void close() throws InterruptedException {
        if (isRunning()) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private Properties load(String name) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(home.resolve("etc").resolve(name))) {
            properties.load(in);
        }
        return properties;
    }

    private void store(Properties properties, String name) throws IOException {
        try (OutputStream out = Files.newOutputStream(home.resolve("etc").resolve(name))) {
            properties.store(out, "written by the logicwebhook Karaf test");
        }
    }

    private static List<String> split(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            for (Path file : files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(file);
            }
        }
    }
}

package org.apache.camel.component.logicwebhook.benchmark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A JVM of the external benchmark's own (the application under test, the remote service), on the benchmark's class
 * path; its output goes to a log file, and it is ready when it prints its ready line.
 */
final class ChildJvm implements AutoCloseable {

    final String name;
    private final List<String> command;
    private final Path log;
    private final String readyPrefix;
    private Process process;
    private String readyLine;

    ChildJvm(String name, List<String> jvmOptions, String mainClass, List<String> args, Path log, String readyPrefix) {
        this.name = name;
        this.log = log;
        this.readyPrefix = readyPrefix;
        command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
    }

    ChildJvm start(long timeoutSeconds) throws Exception {
        Files.createDirectories(log.getParent());
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                 PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                         StandardOpenOption.CREATE, StandardOpenOption.APPEND), true)) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    out.println(line);
                    if (line.startsWith(readyPrefix)) {
                        ready.complete(line);
                    }
                }
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
            ready.completeExceptionally(new IllegalStateException(name + " exited before it was ready; see " + log));
        }, name + "-output");
        pump.setDaemon(true);
        pump.start();
        try {
            readyLine = ready.get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (Exception e) {
            // never leave a JVM behind that is not ready
            close();
            throw new IllegalStateException(name + " did not start; see " + log, e);
        }
        return this;
    }

    long pid() {
        return process.pid();
    }

    String readyLine() {
        return readyLine;
    }

    ChildJvm restart(long timeoutSeconds) throws Exception {
        close();
        return start(timeoutSeconds);
    }

    /** kill -9: the JVM ends at once, with no shutdown hook. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (process == null || !process.isAlive()) {
            return;
        }
        // SIGTERM: the application stops Camel (and its PostgreSQL) in its shutdown hook
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}

package org.apache.camel.example.logicwebhook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of the demo approval service: the approvals that wait for a decision, each with the URLs to call back.
 * <p>
 * The demo service runs inside the example application, but it stands in for a remote service, which keeps its own
 * state when the application that asked it restarts. So that the example can show an order outliving a restart, the
 * pending approvals are kept in a JSON file (beside the application's wait store): loaded when the desk is created,
 * written again on every change. A real service keeps them in its own database; this file is only the demo's stand-in.
 */
public class ApprovalDesk {

    private static final Logger LOG = LoggerFactory.getLogger(ApprovalDesk.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A pending approval. The callback URLs are capability URLs: whoever has them can decide, so they are not listed. */
    public record Approval(String id, String callbackUrl, String failureUrl, Object order, Instant requestedAt) {
    }

    private final Map<String, Approval> pending = new ConcurrentHashMap<>();
    private final Path file;

    /**
     * @param file where the pending approvals are kept: read now if it exists, written on every change (its folder is
     *             created when missing)
     */
    public ApprovalDesk(Path file) {
        this.file = file;
        load();
    }

    public synchronized Approval request(String callbackUrl, String failureUrl, Object order) {
        Approval approval = new Approval(UUID.randomUUID().toString(), callbackUrl, failureUrl, order, Instant.now());
        pending.put(approval.id(), approval);
        save();
        return approval;
    }

    /** Removes a pending approval to decide or cancel it; {@code null} when there is none with that id. */
    public synchronized Approval take(String id) {
        Approval approval = id == null ? null : pending.remove(id);
        if (approval != null) {
            save();
        }
        return approval;
    }

    /** The pending approvals, oldest first, without their callback URLs. */
    public List<Map<String, Object>> list() {
        return pending.values().stream()
                .sorted(Comparator.comparing(Approval::requestedAt))
                .map(ApprovalDesk::view)
                .toList();
    }

    private static Map<String, Object> view(Approval approval) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", approval.id());
        view.put("order", approval.order());
        view.put("requestedAt", approval.requestedAt().toString());
        return view;
    }

    private void load() {
        if (!Files.exists(file)) {
            return;
        }
        List<Map<String, Object>> stored;
        try {
            stored = JSON.readValue(file.toFile(), new TypeReference<>() {
            });
        } catch (IOException e) {
            throw new UncheckedIOException("The demo approval service cannot read its pending approvals from " + file
                                           + " (delete the file to start without them): " + e.getMessage(), e);
        }
        for (Map<String, Object> approval : stored) {
            String id = approval.get("id").toString();
            pending.put(id, new Approval(id, approval.get("callbackUrl").toString(),
                    approval.get("failureUrl").toString(), approval.get("order"),
                    Instant.parse(approval.get("requestedAt").toString())));
        }
        if (!pending.isEmpty()) {
            LOG.info("Approvals: {} approval(s) still pending from the last run, kept in {}", pending.size(), file);
        }
    }

    /** Writes the whole file again, atomically: a crash leaves the old file or the new one, never half of one. */
    private void save() {
        List<Map<String, Object>> stored = pending.values().stream()
                .sorted(Comparator.comparing(Approval::requestedAt))
                .map(approval -> {
                    Map<String, Object> entry = new LinkedHashMap<>(view(approval));
                    entry.put("callbackUrl", approval.callbackUrl());
                    entry.put("failureUrl", approval.failureUrl());
                    return entry;
                })
                .toList();
        try {
            Path folder = file.toAbsolutePath().getParent();
            Files.createDirectories(folder);
            Path next = Files.createTempFile(folder, file.getFileName().toString(), ".tmp");
            JSON.writerWithDefaultPrettyPrinter().writeValue(next.toFile(), stored);
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("The demo approval service cannot write its pending approvals to " + file, e);
        }
    }
}

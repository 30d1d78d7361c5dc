package org.apache.camel.example.logicwebhook;

import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The state of the demo approval service: the approvals that wait for a decision, each with the URLs to call back.
 */
public class ApprovalDesk {

    /** A pending approval. The callback URLs are capability URLs: whoever has them can decide, so they are not listed. */
    public record Approval(String id, String callbackUrl, String failureUrl, Object order, Instant requestedAt) {
    }

    private final Map<String, Approval> pending = new ConcurrentHashMap<>();

    public Approval request(String callbackUrl, String failureUrl, Object order) {
        Approval approval = new Approval(UUID.randomUUID().toString(), callbackUrl, failureUrl, order, Instant.now());
        pending.put(approval.id(), approval);
        return approval;
    }

    /** Removes a pending approval to decide or cancel it; {@code null} when there is none with that id. */
    public Approval take(String id) {
        return id == null ? null : pending.remove(id);
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
}

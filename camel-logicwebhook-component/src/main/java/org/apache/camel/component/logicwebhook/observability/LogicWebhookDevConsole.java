package org.apache.camel.component.logicwebhook.observability;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

import org.apache.camel.Route;
import org.apache.camel.spi.annotations.DevConsole;
import org.apache.camel.support.console.AbstractDevConsole;
import org.apache.camel.util.json.JsonArray;
import org.apache.camel.util.json.JsonObject;

/**
 * The {@code logicwebhook} dev console: each trigger's subscription, and the action's pending waits (nearest deadline
 * first). It shows a wait's id shortened, and never a signature or a callback URL.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
@DevConsole(name = "logicwebhook", displayName = "Logic Apps HTTP Webhook",
            description = "Triggers' subscriptions and the action's pending waits")
public class LogicWebhookDevConsole extends AbstractDevConsole {

    /** How many waits the console lists at most, unless the caller asks for another limit. */
    public static final String LIMIT = "limit";
    private static final int DEFAULT_LIMIT = 100;
    /** The shown part of a wait id: enough to tell waits apart, too little to call one back. */
    private static final int ID_PREFIX = 6;

    public LogicWebhookDevConsole() {
        super("camel", "logicwebhook", "Logic Apps HTTP Webhook", "Triggers' subscriptions and the action's pending waits");
    }

    @Override
    protected String doCallText(Map<String, Object> options) {
        long now = clock();
        StringBuilder text = new StringBuilder();
        List<TriggerStatus> triggers = triggers();
        text.append("Triggers: ").append(triggers.size()).append('\n');
        for (TriggerStatus trigger : triggers) {
            text.append(String.format("    %s (route %s): %s since %s, lease until %s, last error: %s%n",
                    trigger.triggerName(), trigger.getRouteId(), trigger.subscriptionState(),
                    time(trigger.getSubscribedAt()), time(trigger.getLeaseExpiresAt()), orNone(trigger.getLastError())));
        }
        for (WaitsStatus component : components()) {
            text.append("Wait store: ").append(component.waitStoreSummary()).append('\n');
        }
        List<WaitStatus> waits = new ArrayList<>();
        int pending = pendingWaits(waits, limit(options));
        text.append("Pending waits: ").append(pending);
        if (waits.size() < pending) {
            text.append(" (the ").append(waits.size()).append(" nearest their deadline)");
        }
        text.append('\n');
        for (WaitStatus wait : waits) {
            text.append(String.format("    %s %s: deadline %s, age %s s%n", wait.endpointName(),
                    shortId(wait.waitId()), time(deadline(wait)), (now - wait.startedAt()) / 1000));
        }
        return text.toString();
    }

    @Override
    protected Map<String, Object> doCallJson(Map<String, Object> options) {
        long now = clock();
        JsonObject root = new JsonObject();
        JsonArray triggers = new JsonArray();
        for (TriggerStatus trigger : triggers()) {
            JsonObject json = new JsonObject();
            json.put("name", trigger.triggerName());
            json.put("routeId", trigger.getRouteId());
            json.put("subscriptionState", trigger.subscriptionState());
            json.put("subscribedAt", trigger.getSubscribedAt());
            json.put("leaseExpiresAt", trigger.getLeaseExpiresAt());
            json.put("lastError", trigger.getLastError());
            triggers.add(json);
        }
        root.put("triggers", triggers);
        JsonArray stores = new JsonArray();
        components().forEach(component -> stores.add(component.waitStoreSummary()));
        root.put("waitStores", stores);
        List<WaitStatus> waits = new ArrayList<>();
        root.put("pendingWaits", pendingWaits(waits, limit(options)));
        JsonArray shown = new JsonArray();
        for (WaitStatus wait : waits) {
            JsonObject json = new JsonObject();
            json.put("endpoint", wait.endpointName());
            json.put("id", shortId(wait.waitId()));
            json.put("deadline", deadline(wait));
            json.put("age", now - wait.startedAt());
            shown.add(json);
        }
        root.put("waits", shown);
        return root;
    }

    /** The logicwebhook components, whatever names they were added under. */
    private List<WaitsStatus> components() {
        List<WaitsStatus> components = new ArrayList<>();
        for (String name : getCamelContext().getComponentNames()) {
            if (getCamelContext().hasComponent(name) instanceof WaitsStatus waits) {
                components.add(waits);
            }
        }
        return components;
    }

    private List<TriggerStatus> triggers() {
        List<TriggerStatus> triggers = new ArrayList<>();
        for (Route route : getCamelContext().getRoutes()) {
            if (route.getConsumer() instanceof TriggerStatus trigger) {
                triggers.add(trigger);
            }
        }
        return triggers;
    }

    /**
     * Fills {@code shown} with up to {@code limit} waits, nearest deadline first.
     *
     * @return how many waits are pending in all
     */
    private record Due(WaitStatus pending, long deadline) {
    }

    private int pendingWaits(List<WaitStatus> shown, int limit) {
        // the nearest deadlines in a bounded heap, each read once: a heartbeat may move one meanwhile
        PriorityQueue<Due> nearest = new PriorityQueue<>(Comparator.comparingLong(Due::deadline).reversed());
        int pending = 0;
        for (WaitsStatus component : components()) {
            for (WaitStatus wait : component.pendingWaits()) {
                pending++;
                long deadline = wait.deadline();
                if (nearest.size() < limit) {
                    nearest.add(new Due(wait, deadline));
                } else if (limit > 0 && deadline < nearest.peek().deadline()) {
                    nearest.poll();
                    nearest.add(new Due(wait, deadline));
                }
            }
        }
        nearest.stream().sorted(Comparator.comparingLong(Due::deadline)).forEach(due -> shown.add(due.pending()));
        return pending;
    }

    private long clock() {
        List<WaitsStatus> components = components();
        return components.isEmpty() ? System.currentTimeMillis() : components.get(0).now();
    }

    private static int limit(Map<String, Object> options) {
        Object limit = options.get(LIMIT);
        try {
            return limit != null ? Integer.parseInt(limit.toString()) : DEFAULT_LIMIT;
        } catch (NumberFormatException e) {
            return DEFAULT_LIMIT;
        }
    }

    /** A wait's deadline, or 0 when it has none. */
    private static long deadline(WaitStatus wait) {
        return wait.deadline() == Long.MAX_VALUE ? 0 : wait.deadline();
    }

    static String shortId(String id) {
        return id.length() > ID_PREFIX ? id.substring(0, ID_PREFIX) + "…" : id;
    }

    private static String time(long millis) {
        return millis > 0 ? Instant.ofEpochMilli(millis).toString() : "-";
    }

    private static String orNone(String text) {
        return text != null ? text : "-";
    }
}

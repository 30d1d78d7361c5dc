package org.apache.camel.component.logicwebhook.wait;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.StreamCache;
import org.apache.camel.component.logicwebhook.LogicWebhookStoreException;

/**
 * An exchange as it began waiting, for its {@code resumeUri} should its JVM be gone when the callback comes: the body,
 * and the headers and variables the endpoint lists. JSON only (never Java serialization): a string, number, boolean,
 * map or list is kept as it is, anything else as the text Camel converts it to. Bounded by a size.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public final class ExchangeSnapshot {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ExchangeSnapshot() {
    }

    /**
     * @throws IllegalArgumentException when it is longer than {@code maxSize} bytes
     */
    public static String of(Exchange exchange, Collection<String> headers, Collection<String> variables, long maxSize) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("body", value(exchange, exchange.getMessage().getBody()));
        json.put("headers", pick(exchange, headers, exchange.getMessage()::getHeader));
        json.put("variables", pick(exchange, variables, exchange::getVariable));
        String text;
        try {
            text = JSON.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the exchange could not be kept as JSON for its resumeUri: " + e.getMessage(),
                    e);
        }
        int size = text.getBytes(StandardCharsets.UTF_8).length;
        if (size > maxSize) {
            throw new IllegalArgumentException("the exchange's snapshot for its resumeUri is " + size
                                               + " bytes, over maxSnapshotSize (" + maxSize + "): list fewer headers or"
                                               + " variables, or make the body smaller before the action");
        }
        return text;
    }

    /** Gives the exchange the snapshot's body, headers and variables. */
    @SuppressWarnings("unchecked")
    public static void restore(String snapshot, Exchange exchange) {
        if (snapshot == null) {
            return;
        }
        Map<String, Object> json;
        try {
            json = JSON.readValue(snapshot, Map.class);
        } catch (JsonProcessingException e) {
            throw new LogicWebhookStoreException("a stored snapshot is not the JSON this component writes", e);
        }
        exchange.getMessage().setBody(json.get("body"));
        ((Map<String, Object>) json.getOrDefault("headers", Map.of())).forEach(exchange.getMessage()::setHeader);
        ((Map<String, Object>) json.getOrDefault("variables", Map.of())).forEach(exchange::setVariable);
    }

    private interface Source {
        Object get(String name);
    }

    private static Map<String, Object> pick(Exchange exchange, Collection<String> names, Source source) {
        Map<String, Object> picked = new LinkedHashMap<>();
        for (String name : names) {
            Object value = source.get(name);
            if (value != null) {
                picked.put(name, value(exchange, value));
            }
        }
        return picked;
    }

    private static Object value(Exchange exchange, Object value) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean
                || value instanceof Map || value instanceof Collection) {
            return value;
        }
        String text = exchange.getContext().getTypeConverter().convertTo(String.class, exchange, value);
        if (value instanceof StreamCache cache) {
            // read for the snapshot: the route reads it again
            cache.reset();
        }
        return text;
    }
}

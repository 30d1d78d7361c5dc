package org.apache.camel.component.logicwebhook.wait;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.component.logicwebhook.LogicWebhookStoreException;

/**
 * What a callback carried, as a durable store keeps it for an orphan (or another node): the raw body, the headers as
 * text (never a credential), the status and whether it came on the failure URL. JSON, never a Java object.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public record CallbackResult(byte[] body, Map<String, String> headers, int status, boolean failure) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The callback as the store keeps it: without the headers whose names look like a secret's (Authorization, Cookie…). */
    public static CallbackResult of(byte[] body, Map<String, Object> headers, int status, boolean failure) {
        Map<String, String> text = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            if (value != null && !StoredRequests.isSecret(name)) {
                text.put(name, value.toString());
            }
        });
        return new CallbackResult(body, text, status, failure);
    }

    public String toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("body", Base64.getEncoder().encodeToString(body));
        json.put("headers", headers);
        json.put("status", status);
        json.put("failure", failure);
        try {
            return JSON.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new LogicWebhookStoreException("a callback could not be written as JSON", e);
        }
    }

    @SuppressWarnings("unchecked")
    public static CallbackResult fromJson(String text) {
        try {
            Map<String, Object> json = JSON.readValue(text, Map.class);
            return new CallbackResult(Base64.getDecoder().decode((String) json.get("body")),
                    (Map<String, String>) json.get("headers"), ((Number) json.get("status")).intValue(),
                    Boolean.TRUE.equals(json.get("failure")));
        } catch (JsonProcessingException | RuntimeException e) {
            throw new LogicWebhookStoreException("a stored callback is not the JSON this component writes", e);
        }
    }
}

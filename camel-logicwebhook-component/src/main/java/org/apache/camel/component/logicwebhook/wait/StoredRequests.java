package org.apache.camel.component.logicwebhook.wait;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.camel.component.logicwebhook.store.StoredRequest;
import org.apache.camel.component.logicwebhook.subscription.OutboundRequest;
import org.apache.camel.util.SensitiveUtils;

/**
 * An unsubscribe request as the store keeps it: a header whose name looks like a secret's (Authorization, X-Api-Key,
 * X-Auth-Token, Cookie…) is not kept; the endpoint's options give it back when the request is sent.
 */
final class StoredRequests {

    /** Words that make a header name a secret's, in names lower-cased and stripped of everything but letters. */
    private static final List<String> SECRET_WORDS
            = List.of("auth", "token", "key", "secret", "password", "cookie", "signature", "credential", "session");

    private StoredRequests() {
    }

    static boolean isSecret(String headerName) {
        String letters = headerName.toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
        return SECRET_WORDS.stream().anyMatch(letters::contains) || SensitiveUtils.containsSensitive(letters);
    }

    static StoredRequest toStored(OutboundRequest request) {
        if (request == null) {
            return null;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        request.headers().forEach((name, value) -> {
            if (!isSecret(name)) {
                headers.put(name, value);
            }
        });
        return new StoredRequest(request.method(), request.uri(), headers, request.body());
    }

    static OutboundRequest fromStored(StoredRequest request) {
        return request == null ? null
                : new OutboundRequest(request.method(), request.uri(),
                        request.headers() == null ? Map.of() : request.headers(), request.body());
    }
}

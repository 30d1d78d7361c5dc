package org.apache.camel.component.logicwebhook.wait;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.component.logicwebhook.store.StoredRequest;
import org.apache.camel.component.logicwebhook.subscription.OutboundRequest;
import org.apache.camel.util.SensitiveUtils;

/** An unsubscribe request as the store keeps it: a header whose name Camel takes for a secret is not kept. */
final class StoredRequests {

    private StoredRequests() {
    }

    static StoredRequest toStored(OutboundRequest request) {
        if (request == null) {
            return null;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        request.headers().forEach((name, value) -> {
            if (!SensitiveUtils.containsSensitive(name)) {
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

package org.apache.camel.component.logicwebhook.store;

import java.util.Map;

/**
 * An unsubscribe request as a wait store keeps it: every template resolved, and no credential (the endpoint's
 * authentication options are applied when it is sent; headers with sensitive names are not kept).
 *
 * @param headers never {@code null}
 * @param body    {@code null} when the request has no body
 */
public record StoredRequest(String method, String uri, Map<String, String> headers, String body) {
}

package org.apache.camel.component.logicwebhook.subscription;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * Reads the lease a service granted from its subscribe response: a field that gives when the subscription expires (an
 * ISO-8601 date-time), or for how long (a number of seconds or an ISO-8601 duration).
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public final class Lease {

    /** Field names services use for it, in the order they are looked for. */
    static final List<String> KNOWN_FIELDS = List.of("expirationDateTime", "expiresAt", "expires_at", "expiry",
            "expiresIn", "expires_in", "leaseSeconds", "lease_seconds", "hub.lease_seconds");

    private Lease() {
    }

    /**
     * @param  field the configured field, or {@code null} for the first known one present
     * @return       the lease in milliseconds from {@code now}, or -1 when the response gives none
     */
    public static long fromResponse(Object subscription, String field, long now) {
        if (!(subscription instanceof Map<?, ?> fields)) {
            return -1;
        }
        if (field != null && !field.isBlank()) {
            return parse(fields.get(field.trim()), now);
        }
        for (String known : KNOWN_FIELDS) {
            if (fields.containsKey(known)) {
                return parse(fields.get(known), now);
            }
        }
        return -1;
    }

    private static long parse(Object value, long now) {
        if (value instanceof Number number) {
            return Math.max(0, number.longValue() * 1000);
        }
        if (!(value instanceof String text) || text.isBlank()) {
            return -1;
        }
        String trimmed = text.trim();
        try {
            return Math.max(0, Long.parseLong(trimmed) * 1000);
        } catch (NumberFormatException e) {
            // a date-time or a duration, then
        }
        try {
            return Math.max(0, OffsetDateTime.parse(trimmed).toInstant().toEpochMilli() - now);
        } catch (DateTimeParseException e) {
            // a duration, then
        }
        try {
            return Math.max(0, Duration.parse(trimmed).toMillis());
        } catch (DateTimeParseException | ArithmeticException e) {
            return -1;
        }
    }
}

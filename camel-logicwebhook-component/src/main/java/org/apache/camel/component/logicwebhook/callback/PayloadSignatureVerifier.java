package org.apache.camel.component.logicwebhook.callback;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.function.Function;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies the signature a webhook sender put on a payload, for an endpoint that opted in. Two schemes:
 * <ul>
 * <li>{@link Scheme#STANDARD_WEBHOOKS} (<a href="https://www.standardwebhooks.com">Standard Webhooks</a> 1.0):
 * headers {@code webhook-id}, {@code webhook-timestamp} (unix seconds) and {@code webhook-signature}, a space-separated
 * list of {@code v1,<base64 HMAC-SHA256>} entries over {@code id.timestamp.body} (entries of other versions, such as
 * the asymmetric {@code v1a}, are ignored). A secret is base64 with an optional {@code whsec_} prefix. The timestamp
 * must be within the tolerance of the clock, either way, and an id is accepted once: a second delivery with the same
 * {@code webhook-id} is rejected as a replay while the id is remembered. Svix, and the senders that deliver through it
 * (Resend, Clerk), may name the headers {@code svix-id}, {@code svix-timestamp} and {@code svix-signature}: as the svix
 * library does, one whole set is read, never a mix: the {@code webhook-*} set when all three are there, else the
 * {@code svix-*} set when any of them is there. The two share one replay cache, so a delivery replayed under the other
 * names is a replay too.</li>
 * <li>{@link Scheme#HUB_SIGNATURE_256} (GitHub, WebSub): header {@code X-Hub-Signature-256: sha256=<hex>}, the
 * HMAC-SHA256 of the raw body with the UTF-8 bytes of the secret as the key.</li>
 * </ul>
 * Several secrets may be given, for rotation: a payload is valid when any one of them verifies it. Signatures are
 * compared in constant time. {@link #verify} never throws for what a request carries, and its reasons never contain a
 * secret.
 *
 * <p>
 * The replay cache is bounded: an id is remembered until the later of its timestamp and the time it was seen, plus the
 * tolerance, so that it cannot be replayed while its timestamp would still pass. When the cache is full of ids that
 * must still be remembered, deliveries are rejected ({@code replay cache full}) rather than an id forgotten early;
 * senders retry.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public final class PayloadSignatureVerifier {

    public enum Scheme {
        STANDARD_WEBHOOKS,
        HUB_SIGNATURE_256
    }

    /** The outcome of {@link #verify}: ok, or rejected with a short reason fit for a log or a 401 body. */
    record Result(boolean ok, String reason) {

        static final Result OK = new Result(true, null);

        static Result reject(String reason) {
            return new Result(false, reason);
        }
    }

    static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);
    static final int DEFAULT_REPLAY_CACHE_CAPACITY = 10_000;

    /** The names of the three Standard Webhooks headers, as the standard has them or as Svix brands them. */
    private record HeaderNames(String id, String timestamp, String signature) {

        boolean allPresent(Function<String, String> header) {
            return value(header, id) != null && value(header, timestamp) != null && value(header, signature) != null;
        }

        boolean anyPresent(Function<String, String> header) {
            return value(header, id) != null || value(header, timestamp) != null || value(header, signature) != null;
        }
    }

    private static final HeaderNames STANDARD_HEADERS
            = new HeaderNames("webhook-id", "webhook-timestamp", "webhook-signature");
    private static final HeaderNames SVIX_HEADERS = new HeaderNames("svix-id", "svix-timestamp", "svix-signature");
    static final String HUB_SIGNATURE_256 = "X-Hub-Signature-256";

    static final String SECRET_PREFIX = "whsec_";
    private static final String SIGNATURE_VERSION = "v1";
    private static final String HUB_PREFIX = "sha256=";
    private static final String ALGORITHM = "HmacSHA256";
    private static final int MAC_LENGTH = 32;
    /** More digits than any plausible unix time in seconds, few enough that parsing cannot overflow. */
    private static final int MAX_TIMESTAMP_DIGITS = 15;

    private final Scheme scheme;
    private final List<SecretKeySpec> keys;
    private final Clock clock;
    private final long toleranceSeconds;
    private final ReplayCache replays;

    /**
     * @param  scheme                   the signature scheme
     * @param  secrets                  the secrets, any one of which may verify a payload (rotation)
     * @param  clock                    the clock the Standard Webhooks timestamp is checked against
     * @param  tolerance                how far the Standard Webhooks timestamp may be from the clock, either way
     * @param  replayCacheCapacity      how many Standard Webhooks ids are remembered at most
     * @throws IllegalArgumentException when a secret is empty or, for Standard Webhooks, not base64 (the message names
     *                                  the secret by position only)
     */
    PayloadSignatureVerifier(Scheme scheme, List<String> secrets, Clock clock, Duration tolerance,
                             int replayCacheCapacity) {
        this.scheme = Objects.requireNonNull(scheme, "scheme");
        this.clock = Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(tolerance, "tolerance");
        if (tolerance.isNegative()) {
            throw new IllegalArgumentException("The tolerance must not be negative");
        }
        if (replayCacheCapacity < 1) {
            throw new IllegalArgumentException("The replay cache capacity must be at least 1");
        }
        if (secrets == null || secrets.isEmpty()) {
            throw new IllegalArgumentException("At least one secret is needed to verify payload signatures");
        }
        List<SecretKeySpec> list = new ArrayList<>(secrets.size());
        for (int i = 0; i < secrets.size(); i++) {
            list.add(new SecretKeySpec(keyBytes(scheme, secrets.get(i), i + 1), ALGORITHM));
        }
        this.keys = List.copyOf(list);
        this.toleranceSeconds = tolerance.getSeconds();
        this.replays = scheme == Scheme.STANDARD_WEBHOOKS ? new ReplayCache(replayCacheCapacity) : null;
    }

    /** A verifier with the default tolerance (5 minutes) and replay cache capacity (10,000). */
    public static PayloadSignatureVerifier of(Scheme scheme, List<String> secrets, Clock clock) {
        return new PayloadSignatureVerifier(scheme, secrets, clock, DEFAULT_TOLERANCE, DEFAULT_REPLAY_CACHE_CAPACITY);
    }

    Scheme scheme() {
        return scheme;
    }

    /**
     * @param header a case-insensitive lookup of the request headers, {@code null} for a missing one
     * @param body   the raw body, as received ({@code null} for none)
     */
    Result verify(Function<String, String> header, byte[] body) {
        byte[] payload = body != null ? body : new byte[0];
        return scheme == Scheme.STANDARD_WEBHOOKS ? verifyStandard(header, payload) : verifyHub(header, payload);
    }

    /**
     * Forgets the delivery id of a callback that was verified but not taken (the route failed, the body was refused),
     * so that the sender's retry, which carries the same id, is not refused as a replay.
     */
    void forget(Function<String, String> header) {
        if (scheme == Scheme.STANDARD_WEBHOOKS) {
            String id = value(header, headerNames(header).id());
            if (id != null) {
                replays.forget(id);
            }
        }
    }

    /**
     * The set of names a delivery uses: the standard's when it carries all three, else Svix's when it carries any of
     * them (so that what is missing is named as the sender names it), else the standard's.
     */
    private static HeaderNames headerNames(Function<String, String> header) {
        boolean standard = STANDARD_HEADERS.allPresent(header) || !SVIX_HEADERS.anyPresent(header);
        return standard ? STANDARD_HEADERS : SVIX_HEADERS;
    }

    private Result verifyStandard(Function<String, String> header, byte[] body) {
        HeaderNames names = headerNames(header);
        String id = value(header, names.id());
        if (id == null) {
            return Result.reject("missing " + names.id() + " header");
        }
        String timestampValue = value(header, names.timestamp());
        if (timestampValue == null) {
            return Result.reject("missing " + names.timestamp() + " header");
        }
        String signatures = value(header, names.signature());
        if (signatures == null) {
            return Result.reject("missing " + names.signature() + " header");
        }
        if (!isDigits(timestampValue) || timestampValue.length() > MAX_TIMESTAMP_DIGITS) {
            return Result.reject("invalid " + names.timestamp() + " header");
        }
        long timestamp = Long.parseLong(timestampValue);
        long now = clock.instant().getEpochSecond();
        if (timestamp < now - toleranceSeconds) {
            return Result.reject("timestamp too old");
        }
        if (timestamp > now + toleranceSeconds) {
            return Result.reject("timestamp too new");
        }

        // as the reference libraries do, the timestamp is signed as the number it is
        byte[] signedPrefix = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        List<byte[]> expected = new ArrayList<>(keys.size());
        for (SecretKeySpec key : keys) {
            expected.add(mac(key, signedPrefix, body));
        }
        boolean matched = false;
        for (String entry : signatures.split(" ")) {
            int comma = entry.indexOf(',');
            if (comma < 0 || !SIGNATURE_VERSION.equals(entry.substring(0, comma))) {
                continue;
            }
            byte[] given = decodeCanonicalBase64(entry.substring(comma + 1));
            if (given != null && given.length == MAC_LENGTH && matchesAny(expected, given)) {
                matched = true;
                break;
            }
        }
        if (!matched) {
            return Result.reject("no matching signature");
        }
        // only an id whose signature verified is remembered, so that nobody else can fill the cache
        long rememberUntil = Math.max(now, timestamp) + toleranceSeconds;
        return switch (replays.record(id, rememberUntil, now)) {
            case RECORDED -> Result.OK;
            case SEEN -> Result.reject("replayed " + names.id());
            case FULL -> Result.reject("replay cache full");
        };
    }

    private Result verifyHub(Function<String, String> header, byte[] body) {
        String signature = value(header, HUB_SIGNATURE_256);
        if (signature == null) {
            return Result.reject("missing " + HUB_SIGNATURE_256 + " header");
        }
        if (!signature.regionMatches(true, 0, HUB_PREFIX, 0, HUB_PREFIX.length())
                || signature.length() != HUB_PREFIX.length() + 2 * MAC_LENGTH) {
            return Result.reject("malformed " + HUB_SIGNATURE_256 + " header");
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(signature, HUB_PREFIX.length(), signature.length());
        } catch (IllegalArgumentException e) {
            return Result.reject("malformed " + HUB_SIGNATURE_256 + " header");
        }
        List<byte[]> expected = new ArrayList<>(keys.size());
        for (SecretKeySpec key : keys) {
            expected.add(mac(key, new byte[0], body));
        }
        return matchesAny(expected, given) ? Result.OK : Result.reject("no matching signature");
    }

    /** Compares with every expected MAC, not stopping at the first match, each comparison in constant time. */
    private static boolean matchesAny(List<byte[]> expected, byte[] given) {
        boolean matched = false;
        for (byte[] mac : expected) {
            matched |= MessageDigest.isEqual(mac, given);
        }
        return matched;
    }

    /**
     * @return the bytes, or {@code null} unless the text is padded base64 in its one canonical form (as the reference
     *         libraries, which compare the encoded text or decode strictly, accept it)
     */
    private static byte[] decodeCanonicalBase64(String text) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
        // the attacker's own text against its own re-encoding: nothing secret to time
        return Base64.getEncoder().encodeToString(bytes).equals(text) ? bytes : null;
    }

    private static String value(Function<String, String> header, String name) {
        String value = header.apply(name);
        if (value == null) {
            return null;
        }
        value = value.trim();
        return value.isEmpty() ? null : value;
    }

    private static boolean isDigits(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return !value.isEmpty();
    }

    private static byte[] keyBytes(Scheme scheme, String secret, int position) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("Secret #" + position + " is empty");
        }
        byte[] key;
        if (scheme == Scheme.STANDARD_WEBHOOKS) {
            // as the reference libraries (standard-webhooks/standard-webhooks, libraries/java, python, javascript) do:
            // the prefix is optional, and what follows it is base64 either way
            String encoded = secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
            try {
                key = Base64.getDecoder().decode(encoded.trim());
            } catch (IllegalArgumentException e) {
                // not e: its message may quote a character of the secret
                throw new IllegalArgumentException(
                        "Secret #" + position + " is not a Standard Webhooks secret (base64, optionally prefixed with "
                                                   + SECRET_PREFIX + ")");
            }
        } else {
            key = secret.getBytes(StandardCharsets.UTF_8);
        }
        if (key.length == 0) {
            throw new IllegalArgumentException("Secret #" + position + " is empty");
        }
        return key;
    }

    private static byte[] mac(SecretKeySpec key, byte[] prefix, byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            mac.update(prefix);
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** For tests: how many ids the replay cache holds. */
    int rememberedIds() {
        return replays != null ? replays.size() : 0;
    }

    @Override
    public String toString() {
        return "PayloadSignatureVerifier[" + scheme.name().toLowerCase(Locale.ROOT) + ", " + keys.size() + " secret(s)]";
    }

    /**
     * The ids seen, each until it expires (epoch seconds). Bounded: when full of ids that have not expired yet, none is
     * forgotten early and a new one is refused.
     */
    static final class ReplayCache {

        enum Outcome {
            RECORDED,
            SEEN,
            FULL
        }

        private record Entry(String id, long expiresAt) {
        }

        private final int capacity;
        private final Map<String, Long> expiries = new HashMap<>();
        private final PriorityQueue<Entry> byExpiry = new PriorityQueue<>(
                (a, b) -> Long.compare(a.expiresAt, b.expiresAt));

        ReplayCache(int capacity) {
            this.capacity = capacity;
        }

        synchronized Outcome record(String id, long expiresAt, long now) {
            evictExpired(now);
            if (expiries.containsKey(id)) {
                return Outcome.SEEN;
            }
            if (expiries.size() >= capacity) {
                return Outcome.FULL;
            }
            expiries.put(id, expiresAt);
            byExpiry.add(new Entry(id, expiresAt));
            return Outcome.RECORDED;
        }

        synchronized void forget(String id) {
            expiries.remove(id);
        }

        synchronized int size() {
            return expiries.size();
        }

        private void evictExpired(long now) {
            Entry head;
            while ((head = byExpiry.peek()) != null && head.expiresAt < now) {
                byExpiry.poll();
                // an id forgotten and recorded again has a newer entry: this stale one must not evict it
                expiries.remove(head.id, head.expiresAt);
            }
        }
    }
}

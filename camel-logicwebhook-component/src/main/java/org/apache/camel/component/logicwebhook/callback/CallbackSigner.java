package org.apache.camel.component.logicwebhook.callback;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs callback paths with HMAC-SHA256, as Logic Apps puts a {@code sig} parameter on its callback URLs. The signed
 * text is the callback path below the base path ({@code NAME} for a trigger, {@code NAME/ID[/fail|/heartbeat]} for an
 * action) and, when the URL expires, its {@code se} parameter, so that a URL can neither be guessed nor another one (or
 * a later expiry) derived from it. The first key signs; every key verifies, so that a key can be rotated while URLs
 * signed with the previous one are still out.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public final class CallbackSigner {

    public static final String EXPIRY_PARAM = "se";

    private static final String ALGORITHM = "HmacSHA256";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    /** One Mac per key and thread: creating and keying a Mac was most of the cost of a verification. */
    private final List<ThreadLocal<Mac>> macs;

    public CallbackSigner(List<byte[]> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("A signing key is needed");
        }
        for (byte[] key : keys) {
            if (key.length < 16) {
                throw new IllegalArgumentException("A signing key must be at least 16 bytes long");
            }
        }
        this.macs = keys.stream().map(key -> new SecretKeySpec(key, ALGORITHM))
                .map(key -> ThreadLocal.withInitial(() -> newMac(key))).toList();
    }

    /** @param expires the {@code se} value (epoch seconds), or {@code null} for a URL that does not expire */
    public String sign(String path, String expires) {
        return ENCODER.encodeToString(mac(macs.get(0), signedText(path, expires)));
    }

    /**
     * Compares in constant time; a missing or malformed signature is simply not valid. Only the one form {@link #sign}
     * writes is valid: the text is compared with it, not decoded, so that no other spelling of the same bytes (padding,
     * or the unused low bits of the last character set) makes another valid URL.
     */
    public boolean verify(String path, String expires, String signature) {
        if (signature == null || signature.isEmpty()) {
            return false;
        }
        byte[] given = signature.getBytes(StandardCharsets.UTF_8);
        String text = signedText(path, expires);
        boolean valid = false;
        for (ThreadLocal<Mac> mac : macs) {
            // every key is tried, so that the time taken does not tell which one matched
            valid |= MessageDigest.isEqual(ENCODER.encode(mac(mac, text)), given);
        }
        return valid;
    }

    private static String signedText(String path, String expires) {
        return expires == null ? path : path + "?" + EXPIRY_PARAM + "=" + expires;
    }

    private static byte[] mac(ThreadLocal<Mac> mac, String text) {
        // doFinal leaves the Mac reset for its next use
        return mac.get().doFinal(text.getBytes(StandardCharsets.UTF_8));
    }

    private static Mac newMac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}

package org.apache.camel.component.logicwebhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs callback paths with HMAC-SHA256, as Logic Apps puts a {@code sig} parameter on its callback URLs. The signed
 * text is the callback path below the base path ({@code NAME} for a trigger, {@code NAME/ID[/fail|/heartbeat]} for an
 * action), so that a URL cannot be guessed, nor another one derived from it.
 */
final class CallbackSigner {

    private static final String ALGORITHM = "HmacSHA256";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final SecretKeySpec key;

    CallbackSigner(byte[] key) {
        if (key.length < 16) {
            throw new IllegalArgumentException("The signing key must be at least 16 bytes long");
        }
        this.key = new SecretKeySpec(key, ALGORITHM);
    }

    String sign(String path) {
        return ENCODER.encodeToString(mac(path));
    }

    /** Compares in constant time; a missing or malformed signature is simply not valid. */
    boolean verify(String path, String signature) {
        if (signature == null || signature.isEmpty()) {
            return false;
        }
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(mac(path), given);
    }

    private byte[] mac(String path) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac.doFinal(path.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}

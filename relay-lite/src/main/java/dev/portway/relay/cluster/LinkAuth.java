package dev.portway.relay.cluster;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The challenge-response of a node-to-node link, both ways, with the cluster secret (docs/cluster.md "Node
 * links"): the dialling node sends a nonce, the accepting node answers with its own nonce and
 * HMAC-SHA-256(secret, "accept|" + dialNonce + "|" + acceptNonce), the dialling node checks it and answers
 * HMAC-SHA-256(secret, "dial|" + acceptNonce + "|" + dialNonce). Neither side ever sends the secret, and a
 * recorded exchange is worthless against fresh nonces. On a TLS link ({@link LinkTls}) both texts end with
 * {@code "|" + base64(channel binding)}, so the proofs hold only on the TLS connection they were made on.
 * Stateless and thread-safe.
 */
final class LinkAuth {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final byte[] key;

    LinkAuth(String secret) {
        this.key = secret.getBytes(StandardCharsets.UTF_8);
    }

    static String nonce() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    /** The accepting node's proof; {@code binding} is the TLS channel binding, null on a plain link. */
    String acceptProof(String dialNonce, String acceptNonce, byte[] binding) {
        return mac("accept|" + dialNonce + "|" + acceptNonce + bound(binding));
    }

    /** The dialling node's proof; {@code binding} is the TLS channel binding, null on a plain link. */
    String dialProof(String dialNonce, String acceptNonce, byte[] binding) {
        return mac("dial|" + acceptNonce + "|" + dialNonce + bound(binding));
    }

    private static String bound(byte[] binding) {
        return binding == null ? "" : "|" + Base64.getEncoder().encodeToString(binding);
    }

    /** Constant-time comparison of a received proof with the expected one; false for null. */
    static boolean same(String expected, String received) {
        return received != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                received.getBytes(StandardCharsets.US_ASCII));
    }

    private String mac(String text) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getEncoder().encodeToString(m.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}

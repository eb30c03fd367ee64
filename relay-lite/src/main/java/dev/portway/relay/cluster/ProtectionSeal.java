package dev.portway.relay.cluster;

import dev.portway.relay.tunnel.VisitorProtection;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A tunnel's visitor checks (basic auth, IP lists) as its binding row carries them to the other nodes of the cluster
 * (docs/cluster.md "Visitor checks on every node"): AES-256-GCM under a key derived from the cluster secret, with the
 * tunnel's name as associated data. The database never holds them readable — the basic-auth HMAC and its key would
 * otherwise let whoever reads a dump try passwords offline — and a row edited in the database, or copied from another
 * name, does not open. Stateless and thread-safe.
 */
final class ProtectionSeal {
    private static final String PREFIX = "v1.";
    private static final int NONCE = 12;
    private static final SecureRandom RANDOM = new SecureRandom();
    private final SecretKeySpec key;

    ProtectionSeal(String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            // A key of its own: the link proofs (LinkAuth) use the secret itself.
            key = new SecretKeySpec(mac.doFinal("portway cluster binding protection v1".getBytes(StandardCharsets.UTF_8)), "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** The sealed text of {@code protection} for the binding of {@code name}; null when there is nothing to check. */
    String seal(String name, VisitorProtection protection) {
        if (protection == null || protection.isNone()) {
            return null;
        }
        byte[] nonce = new byte[NONCE];
        RANDOM.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            c.updateAAD(name.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = c.doFinal(protection.encode().getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[NONCE + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE);
            System.arraycopy(sealed, 0, out, NONCE, sealed.length);
            return PREFIX + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        }
    }

    /**
     * The protection sealed for {@code name}.
     *
     * @throws IllegalArgumentException when the text was not sealed for this name with this cluster's secret
     */
    VisitorProtection open(String name, String sealed) {
        if (sealed == null || !sealed.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a sealed visitor protection");
        }
        byte[] in;
        try {
            in = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a sealed visitor protection");
        }
        if (in.length < NONCE + 16) {
            throw new IllegalArgumentException("a sealed visitor protection too short to be one");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, NONCE));
            c.updateAAD(name.getBytes(StandardCharsets.UTF_8));
            byte[] plain = c.doFinal(in, NONCE, in.length - NONCE);
            return VisitorProtection.decode(new String(plain, StandardCharsets.UTF_8));
        } catch (AEADBadTagException e) {
            throw new IllegalArgumentException("sealed with another cluster secret, for another name, or changed since");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        }
    }
}

package dev.portway.relay.acme;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * P-256 key pairs as the store keeps them: a PKCS#8 {@code PRIVATE KEY} block and an X.509 {@code PUBLIC KEY} block in
 * one PEM text. JDK only (no security provider to register).
 */
final class KeyPem {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private KeyPem() {
    }

    static KeyPair newP256() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("P-256 keys are part of every JDK", e);
        }
    }

    static String write(KeyPair pair) {
        var enc = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        return "-----BEGIN PRIVATE KEY-----\n" + enc.encodeToString(pair.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n"
                + "-----BEGIN PUBLIC KEY-----\n" + enc.encodeToString(pair.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    /** @throws GeneralSecurityException when the text lacks either block or they are not an EC key pair */
    static KeyPair read(String pem) throws GeneralSecurityException {
        byte[] priv = null;
        byte[] pub = null;
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            switch (m.group(1)) {
                case "PRIVATE KEY" -> priv = der;
                case "PUBLIC KEY" -> pub = der;
                default -> {
                }
            }
        }
        if (priv == null || pub == null) {
            throw new GeneralSecurityException("a stored key needs a PRIVATE KEY and a PUBLIC KEY block");
        }
        KeyFactory f = KeyFactory.getInstance("EC");
        return new KeyPair(f.generatePublic(new X509EncodedKeySpec(pub)), f.generatePrivate(new PKCS8EncodedKeySpec(priv)));
    }
}

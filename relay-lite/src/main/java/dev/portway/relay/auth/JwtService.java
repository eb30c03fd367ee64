package dev.portway.relay.auth;

import dev.portway.relay.store.IdentityRecords.SigningKey;
import dev.portway.relay.store.IdentityStore;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.ExpiredJwtException;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.LocatorAdapter;
import io.jsonwebtoken.ProtectedHeader;
import io.jsonwebtoken.security.Keys;

import javax.crypto.SecretKey;
import java.security.Key;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * Issues and verifies the short-lived session JWTs (HS256, jjwt). The newest unretired key of the store
 * signs; every key still in the store verifies (a rotated key until its JWTs have expired), found by the
 * JWT's {@code kid}. Claims: {@code sub} the user, {@code tid} the API token id, {@code exp}, {@code iat}, {@code jti}.
 *
 * <p>Methods touch the store (key reloads): call them on the store thread.
 */
public final class JwtService {
    private static final String ISSUER = "relay-lite";
    private final IdentityStore store;
    private final Duration lifetime;
    private volatile List<SigningKey> keys;
    private volatile long loadedAt;

    /** What a verified JWT says. */
    public record Verified(String user, String tokenId, long expiresAt) {
    }

    /** A JWT just issued and how long it is valid. */
    public record Issued(String jwt, long ttlMs) {
    }

    public JwtService(IdentityStore store, Duration lifetime) {
        this.store = store;
        this.lifetime = lifetime;
        store.ensureSigningKey();
        reload();
    }

    /** Reads the keys again (another process may have rotated them) and forgets keys whose JWTs have all expired. */
    public void reload() {
        store.pruneSigningKeys(System.currentTimeMillis() - lifetime.toMillis() - 60_000);
        keys = store.signingKeys();
        loadedAt = System.currentTimeMillis();
    }

    public Duration lifetime() {
        return lifetime;
    }

    public Issued issue(Principal p) {
        if (System.currentTimeMillis() - loadedAt > 60_000) {
            reload();
        }
        SigningKey signer = keys.stream().filter(k -> k.retiredAt() == 0).findFirst().orElseGet(() -> {
            SigningKey k = store.ensureSigningKey();
            reload();
            return k;
        });
        long now = System.currentTimeMillis();
        String jwt = Jwts.builder()
                .header().keyId(signer.kid()).and()
                .issuer(ISSUER)
                .subject(p.user())
                .claim("tid", p.tokenId())
                .id(UUID.randomUUID().toString())
                .issuedAt(new Date(now))
                .expiration(new Date(now + lifetime.toMillis()))
                .signWith(key(signer))
                .compact();
        return new Issued(jwt, lifetime.toMillis());
    }

    /**
     * @throws ExpiredJwtException when it has expired
     * @throws JwtException        when it is not a JWT of this relay (bad signature, unknown key, malformed)
     */
    public Verified verify(String jwt) {
        Claims claims = Jwts.parser()
                .keyLocator(new LocatorAdapter<Key>() {
                    @Override
                    protected Key locate(ProtectedHeader header) {
                        String kid = header.getKeyId();
                        SigningKey k = find(kid);
                        if (k == null) {
                            reload(); // rotated by another process since we last looked
                            k = find(kid);
                        }
                        if (k == null) {
                            throw new JwtException("unknown signing key " + kid);
                        }
                        return key(k);
                    }
                })
                .requireIssuer(ISSUER)
                .build()
                .parseSignedClaims(jwt)
                .getPayload();
        String tid = claims.get("tid", String.class);
        if (claims.getSubject() == null || tid == null) {
            throw new JwtException("missing sub or tid");
        }
        return new Verified(claims.getSubject(), tid, claims.getExpiration().getTime());
    }

    /** True when the text has the shape of a JWS (three base64url parts), as opposed to an API token. */
    public static boolean looksLikeJwt(String token) {
        return token != null && token.startsWith("eyJ") && token.chars().filter(c -> c == '.').count() == 2;
    }

    private SigningKey find(String kid) {
        return kid == null ? null : keys.stream().filter(k -> k.kid().equals(kid)).findFirst().orElse(null);
    }

    private static SecretKey key(SigningKey k) {
        return Keys.hmacShaKeyFor(k.secret());
    }
}

package dev.portway.relay.auth;

import dev.portway.relay.store.IdentityRecords.ApiToken;
import dev.portway.relay.store.IdentityRecords.User;
import dev.portway.relay.store.IdentityStore;
import dev.portway.relay.store.Tier;
import dev.portway.shared.protocol.ErrorCode;
import io.jsonwebtoken.ExpiredJwtException;
import io.jsonwebtoken.JwtException;

import java.util.Optional;

/**
 * Decides who a presented credential belongs to: the relay's own {@code --token} secret (the local user),
 * a session JWT, or an API token. Every method reads the store: call them on the store thread
 * ({@code RelayStore#async}), never on an event loop.
 */
public final class Authenticator {
    /** The user a single-token relay (and the embedded relay) serves. */
    public static final String LOCAL_USER = "local";
    /** The token id of the relay's {@code --token} secret; it has no row and cannot be revoked (change the secret). */
    public static final String LOCAL_TOKEN_ID = "local";

    private final IdentityStore store;
    private final TokenCheck localSecret;
    private final JwtService jwts;

    /** The answer: a principal with a fresh JWT, or a refusal with an auth error code and words for a person. */
    public sealed interface Result {
        record Ok(Principal principal, JwtService.Issued jwt) implements Result {
        }

        record Failed(ErrorCode code, String message, String user) implements Result {
        }
    }

    /** Ensures the local user exists. Blocks (the store). */
    public Authenticator(IdentityStore store, TokenCheck localSecret, JwtService jwts) {
        this.store = store;
        this.localSecret = localSecret;
        this.jwts = jwts;
        store.ensureUser(LOCAL_USER, Tier.ENTERPRISE);
    }

    public JwtService jwts() {
        return jwts;
    }

    /** Checks the credential of a {@code hello}. */
    public Result authenticate(String presented) {
        if (presented == null || presented.isEmpty()) {
            return new Result.Failed(ErrorCode.BAD_TOKEN, "No token given — set the token your relay's admin gave you "
                    + "(--token or PORTWAY_TOKEN).", null);
        }
        if (localSecret.matches(presented)) {
            return check(LOCAL_USER, LOCAL_TOKEN_ID);
        }
        if (JwtService.looksLikeJwt(presented)) {
            JwtService.Verified v;
            try {
                v = jwts.verify(presented);
            } catch (ExpiredJwtException e) {
                return new Result.Failed(ErrorCode.TOKEN_EXPIRED, "The session token expired — connect with your API token "
                        + "again.", e.getClaims() == null ? null : e.getClaims().getSubject());
            } catch (JwtException | IllegalArgumentException e) {
                return new Result.Failed(ErrorCode.BAD_TOKEN, "Invalid token — the relay did not issue this session token; "
                        + "connect with your API token.", null);
            }
            return check(v.user(), v.tokenId());
        }
        Optional<ApiToken> token = store.tokenBySecret(presented);
        if (token.isEmpty()) {
            return new Result.Failed(ErrorCode.BAD_TOKEN, "Invalid token — check the token you gave Portway (--token or "
                    + "PORTWAY_TOKEN), or ask your relay's admin for a new one.", null);
        }
        return check(token.get().user(), token.get().id());
    }

    /**
     * Checks that a session may go on (its JWT is refreshed): the token is not revoked and the user is
     * neither disabled nor deleted; issues a new JWT.
     */
    public Result check(String user, String tokenId) {
        if (!LOCAL_TOKEN_ID.equals(tokenId)) {
            Optional<ApiToken> t = store.token(tokenId);
            if (t.isEmpty() || !t.get().user().equals(user)) {
                return new Result.Failed(ErrorCode.TOKEN_REVOKED, "The relay no longer knows this token — ask your relay's "
                        + "admin for a new one.", user);
            }
            if (t.get().revoked()) {
                return new Result.Failed(ErrorCode.TOKEN_REVOKED, "The relay revoked this token — ask your relay's admin "
                        + "for a new one.", user);
            }
        }
        Optional<User> u = store.user(user);
        if (u.isEmpty() || u.get().disabled()) {
            return new Result.Failed(ErrorCode.USER_DISABLED, "The relay's admin disabled the user " + user
                    + " — ask them to enable it again.", user);
        }
        Principal p = new Principal(user, u.get().tier(), tokenId);
        return new Result.Ok(p, jwts.issue(p));
    }
}

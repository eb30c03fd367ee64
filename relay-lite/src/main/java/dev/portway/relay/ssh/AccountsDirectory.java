package dev.portway.relay.ssh;

import dev.portway.relay.auth.Authenticator;
import dev.portway.relay.store.IdentityRecords;
import dev.portway.relay.store.IdentityStore;
import dev.portway.shared.protocol.ErrorCode;
import org.apache.sshd.common.config.keys.KeyUtils;

import java.security.PublicKey;
import java.util.Optional;

/**
 * The gateway's users are the relay's users: a key registered with {@code relay-lite keys add} (or, for simple
 * set-ups, a line of the {@code ssh-keys} file) names the user, and an API token (password login, when on) is
 * checked like a client's hello — revoked tokens and disabled users are refused. Blocks on the store: called on
 * SSHD's threads only.
 */
public final class AccountsDirectory implements SshDirectory {
    private final IdentityStore store;
    private final Authenticator authenticator;
    private final SshDirectory file;

    public AccountsDirectory(IdentityStore store, Authenticator authenticator, SshDirectory file) {
        this.store = store;
        this.authenticator = authenticator;
        this.file = file;
    }

    @Override
    public Optional<String> userForKey(PublicKey key) {
        String fingerprint = KeyUtils.getFingerPrint(KeyUtils.getDefaultFingerPrintFactory(), key);
        Optional<IdentityRecords.SshKey> registered = store.sshKey(fingerprint);
        if (registered.isPresent()) {
            String user = registered.get().user();
            return store.user(user).filter(u -> !u.disabled()).map(u -> user);
        }
        return file.userForKey(key).filter(this::enabled);
    }

    @Override
    public Login tokenLogin(String apiToken) {
        return switch (authenticator.authenticate(apiToken)) {
            case Authenticator.Result.Ok ok -> Login.of(ok.principal().user(), ok.principal().tokenId());
            case Authenticator.Result.Failed f -> Login.refused(f.code(), f.user(), f.message());
        };
    }

    @Override
    public Login recheck(String user, String tokenId, PublicKey key) {
        if (tokenId != null) {
            return switch (authenticator.check(user, tokenId)) {
                case Authenticator.Result.Ok ignored -> null;
                case Authenticator.Result.Failed f -> Login.refused(f.code(), user, f.message());
            };
        }
        if (key == null || !userForKey(key).map(user::equals).orElse(false)) {
            boolean disabled = store.user(user).map(IdentityRecords.User::disabled).orElse(false);
            return disabled
                    ? Login.refused(ErrorCode.USER_DISABLED, user, "The relay's admin disabled the user " + user
                            + " — ask them to enable it again.")
                    : Login.refused(ErrorCode.TOKEN_REVOKED, user, "The relay's admin removed this SSH key — ask them to "
                            + "register it again (relay-lite keys add).");
        }
        return null;
    }

    /** Users named only in the key file need no account, but a disabled account stays disabled. */
    private boolean enabled(String user) {
        return store.user(user).map(u -> !u.disabled()).orElse(true);
    }
}

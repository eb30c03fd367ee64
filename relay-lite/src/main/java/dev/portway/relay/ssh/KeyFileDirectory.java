package dev.portway.relay.ssh;

import dev.portway.relay.auth.TokenCheck;
import dev.portway.relay.tunnel.Tunnel;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The users of a relay that knows one shared token: the token is user {@code local}, and the file
 * {@code ssh-keys} in the data folder maps public keys to users, one per line:
 * <pre>
 * # comment
 * alice ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA... alice@laptop
 * </pre>
 * The file is read at start, strictly: a bad line stops the relay with a message naming the line. Immutable
 * and thread-safe after construction.
 */
public final class KeyFileDirectory implements SshDirectory {
    /** The file name in the relay's data folder. */
    public static final String FILE_NAME = "ssh-keys";
    private static final Pattern USER = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private record Entry(String user, PublicKey key) {
    }

    private final List<Entry> entries;
    private final TokenCheck token;

    private KeyFileDirectory(List<Entry> entries, TokenCheck token) {
        this.entries = List.copyOf(entries);
        this.token = token;
    }

    /**
     * Reads the key file; a missing file means no keys (password login with the token may still work).
     *
     * @throws IllegalArgumentException with a message for the operator when a line is not valid
     */
    public static KeyFileDirectory load(Path file, String sharedToken) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            lines = List.of();
        }
        return parse(lines, file.toString(), sharedToken);
    }

    static KeyFileDirectory parse(List<String> lines, String source, String sharedToken) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + " line " + (i + 1);
            String[] parts = line.split("\\s+", 2);
            boolean keyTypeFirst = parts[0].startsWith("ssh-") || parts[0].startsWith("ecdsa-") || parts[0].startsWith("sk-");
            if (parts.length < 2 || keyTypeFirst || !USER.matcher(parts[0]).matches()) {
                throw new IllegalArgumentException(where + " must be \"<user> <ssh-ed25519 AAAA... comment>\" with a user "
                        + "name of a-z, 0-9, '.', '_' or '-' — fix or remove that line.");
            }
            PublicKey key;
            try {
                AuthorizedKeyEntry entry = AuthorizedKeyEntry.parseAuthorizedKeyEntry(parts[1]);
                if (entry == null || (entry.getLoginOptions() != null && !entry.getLoginOptions().isEmpty())) {
                    throw new IllegalArgumentException("options are not supported");
                }
                key = entry.resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                throw new IllegalArgumentException(where + " has no valid public key (" + e.getMessage()
                        + ") — paste the one line of the user's .pub file after the user name.");
            }
            if (key == null) {
                throw new IllegalArgumentException(where + " has a key type this relay does not know — use ssh-ed25519.");
            }
            entries.add(new Entry(parts[0], key));
        }
        return new KeyFileDirectory(entries, new TokenCheck(sharedToken));
    }

    @Override
    public Optional<String> userForKey(PublicKey key) {
        for (Entry e : entries) {
            if (KeyUtils.compareKeys(e.key, key)) {
                return Optional.of(e.user);
            }
        }
        return Optional.empty();
    }

    @Override
    public Login tokenLogin(String apiToken) {
        return token.matches(apiToken) ? Login.of(Tunnel.LOCAL_USER, dev.portway.relay.auth.Authenticator.LOCAL_TOKEN_ID)
                : Login.refused(dev.portway.shared.protocol.ErrorCode.BAD_TOKEN, null, "Invalid token.");
    }

    /** The file is read once at start and the relay's own token cannot be revoked: a login here stays good. */
    @Override
    public Login recheck(String user, String tokenId, PublicKey key) {
        return null;
    }

    /** Registered keys. */
    public int size() {
        return entries.size();
    }
}

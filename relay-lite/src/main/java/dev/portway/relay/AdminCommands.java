package dev.portway.relay;

import dev.portway.relay.audit.AuditLog;
import dev.portway.relay.store.IdentityRecords;
import dev.portway.relay.store.IdentityStore;
import dev.portway.relay.store.RelayStore;
import dev.portway.relay.store.StoreException;
import dev.portway.relay.store.Tier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import dev.portway.shared.text.SafeText;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The admin command line: {@code relay-lite users|tokens|names|keys|signing-key|audit ...}. Each command opens
 * the relay's store (the H2 file of {@code --data-dir}, also while a relay runs on it, or {@code --db}),
 * makes one change in one transaction, audits it, and closes. Bad input prints what to do and exits with 2,
 * changing nothing.
 */
final class AdminCommands {
    private AdminCommands() {
    }

    /** Where the store is: the same options as the relay's. */
    static final class StoreOptions {
        @Option(names = "--data-dir", paramLabel = "DIR", description = "The relay's data directory "
                + "(default $XDG_DATA_HOME/portway-relay or ~/.local/share/portway-relay).")
        Path dataDir;
        @Option(names = "--db", paramLabel = "JDBC_URL", description = "A jdbc:postgresql://host:port/db URL instead of the H2 file.")
        String db;
        @Option(names = "--db-user", description = "Database user (or env PORTWAY_DB_USER).")
        String dbUser;
        @Option(names = "--db-password", description = "Database password (or env PORTWAY_DB_PASSWORD).")
        String dbPassword;

        RelayStore open() throws IOException {
            if (db != null) {
                if (!db.startsWith("jdbc:postgresql:") && !db.startsWith("jdbc:h2:")) {
                    throw new IllegalArgumentException("--db must be a jdbc:postgresql://host:port/database URL, not \"" + db + "\".");
                }
                return RelayStore.open(db, orEnv(dbUser, "PORTWAY_DB_USER"), orEnv(dbPassword, "PORTWAY_DB_PASSWORD"), null);
            }
            Path dir = dataDir != null ? dataDir : RelayMain.defaultDataDir();
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("No relay data directory at " + dir + " — start the relay once, or give "
                        + "the relay's --data-dir.");
            }
            return RelayStore.open(dir);
        }

        Path auditDir() {
            return db != null ? null : (dataDir != null ? dataDir : RelayMain.defaultDataDir());
        }

        static String orEnv(String value, String env) {
            return value != null ? value : System.getenv(env);
        }
    }

    /** One admin command: opens the store, runs, audits, closes; maps bad input to exit code 2. */
    abstract static class Base implements Callable<Integer> {
        @Mixin
        StoreOptions where = new StoreOptions();
        @Spec
        CommandSpec spec;
        AuditLog audit;

        abstract void run(IdentityStore id, PrintWriter out);

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (RelayStore store = where.open()) {
                audit = new AuditLog(store, where.auditDir(), IdentityConfig.DEFAULTS.auditMaxBytes());
                try {
                    run(store.identity(), out);
                } finally {
                    out.flush();
                }
                return 0;
            } catch (IllegalArgumentException e) {
                err.println("relay-lite: " + e.getMessage());
                return 2;
            } catch (IOException | StoreException e) {
                err.println("relay-lite: " + e.getMessage());
                return 1;
            } finally {
                err.flush();
            }
        }

        /** Audits an admin change and waits until it is written. */
        void audited(String user, Object... fields) {
            Object[] all = new Object[fields.length + 2];
            all[0] = "by";
            all[1] = System.getProperty("user.name");
            System.arraycopy(fields, 0, all, 2, fields.length);
            try {
                audit.record(AuditLog.ADMIN, user, all).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new StoreException("Could not write the audit event: " + e.getMessage(), e);
            }
        }
    }

    @Command(name = "users", description = "Add, list, disable and enable users.",
            subcommands = {UserAdd.class, UserList.class, UserDisable.class, UserEnable.class, UserTier.class})
    static final class Users {
    }

    @Command(name = "add", description = "Add a user.")
    static final class UserAdd extends Base {
        @Parameters(paramLabel = "USER")
        String name;
        @Option(names = "--tier", description = "free, premium or enterprise (default ${DEFAULT-VALUE}).", defaultValue = "free")
        String tier;

        @Override
        void run(IdentityStore id, PrintWriter out) {
            IdentityRecords.User u = id.addUser(name, Tier.parse(tier));
            audited(u.name(), "action", "user_add", "tier", u.tier().wireName());
            out.println("Added user " + u.name() + " (" + u.tier().wireName() + "). Give them a token with: relay-lite tokens create " + u.name());
        }
    }

    @Command(name = "list", description = "List users.")
    static final class UserList extends Base {
        @Override
        void run(IdentityStore id, PrintWriter out) {
            List<IdentityRecords.User> users = id.users();
            if (users.isEmpty()) {
                out.println("No users yet — add one with: relay-lite users add <name> --tier free");
                return;
            }
            out.printf("%-24s %-11s %-9s %s%n", "USER", "TIER", "STATE", "CREATED");
            for (IdentityRecords.User u : users) {
                out.printf("%-24s %-11s %-9s %s%n", u.name(), u.tier().wireName(), u.disabled() ? "disabled" : "active",
                        Instant.ofEpochMilli(u.createdAt()));
            }
        }
    }

    @Command(name = "disable", description = "Disable a user: their sessions end within one JWT refresh period.")
    static final class UserDisable extends Base {
        @Parameters(paramLabel = "USER")
        String name;

        @Override
        void run(IdentityStore id, PrintWriter out) {
            boolean changed = id.setDisabled(name, true);
            if (changed) {
                audited(IdentityStore.checkUserName(name), "action", "user_disable");
            }
            out.println(changed ? "Disabled " + name + "." : name + " was already disabled.");
        }
    }

    @Command(name = "enable", description = "Enable a disabled user.")
    static final class UserEnable extends Base {
        @Parameters(paramLabel = "USER")
        String name;

        @Override
        void run(IdentityStore id, PrintWriter out) {
            boolean changed = id.setDisabled(name, false);
            if (changed) {
                audited(IdentityStore.checkUserName(name), "action", "user_enable");
            }
            out.println(changed ? "Enabled " + name + "." : name + " was already enabled.");
        }
    }

    @Command(name = "tier", description = "Change a user's tier.")
    static final class UserTier extends Base {
        @Parameters(index = "0", paramLabel = "USER")
        String name;
        @Parameters(index = "1", paramLabel = "TIER")
        String tier;

        @Override
        void run(IdentityStore id, PrintWriter out) {
            Tier t = Tier.parse(tier);
            id.setTier(name, t);
            audited(IdentityStore.checkUserName(name), "action", "user_tier", "tier", t.wireName());
            out.println(name + " is now " + t.wireName() + ".");
        }
    }

    @Command(name = "tokens", description = "Create, list and revoke API tokens.",
            subcommands = {TokenCreate.class, TokenList.class, TokenRevoke.class})
    static final class Tokens {
    }

    @Command(name = "create", description = "Create an API token for a user; it is shown once.")
    static final class TokenCreate extends Base {
        @Parameters(paramLabel = "USER")
        String user;
        @Option(names = "--label", description = "What the token is for, e.g. laptop.")
        String label;

        @Override
        void run(IdentityStore id, PrintWriter out) {
            IdentityRecords.NewToken t = id.createToken(user, label);
            audited(t.token().user(), "action", "token_create", "token", t.token().id(), "label", t.token().label());
            out.println("Token " + t.token().id() + " for " + t.token().user() + (t.token().label().isEmpty() ? "" : " (" + t.token().label() + ")")
                    + ". It is shown only this once — give it to the user now:");
            out.println(t.secret());
        }
    }

    @Command(name = "list", description = "List a user's tokens (never their secrets).")
    static final class TokenList extends Base {
        @Parameters(paramLabel = "USER")
        String user;

        @Override
        void run(IdentityStore id, PrintWriter out) {
            List<IdentityRecords.ApiToken> tokens = id.tokens(user);
            if (tokens.isEmpty()) {
                out.println(user + " has no tokens — create one with: relay-lite tokens create " + user);
                return;
            }
            out.printf("%-14s %-20s %-8s %s%n", "ID", "LABEL", "STATE", "CREATED");
            for (IdentityRecords.ApiToken t : tokens) {
                out.printf("%-14s %-20s %-8s %s%n", t.id(), t.label(), t.revoked() ? "revoked" : "valid", Instant.ofEpochMilli(t.createdAt()));
            }
        }
    }

    @Command(name = "revoke", description = "Revoke a token: its sessions end within one JWT refresh period.")
    static final class TokenRevoke extends Base {
        @Parameters(paramLabel = "ID")
        String tokenId;

        @Override
        void run(IdentityStore id, PrintWriter out) {
            boolean wasRevoked = id.token(tokenId).map(IdentityRecords.ApiToken::revoked).orElse(false);
            IdentityRecords.ApiToken t = id.revokeToken(tokenId);
            if (!wasRevoked) {
                audited(t.user(), "action", "token_revoke", "token", t.id());
            }
            out.println(wasRevoked ? "Token " + t.id() + " was already revoked." : "Revoked token " + t.id() + " of " + t.user() + ".");
        }
    }

    @Command(name = "names", description = "Reserve tunnel names for users.",
            subcommands = {NameReserve.class, NameRelease.class, NameList.class})
    static final class Names {
    }

    @Command(name = "reserve", description = "Reserve a tunnel name: only this user may bind it.")
    static final class NameReserve extends Base {
        @Parameters(index = "0", paramLabel = "USER")
        String user;
        @Parameters(index = "1", paramLabel = "NAME")
        String name;

        @Override
        void run(IdentityStore id, PrintWriter out) {
            id.reserveName(user, name);
            String n = dev.portway.shared.protocol.TunnelNames.normalize(name);
            audited(IdentityStore.checkUserName(user), "action", "name_reserve", "tunnel", n);
            out.println("Reserved " + n + " for " + IdentityStore.checkUserName(user) + ".");
        }
    }

    @Command(name = "release", description = "Release a reserved name.")
    static final class NameRelease extends Base {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        void run(IdentityStore id, PrintWriter out) {
            String owner = id.releaseName(name);
            audited(owner, "action", "name_release", "tunnel", dev.portway.shared.protocol.TunnelNames.normalize(name));
            out.println("Released " + name + " (was reserved for " + owner + ").");
        }
    }

    @Command(name = "list", description = "List reserved names.")
    static final class NameList extends Base {
        @Override
        void run(IdentityStore id, PrintWriter out) {
            Map<String, String> names = id.reservedNames();
            if (names.isEmpty()) {
                out.println("No reserved names.");
                return;
            }
            out.printf("%-32s %s%n", "NAME", "USER");
            names.forEach((n, u) -> out.printf("%-32s %s%n", n, u));
        }
    }

    @Command(name = "keys", description = "SSH public keys of users (for the SSH gateway).",
            subcommands = {KeyAdd.class, KeyList.class, KeyRemove.class})
    static final class Keys {
    }

    @Command(name = "add", description = "Add an SSH public key: the whole line of e.g. ~/.ssh/id_ed25519.pub, quoted.")
    static final class KeyAdd extends Base {
        @Parameters(index = "0", paramLabel = "USER")
        String user;
        @Parameters(index = "1", paramLabel = "PUBLIC_KEY_LINE")
        String line;

        @Override
        void run(IdentityStore id, PrintWriter out) {
            IdentityRecords.SshKey k = id.addSshKey(user, line);
            audited(k.user(), "action", "key_add", "fingerprint", k.fingerprint(), "key_type", k.type());
            out.println("Added " + k.type() + " key " + k.fingerprint() + " for " + k.user() + ".");
        }
    }

    @Command(name = "list", description = "List a user's SSH keys.")
    static final class KeyList extends Base {
        @Parameters(paramLabel = "USER")
        String user;

        @Override
        void run(IdentityStore id, PrintWriter out) {
            List<IdentityRecords.SshKey> keys = id.sshKeys(user);
            if (keys.isEmpty()) {
                out.println(user + " has no SSH keys — add one with: relay-lite keys add " + user + " \"$(cat ~/.ssh/id_ed25519.pub)\"");
                return;
            }
            for (IdentityRecords.SshKey k : keys) {
                out.printf("%s %s %s%n", k.fingerprint(), k.type(), k.comment());
            }
        }
    }

    @Command(name = "remove", description = "Remove an SSH key by its fingerprint (SHA256:...).")
    static final class KeyRemove extends Base {
        @Parameters(index = "0", paramLabel = "USER")
        String user;
        @Parameters(index = "1", paramLabel = "FINGERPRINT")
        String fingerprint;

        @Override
        void run(IdentityStore id, PrintWriter out) {
            IdentityRecords.SshKey k = id.removeSshKey(user, fingerprint);
            audited(k.user(), "action", "key_remove", "fingerprint", k.fingerprint());
            out.println("Removed key " + k.fingerprint() + " of " + k.user() + ".");
        }
    }

    @Command(name = "signing-key", description = "The key that signs session JWTs.", subcommands = {SigningKeyRotate.class})
    static final class SigningKey {
    }

    @Command(name = "rotate", description = "Sign new JWTs with a new key; JWTs of the old key stay valid until they expire.")
    static final class SigningKeyRotate extends Base {
        @Override
        void run(IdentityStore id, PrintWriter out) {
            IdentityRecords.SigningKey k = id.rotateSigningKey();
            audited(null, "action", "signing_key_rotate", "kid", k.kid());
            out.println("New signing key " + k.kid() + "; running relays use it within a minute.");
        }
    }

    @Command(name = "audit", description = "Print the audit log (oldest first).")
    static final class Audit extends Base {
        @Option(names = "--since", description = "An instant (2026-01-31T12:00:00Z) or a duration ago (30m, 2h, 7d).")
        String since;
        @Option(names = "--user", description = "Only events of this user.")
        String user;
        @Option(names = "--limit", description = "At most this many events (default ${DEFAULT-VALUE}).", defaultValue = "1000")
        int limit;

        @Override
        void run(IdentityStore id, PrintWriter out) {
            long from = parseSince(since);
            if (limit < 1) {
                throw new IllegalArgumentException("--limit must be at least 1.");
            }
            for (IdentityRecords.AuditRow r : id.audit(from, user == null ? null : IdentityStore.checkUserName(user), limit)) {
                out.printf("%s %-13s %-12s %s%n", Instant.ofEpochMilli(r.at()), r.event(), r.user() == null ? "-" : SafeText.escape(r.user()), SafeText.escape(r.fieldsJson()));
            }
        }

        static long parseSince(String text) {
            if (text == null) {
                return 0;
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(s|m|h|d)").matcher(text.trim());
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                Duration d = switch (m.group(2)) {
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
                return System.currentTimeMillis() - d.toMillis();
            }
            try {
                return Instant.parse(text.trim()).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("--since must be an instant like 2026-01-31T12:00:00Z or a duration "
                        + "like 30m, 2h or 7d, not \"" + text + "\".");
            }
        }
    }
}

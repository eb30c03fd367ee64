package dev.portway.relay;

import dev.portway.relay.admin.Actor;
import dev.portway.relay.admin.AdminServices;
import dev.portway.relay.admin.InviteService;
import dev.portway.relay.admin.LiveSessions;
import dev.portway.relay.audit.AuditLog;
import dev.portway.relay.auth.Passwords;
import dev.portway.relay.store.IdentityRecords;
import dev.portway.relay.store.IdentityStore;
import dev.portway.relay.store.RelayStore;
import dev.portway.relay.store.Role;
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
 * makes one change in one transaction through the {@link AdminServices} the web console uses too, audits it
 * (by {@code cli:<os user>}, via {@code cli}), and closes. Bad input prints what to do and exits with 2,
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
        AdminServices services;
        /** The open store (the queue commands need more of it than the identity part). */
        RelayStore relayStore;
        final Actor actor = Actor.commandLine();

        abstract void run(IdentityStore id, PrintWriter out);

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try (RelayStore store = where.open()) {
                relayStore = store;
                AuditLog audit = new AuditLog(store, where.auditDir(), IdentityConfig.DEFAULTS.auditMaxBytes());
                services = AdminServices.of(store.identity(), audit, "cli", LiveSessions.NONE, new Passwords());
                try {
                    run(store.identity(), out);
                } finally {
                    out.flush();
                }
                return 0;
            } catch (IllegalArgumentException e) {
                err.println("relay-lite: " + e.getMessage());
                return 2;
            } catch (Actor.Forbidden | Actor.NotYours e) {
                err.println("relay-lite: " + e.getMessage());
                return 2;
            } catch (IOException | StoreException e) {
                err.println("relay-lite: " + e.getMessage());
                return 1;
            } finally {
                err.flush();
            }
        }

    }

    @Command(name = "users", description = "Add, list, disable, enable and delete users; their roles and console passwords.",
            subcommands = {UserAdd.class, UserList.class, UserDisable.class, UserEnable.class, UserTier.class,
                    UserRole.class, UserDelete.class, UserPasswd.class, UserInvite.class})
    static final class Users {
    }

    @Command(name = "add", description = "Add a user.")
    static final class UserAdd extends Base {
        @Parameters(paramLabel = "USER")
        String name;
        @Option(names = "--tier", description = "free, premium or enterprise (default ${DEFAULT-VALUE}).", defaultValue = "free")
        String tier;
        @Option(names = "--role", description = "user or admin (an admin runs the relay in the web console; default ${DEFAULT-VALUE}).",
                defaultValue = "user")
        String role;

        @Override
        void run(IdentityStore id, PrintWriter out) {
            IdentityRecords.User u = services.users().add(actor, name, Tier.parse(tier), Role.parse(role));
            out.println("Added user " + u.name() + " (" + u.tier().wireName() + (u.role() == Role.ADMIN ? ", admin" : "")
                    + "). Give them a token with: relay-lite tokens create " + u.name());
        }
    }

    @Command(name = "list", description = "List users.")
    static final class UserList extends Base {
        @Override
        void run(IdentityStore id, PrintWriter out) {
            List<IdentityRecords.User> users = services.users().list(actor);
            if (users.isEmpty()) {
                out.println("No users yet — add one with: relay-lite users add <name> --tier free");
                return;
            }
            out.printf("%-24s %-11s %-9s %-6s %-8s %s%n", "USER", "TIER", "STATE", "ROLE", "PASSWORD", "CREATED");
            for (IdentityRecords.User u : users) {
                out.printf("%-24s %-11s %-9s %-6s %-8s %s%n", u.name(), u.tier().wireName(), u.disabled() ? "disabled" : "active",
                        u.role().wireName(), u.hasPassword() ? "set" : "-", Instant.ofEpochMilli(u.createdAt()));
            }
        }
    }

    @Command(name = "disable", description = "Disable a user: a running relay on this store ends their sessions within 2 s.")
    static final class UserDisable extends Base {
        @Parameters(paramLabel = "USER")
        String name;

        @Override
        void run(IdentityStore id, PrintWriter out) {
            boolean changed = services.users().setDisabled(actor, name, true);
            out.println(changed ? "Disabled " + name + "." : name + " was already disabled.");
        }
    }

    @Command(name = "enable", description = "Enable a disabled user.")
    static final class UserEnable extends Base {
        @Parameters(paramLabel = "USER")
        String name;

        @Override
        void run(IdentityStore id, PrintWriter out) {
            boolean changed = services.users().setDisabled(actor, name, false);
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
            services.users().setTier(actor, name, t);
            out.println(name + " is now " + t.wireName() + ".");
        }
    }

    @Command(name = "role", description = "Make a user an admin of the web console, or a plain user again.")
    static final class UserRole extends Base {
        @Parameters(index = "0", paramLabel = "USER")
        String name;
        @Parameters(index = "1", paramLabel = "ROLE", description = "user or admin")
        String role;

        @Override
        void run(IdentityStore id, PrintWriter out) {
            Role r = Role.parse(role);
            boolean changed = services.users().setRole(actor, name, r);
            out.println(changed ? name + " is now " + (r == Role.ADMIN ? "an admin." : "a user.") : name + " already was " + r.wireName() + ".");
        }
    }

    @Command(name = "delete", description = "Delete a user with their tokens, reserved names, SSH keys and invites (audit entries stay).")
    static final class UserDelete extends Base {
        @Parameters(paramLabel = "USER")
        String name;
        @Option(names = "--yes", description = "Confirm: the user and everything of theirs is gone.")
        boolean yes;

        @Override
        void run(IdentityStore id, PrintWriter out) {
            if (!yes) {
                throw new IllegalArgumentException("Deleting " + name + " removes their tokens, names and keys — add --yes to confirm.");
            }
            services.users().delete(actor, name);
            out.println("Deleted user " + IdentityStore.checkUserName(name) + ".");
        }
    }

    @Command(name = "passwd", description = "Set a user's web console password (read from standard input, or prompted).")
    static final class UserPasswd extends Base {
        @Parameters(paramLabel = "USER")
        String name;
        @Option(names = "--password-stdin", description = "Read the password from the first line of standard input.")
        boolean stdin;

        @Override
        void run(IdentityStore id, PrintWriter out) {
            String password = readPassword();
            services.users().setPassword(actor, name, password);
            out.println("Set the console password of " + IdentityStore.checkUserName(name) + ".");
        }

        private String readPassword() {
            java.io.Console console = System.console();
            if (!stdin && console != null) {
                char[] a = console.readPassword("New console password for %s: ", name);
                char[] b = console.readPassword("Again: ");
                if (a == null || b == null || !java.util.Arrays.equals(a, b)) {
                    throw new IllegalArgumentException("The two passwords differ — nothing changed; run the command again.");
                }
                return new String(a);
            }
            try {
                String line = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8)).readLine();
                if (line == null) {
                    throw new IllegalArgumentException("No password on standard input — pipe it in: echo 'a long password' | relay-lite users passwd "
                            + name + " --password-stdin");
                }
                return line;
            } catch (IOException e) {
                throw new IllegalArgumentException("Could not read the password from standard input: " + e.getMessage());
            }
        }
    }

    @Command(name = "invite", description = "Create a one-time link with which a user sets their console password.")
    static final class UserInvite extends Base {
        @Parameters(paramLabel = "USER")
        String name;
        @Option(names = "--valid", description = "How long the link works, e.g. 30m, 24h, 7d (default ${DEFAULT-VALUE}).", defaultValue = "24h")
        String valid;

        @Override
        void run(IdentityStore id, PrintWriter out) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,6})(m|h|d)").matcher(valid.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("--valid must look like 30m, 24h or 7d, not \"" + valid + "\".");
            }
            long n = Long.parseLong(m.group(1));
            Duration validity = switch (m.group(2)) {
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
            InviteService.NewInvite i = services.invites().create(actor, name, validity);
            out.println("Invite for " + i.invite().user() + ", valid once until " + Instant.ofEpochMilli(i.invite().expiresAt())
                    + ". Send them the console address followed by:");
            out.println(i.path());
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
            IdentityRecords.NewToken t = services.tokens().create(actor, user, label);
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
            List<IdentityRecords.ApiToken> tokens = services.tokens().list(actor, user);
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

    @Command(name = "revoke", description = "Revoke a token: a running relay on this store ends its sessions within 2 s.")
    static final class TokenRevoke extends Base {
        @Parameters(paramLabel = "ID")
        String tokenId;

        @Override
        void run(IdentityStore id, PrintWriter out) {
            var r = services.tokens().revoke(actor, tokenId);
            boolean wasRevoked = r.wasRevoked();
            IdentityRecords.ApiToken t = r.token();
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
            String n = services.names().reserve(actor, user, name);
            out.println("Reserved " + n + " for " + IdentityStore.checkUserName(user) + ".");
        }
    }

    @Command(name = "release", description = "Release a reserved name.")
    static final class NameRelease extends Base {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        void run(IdentityStore id, PrintWriter out) {
            String owner = services.names().release(actor, name);
            out.println("Released " + name + " (was reserved for " + owner + ").");
        }
    }

    @Command(name = "list", description = "List reserved names.")
    static final class NameList extends Base {
        @Override
        void run(IdentityStore id, PrintWriter out) {
            Map<String, String> names = services.names().list(actor);
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
            IdentityRecords.SshKey k = services.keys().add(actor, user, line);
            out.println("Added " + k.type() + " key " + k.fingerprint() + " for " + k.user() + ".");
        }
    }

    @Command(name = "list", description = "List a user's SSH keys.")
    static final class KeyList extends Base {
        @Parameters(paramLabel = "USER")
        String user;

        @Override
        void run(IdentityStore id, PrintWriter out) {
            List<IdentityRecords.SshKey> keys = services.keys().list(actor, user);
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
            IdentityRecords.SshKey k = services.keys().remove(actor, user, fingerprint);
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
            services.audit().record(actor, null, "action", "signing_key_rotate", "kid", k.kid());
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
            for (IdentityRecords.AuditRow r : services.auditLog().since(actor, from, user, limit)) {
                out.printf("%s %-13s %-12s %s%n", Instant.ofEpochMilli(r.at()), r.event(),
                        r.user() == null ? "-" : SafeText.escape(r.user()), SafeText.escape(r.fieldsJson()));
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

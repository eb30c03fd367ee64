package dev.portway.relay.store;

import dev.portway.relay.store.IdentityRecords.ApiToken;
import dev.portway.relay.store.IdentityRecords.NewToken;
import dev.portway.relay.store.IdentityRecords.SigningKey;
import dev.portway.relay.store.IdentityRecords.SshKey;
import dev.portway.shared.protocol.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The store's behaviour, run unchanged against H2 ({@link RelayStoreH2Test}) and a real PostgreSQL
 * ({@link RelayStorePostgresTest}): the migrations and every statement must work on both.
 */
abstract class RelayStoreContract {
    @TempDir
    Path tmp;
    RelayStore store;
    IdentityStore id;

    /** Opens a fresh, empty store. */
    abstract RelayStore open(Path tmp) throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        store = open(tmp);
        id = store.identity();
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    @Test
    void usersAreAddedListedDisabledAndEnabled() {
        id.addUser("alice", Tier.FREE);
        id.addUser("Bob", Tier.PREMIUM);
        assertThat(id.users()).extracting(IdentityRecords.User::name, IdentityRecords.User::tier, IdentityRecords.User::disabled)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("alice", Tier.FREE, false),
                        org.assertj.core.groups.Tuple.tuple("bob", Tier.PREMIUM, false));
        assertThat(id.setDisabled("alice", true)).isTrue();
        assertThat(id.setDisabled("alice", true)).isFalse();
        assertThat(id.user("alice")).get().extracting(IdentityRecords.User::disabled).isEqualTo(true);
        assertThat(id.setDisabled("alice", false)).isTrue();
        assertThat(id.user("alice").orElseThrow().disabled()).isFalse();
        id.setTier("alice", Tier.ENTERPRISE);
        assertThat(id.user("alice").orElseThrow().tier()).isEqualTo(Tier.ENTERPRISE);
    }

    @Test
    void badOrDuplicateUsersAreRefusedAndChangeNothing() {
        id.addUser("alice", Tier.FREE);
        assertThatThrownBy(() -> id.addUser("alice", Tier.PREMIUM)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already exists");
        assertThatThrownBy(() -> id.addUser("no spaces", Tier.FREE)).hasMessageContaining("not a valid user name");
        assertThatThrownBy(() -> id.setDisabled("carol", true)).hasMessageContaining("No user carol");
        assertThat(id.users()).hasSize(1);
        assertThat(id.user("alice").orElseThrow().tier()).isEqualTo(Tier.FREE);
    }

    @Test
    void tokensAreStoredHashedFoundBySecretAndRevoked() throws Exception {
        id.addUser("alice", Tier.FREE);
        NewToken t = id.createToken("alice", "laptop");
        assertThat(t.secret()).startsWith("pw_").hasSizeGreaterThan(30);
        assertThat(id.tokenBySecret(t.secret())).get().extracting(ApiToken::id, ApiToken::user, ApiToken::label)
                .containsExactly(t.token().id(), "alice", "laptop");
        assertThat(id.tokenBySecret(t.secret() + "x")).isEmpty();
        assertThat(id.tokenBySecret("")).isEmpty();
        // Only the hash is kept.
        javax.sql.DataSource pool = (javax.sql.DataSource) readPool();
        String stored = store.async("read", () -> {
            try (var c = pool.getConnection();
                 var s = c.createStatement();
                 var rs = s.executeQuery("SELECT token_hash FROM api_token")) {
                rs.next();
                return rs.getString(1);
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        }).get(10, TimeUnit.SECONDS);
        assertThat(stored).isEqualTo(IdentityStore.sha256Hex(t.secret())).doesNotContain(t.secret().substring(3));

        NewToken second = id.createToken("alice", null);
        assertThat(id.tokens("alice")).extracting(ApiToken::id).containsExactlyInAnyOrder(t.token().id(), second.token().id());
        assertThat(id.revokeToken(t.token().id()).revoked()).isTrue();
        assertThat(id.tokenBySecret(t.secret()).orElseThrow().revoked()).isTrue();
        assertThat(id.tokenBySecret(second.secret()).orElseThrow().revoked()).isFalse();
        assertThatThrownBy(() -> id.revokeToken("nope")).hasMessageContaining("No token with id nope");
        assertThatThrownBy(() -> id.createToken("carol", "x")).hasMessageContaining("No user carol");
    }

    @Test
    void namesAreReservedForOneUserAndReleased() {
        id.addUser("alice", Tier.FREE);
        id.addUser("bob", Tier.FREE);
        id.reserveName("alice", "MyApp");
        assertThat(id.reservedFor("myapp")).isEqualTo("alice");
        assertThatThrownBy(() -> id.reserveName("bob", "myapp")).hasMessageContaining("already reserved for alice");
        assertThatThrownBy(() -> id.reserveName("bob", "-bad-")).isInstanceOf(IllegalArgumentException.class);
        assertThat(id.reservedNames()).containsExactly(java.util.Map.entry("myapp", "alice"));
        assertThat(id.releaseName("myapp")).isEqualTo("alice");
        assertThat(id.reservedFor("myapp")).isNull();
        assertThatThrownBy(() -> id.releaseName("myapp")).hasMessageContaining("not reserved");
        id.reserveName("bob", "myapp");
        assertThat(id.reservedFor("myapp")).isEqualTo("bob");
    }

    @Test
    void sshKeysAreAddedByTheirLineFoundByFingerprintAndRemoved() throws Exception {
        id.addUser("alice", Tier.FREE);
        id.addUser("bob", Tier.FREE);
        String line = generatedPublicKey();
        SshKey k = id.addSshKey("alice", line);
        assertThat(k.type()).isEqualTo("ssh-ed25519");
        assertThat(k.comment()).isEqualTo("alice@test");
        assertThat(k.fingerprint()).isEqualTo(sshKeygenFingerprint());
        assertThat(id.sshKey(k.fingerprint())).get().extracting(SshKey::user).isEqualTo("alice");
        assertThatThrownBy(() -> id.addSshKey("bob", line)).hasMessageContaining("already registered for alice");
        assertThatThrownBy(() -> id.addSshKey("bob", "ssh-ed25519 not-base64!!")).hasMessageContaining("base64");
        assertThatThrownBy(() -> id.addSshKey("bob", "hello")).hasMessageContaining("not an SSH public key line");
        assertThatThrownBy(() -> id.addSshKey("bob", line.replace("ssh-ed25519", "ssh-rsa"))).hasMessageContaining("says it is ssh-rsa");
        assertThatThrownBy(() -> id.removeSshKey("bob", k.fingerprint())).hasMessageContaining("has no key");
        assertThat(id.sshKeys("alice")).hasSize(1);
        id.removeSshKey("alice", k.fingerprint());
        assertThat(id.sshKeys("alice")).isEmpty();
        assertThat(id.sshKey(k.fingerprint())).isEmpty();
    }

    @Test
    void signingKeysAreCreatedOnceAndRotated() {
        SigningKey first = id.ensureSigningKey();
        assertThat(first.secret()).hasSize(32);
        assertThat(id.ensureSigningKey().kid()).isEqualTo(first.kid());
        SigningKey second = id.rotateSigningKey();
        assertThat(second.kid()).isNotEqualTo(first.kid());
        assertThat(id.ensureSigningKey().kid()).isEqualTo(second.kid());
        List<SigningKey> all = id.signingKeys();
        assertThat(all).extracting(SigningKey::kid).containsExactlyInAnyOrder(first.kid(), second.kid());
        assertThat(all.stream().filter(k -> k.kid().equals(first.kid())).findFirst().orElseThrow().retiredAt()).isPositive();
        assertThat(all.stream().filter(k -> k.kid().equals(second.kid())).findFirst().orElseThrow().retiredAt()).isZero();
        assertThat(id.pruneSigningKeys(System.currentTimeMillis() + 1)).isEqualTo(1);
        assertThat(id.signingKeys()).extracting(SigningKey::kid).containsExactly(second.kid());
    }

    @Test
    void auditRowsAreFilteredByTimeAndUser() {
        id.insertAudit(1000, "auth_success", "alice", "{\"token\":\"a1\"}");
        id.insertAudit(2000, "auth_failure", null, "{\"reason\":\"bad_token\"}");
        id.insertAudit(3000, "bind", "bob", "{\"tunnel\":\"x\"}");
        assertThat(id.audit(0, null, 100)).extracting(IdentityRecords.AuditRow::event)
                .containsExactly("auth_success", "auth_failure", "bind");
        assertThat(id.audit(1500, null, 100)).extracting(IdentityRecords.AuditRow::event).containsExactly("auth_failure", "bind");
        assertThat(id.audit(0, "bob", 100)).extracting(IdentityRecords.AuditRow::fieldsJson).containsExactly("{\"tunnel\":\"x\"}");
        assertThat(id.audit(0, null, 2)).hasSize(2);
    }

    @Test
    void theQueueTablesWorkToo() throws Exception {
        store.saveReservation(new ReservationRow("q1", "ab".repeat(32), "POST", 1024, "normal")).get(10, TimeUnit.SECONDS);
        store.enqueue(new QueuedRequest("d1", "q1", 1, "r1", "127.0.0.1", "POST", "/hook",
                List.of(new Header("content-type", "text/plain")), "hello".getBytes(), 42)).get(10, TimeUnit.SECONDS);
        List<QueuedRequest> next = store.next("q1", 10, Set.of(), System.currentTimeMillis()).get(10, TimeUnit.SECONDS);
        assertThat(next).singleElement().satisfies(q -> {
            assertThat(new String(q.body())).isEqualTo("hello");
            assertThat(q.headers()).containsExactly(new Header("content-type", "text/plain"));
        });
        assertThat(store.loadReservations()).extracting(ReservationRow::name).containsExactly("q1");
        assertThat(store.delete("d1").get(10, TimeUnit.SECONDS)).isEqualTo(5L);
        assertThat(store.deleteReservation("q1").get(10, TimeUnit.SECONDS)).isZero();
    }

    /** The store's own pool (for looking at raw rows). */
    private Object readPool() throws Exception {
        var f = RelayStore.class.getDeclaredField("pool");
        f.setAccessible(true);
        return f.get(store);
    }

    private Path keyFile;

    private String generatedPublicKey() throws Exception {
        keyFile = tmp.resolve("id_ed25519");
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "alice@test", "-f", keyFile.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        return Files.readString(tmp.resolve("id_ed25519.pub")).strip();
    }

    private String sshKeygenFingerprint() throws Exception {
        Process p = new ProcessBuilder("ssh-keygen", "-l", "-E", "sha256", "-f", keyFile + ".pub").start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).isZero();
        return out.split(" ")[1];
    }
}

package dev.portway.relay.tunnel;

import dev.portway.shared.protocol.ErrorCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class TunnelRegistryTest {
    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    final TunnelRegistry<String> registry = new TunnelRegistry<>(Duration.ofMillis(300), scheduler);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    String granted(TunnelRegistry.Claim<String> c) {
        assertThat(c).isInstanceOf(TunnelRegistry.Claim.Granted.class);
        return ((TunnelRegistry.Claim.Granted<String>) c).tunnel().name();
    }

    @Test
    void takenNameGetsAVariantUnlessStrict() {
        assertThat(granted(registry.claim("a", null, "MyApp", false, "http"))).isEqualTo("myapp");
        assertThat(granted(registry.claim("b", null, "myapp", false, "http"))).matches("myapp-[a-z0-9]{4}");
        assertThat(registry.claim("b", null, "myapp", true, "http"))
                .isEqualTo(new TunnelRegistry.Claim.Refused<String>(ErrorCode.NAME_TAKEN,
                        ((TunnelRegistry.Claim.Refused<String>) registry.claim("b", null, "myapp", true, "http")).message()));
    }

    @Test
    void invalidNameIsRefusedAndEmptyNameIsGenerated() {
        assertThat(registry.claim("a", null, "-x", false, "http")).isInstanceOf(TunnelRegistry.Claim.Refused.class);
        assertThat(granted(registry.claim("a", null, "", false, "http"))).matches("[a-z]+-[a-z]+-\\d{4}");
    }

    @Test
    void heldNameGoesBackOnlyToTheResumeKeyAndIsFreedAfterGrace() {
        granted(registry.claim("a", null, "keep", false, "http"));
        registry.drop("a", "key-a");
        assertThat(registry.lookup("keep")).isNull();
        assertThat(registry.isHeld("keep")).isTrue();
        assertThat(granted(registry.claim("b", "other", "keep", false, "http"))).isNotEqualTo("keep");
        assertThat(granted(registry.claim("c", "key-a", "keep", false, "http"))).isEqualTo("keep");
        assertThat(registry.isHeld("keep")).isFalse();
        registry.drop("c", "key-c");
        await().atMost(Duration.ofSeconds(3)).until(() -> !registry.isHeld("keep"));
        assertThat(granted(registry.claim("d", null, "keep", false, "http"))).isEqualTo("keep");
    }

    @Test
    void reservedNameIsFreeOnlyForItsKeyEvenAfterTheGraceAndUntilUnreserved() {
        QueueOptions queue = new QueueOptions(java.util.Set.of("POST"), 1024, "normal");
        granted(registry.claim("a", null, "hash-a", "hooks", false, "http", queue));
        assertThat(registry.reservation("hooks").keyHash()).isEqualTo("hash-a");
        registry.drop("a", "resume-a");
        await().atMost(Duration.ofSeconds(3)).until(() -> !registry.isHeld("hooks"));
        assertThat(granted(registry.claim("b", null, "hash-b", "hooks", false, "http", null))).isNotEqualTo("hooks");
        assertThat(granted(registry.claim("c", null, null, "hooks", false, "http", null))).isNotEqualTo("hooks");
        assertThat(registry.claim("b", null, "hash-b", "hooks", true, "http", null)).isInstanceOf(TunnelRegistry.Claim.Refused.class);
        // its owner gets it back without the old resume key, in a new session
        assertThat(granted(registry.claim("a2", "resume-new", "hash-a", "hooks", false, "http", queue))).isEqualTo("hooks");
        assertThat(registry.unreserve("hooks", "hash-b")).isFalse();
        assertThat(registry.unreserve("hooks", "hash-a")).isTrue();
        assertThat(registry.reservation("hooks")).isNull();
    }

    @Test
    void namesAreDnsLabels() {
        assertThat(Names.normalize("My-App1")).isEqualTo("my-app1");
        assertThat(Names.normalize("a".repeat(64))).isNull();
        assertThat(Names.normalize("a_b")).isNull();
        assertThat(Names.normalize(Names.variant("x".repeat(63)))).isNotNull();
    }
}

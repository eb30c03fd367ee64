package dev.portway.desktop.profiles;

import dev.portway.desktop.profiles.LocalTargets.Reach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LocalTargetsTest {
    @Test
    void loopbackNamesAndAddressesAreThisMachine() {
        for (String host : new String[] {"localhost", "LOCALHOST.", "app.localhost", "127.0.0.1", "127.1.2.3", "[::1]", "0.0.0.0"}) {
            assertThat(LocalTargets.of(host)).as(host).isEqualTo(Reach.THIS_MACHINE);
        }
    }

    @Test
    void linkLocalAndCloudMetadataTargetsAreFlaggedInAnySpelling() {
        for (String host : new String[] {"169.254.169.254", "169.254.0.1", "[fe80::1]", "metadata", "metadata.google.internal.",
                "Metadata.Google.Internal", "100.100.100.200", "168.63.129.16", "[fd00:ec2::254]", "[::ffff:169.254.169.254]",
                "0xa9fea9fe", "0251.0376.0251.0376", "2852039166", "169.254.43518"}) {
            assertThat(LocalTargets.of(host)).as(host).isEqualTo(Reach.METADATA);
        }
    }

    @Test
    void otherAddressesAndNamesAreElsewhere() {
        for (String host : new String[] {"10.0.0.5", "192.168.1.10", "db.internal", "example.com", "[2001:db8::1]",
                "localhost.example.com", "017.0.0.1"}) {
            assertThat(LocalTargets.of(host)).as(host).isEqualTo(Reach.ELSEWHERE);
        }
    }
}

package dev.portway.relay.auth;

import dev.portway.relay.IdentityConfig;
import dev.portway.relay.store.Tier;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The share of a user's request rate each live node of a cluster allows (docs/cluster.md). */
class UserLimitsTest {
    @Test
    void eachNodeAllowsTheRateDividedByTheLiveNodesRoundedUp() {
        assertThat(UserLimits.share(100, 1)).isEqualTo(100);
        assertThat(UserLimits.share(100, 0)).isEqualTo(100); // none known yet: the whole rate
        assertThat(UserLimits.share(100, 2)).isEqualTo(50);
        assertThat(UserLimits.share(100, 3)).isEqualTo(34);
        assertThat(UserLimits.share(10, 4)).isEqualTo(3);
        assertThat(UserLimits.share(1, 5)).isEqualTo(1); // never 0, which would mean no limit
        assertThat(UserLimits.share(Integer.MAX_VALUE, 2)).isEqualTo(1 << 30);
    }

    @Test
    void aSingleRelayAllowsTheWholeRateAndANodeItsShareAsTheLiveNodesChange() {
        UserLimits single = new UserLimits(IdentityConfig.DEFAULTS.withRates(6, 0, 0));
        Principal p = new Principal("alice", Tier.FREE, "t1");
        assertThat(permitted(single, p, 10)).isEqualTo(6);

        UserLimits node = new UserLimits(IdentityConfig.DEFAULTS.withRates(6, 0, 0));
        AtomicInteger live = new AtomicInteger(3);
        node.shareRatesAmong(live::get);
        assertThat(node.perMinuteHere(Tier.FREE)).isEqualTo(2);
        assertThat(permitted(node, p, 10)).isEqualTo(2);
        live.set(1); // the other two died: this node allows the whole rate in a new window
        assertThat(node.perMinuteHere(Tier.FREE)).isEqualTo(6);
        assertThat(permitted(node, p, 10)).isEqualTo(6);
        assertThat(node.perMinuteHere(Tier.PREMIUM)).isZero(); // no limit stays no limit
    }

    private static int permitted(UserLimits limits, Principal p, int tries) {
        int ok = 0;
        for (int i = 0; i < tries; i++) {
            if (limits.requestPermit(p) == 0) {
                ok++;
            }
        }
        return ok;
    }
}

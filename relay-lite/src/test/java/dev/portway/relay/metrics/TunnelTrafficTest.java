package dev.portway.relay.metrics;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class TunnelTrafficTest {
    @Test
    void aNewBindingOfTheSameNameStartsFromZero() {
        TunnelTraffic traffic = new TunnelTraffic();
        Object first = new Object();
        TunnelTraffic.Counters c = traffic.of("app", first);
        c.request();
        c.in(10);
        c.out(20);
        assertThat(traffic.of("app", first)).isSameAs(c);
        assertThat(traffic.peek("app", first).bytesOut()).isEqualTo(20);
        Object second = new Object();
        assertThat(traffic.peek("app", second).requests()).isZero();
        assertThat(traffic.of("app", second).bytesIn()).isZero();
        assertThat(traffic.peek("app", first)).isSameAs(TunnelTraffic.Counters.NONE);
    }

    @Test
    void retainDropsTheCountersOfBindingsThatAreGoneAndNoneCountsNothing() {
        TunnelTraffic traffic = new TunnelTraffic();
        Object app = new Object();
        traffic.of("app", app).in(1);
        traffic.of("old", new Object()).in(1);
        traffic.retain(Map.of("app", app)::get);
        assertThat(traffic.size()).isEqualTo(1);
        assertThat(traffic.peek("app", app).bytesIn()).isEqualTo(1);
        TunnelTraffic.Counters none = traffic.of("gone", null);
        none.in(5);
        none.request();
        assertThat(none.bytesIn()).isZero();
        assertThat(none.requests()).isZero();
    }
}

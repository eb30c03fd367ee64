package dev.portway.relay.tunnel;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IpRangeTest {
    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void ipv4BlocksMatchTheirAddressesOnly() throws Exception {
        IpRange r = IpRange.parse("203.0.113.0/24");
        assertThat(r.contains(ip("203.0.113.200"))).isTrue();
        assertThat(r.contains(ip("203.0.114.1"))).isFalse();
        assertThat(IpRange.parse("10.1.2.3/8").contains(ip("10.200.0.1"))).isTrue();
        assertThat(IpRange.parse("0.0.0.0/0").contains(ip("8.8.8.8"))).isTrue();
        assertThat(IpRange.parse("192.0.2.1").contains(ip("192.0.2.2"))).isFalse();
    }

    @Test
    void ipv6BlocksMatchAndMappedIpv4MatchesIpv4Blocks() throws Exception {
        IpRange r = IpRange.parse("2001:db8::/32");
        assertThat(r.contains(ip("2001:db8:ffff::1"))).isTrue();
        assertThat(r.contains(ip("2001:db9::1"))).isFalse();
        assertThat(r.contains(ip("203.0.113.1"))).isFalse();
        assertThat(IpRange.parse("::1").contains(ip("::1"))).isTrue();
        assertThat(IpRange.parse("203.0.113.0/24").contains(ip("::ffff:203.0.113.9"))).isTrue();
        assertThat(IpRange.parse("2001:db8:0:1::/64").contains(ip("2001:db8:0:1:abcd::9"))).isTrue();
        assertThat(IpRange.parse("2001:db8:0:1::/64").contains(ip("2001:db8:0:2::9"))).isFalse();
    }

    @Test
    void badInputIsRefusedWithoutADnsLookup() {
        assertThatThrownBy(() -> IpRange.parse("localhost")).hasMessageContaining("not an IP address or CIDR block");
        assertThatThrownBy(() -> IpRange.parse("10.0.0.0/40")).hasMessageContaining("use /0 to /32");
        assertThatThrownBy(() -> IpRange.parse("::/129")).hasMessageContaining("use /0 to /128");
        assertThatThrownBy(() -> IpRange.parse("10.0.0.0/x")).hasMessageContaining("bad prefix");
        assertThatThrownBy(() -> IpRange.parse("")).hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> IpRange.parse("1.2.3.4.5")).hasMessageContaining("not an IP address");
    }
}

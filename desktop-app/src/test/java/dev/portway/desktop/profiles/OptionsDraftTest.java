package dev.portway.desktop.profiles;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class OptionsDraftTest {
    private static OptionsDraft allow(String list) {
        return new OptionsDraft(false, "normal", "", "", list, false);
    }

    private static OptionsDraft login(String user, String password) {
        return new OptionsDraft(false, "normal", user, password, "", false);
    }

    @Test
    void acceptsAddressesAndRangesOfBothFamilies() {
        for (String ok : new String[]{"", "203.0.113.7", "10.0.0.0/8", "0.0.0.0/0", "::1", "2001:db8::/32", "::/0",
                " 10.1.2.3 , 192.168.0.0/16 "}) {
            assertThat(allow(ok).problems()).as(ok).isEmpty();
        }
    }

    @Test
    void refusesWhatIsNotARangeAndNamesTheEntry() {
        assertThat(allow("10.0.0.0/33").problems().get(OptionsDraft.Field.IP_ALLOW))
                .isEqualTo("“10.0.0.0/33”: the number after '/' must be 0 to 32.");
        assertThat(allow("::1/129").problems().get(OptionsDraft.Field.IP_ALLOW)).contains("0 to 128");
        assertThat(allow("example.com").problems().get(OptionsDraft.Field.IP_ALLOW))
                .startsWith("“example.com” is not an IP address or range");
        assertThat(allow("10.0.0.1,,10.0.0.2").problems().get(OptionsDraft.Field.IP_ALLOW)).contains("empty entry");
        assertThat(allow("10.0.0.0/").problems()).containsKey(OptionsDraft.Field.IP_ALLOW);
        assertThat(allow("1.2.3").problems()).containsKey(OptionsDraft.Field.IP_ALLOW);
        assertThat(allow("10.0.0.1/8x").problems()).containsKey(OptionsDraft.Field.IP_ALLOW);
        assertThat(allow("10.0.0.1,".repeat(200)).problems().get(OptionsDraft.Field.IP_ALLOW)).contains("under 1024");
    }

    @Test
    void visitorLoginNeedsBothPartsAndNoColonInTheUser() {
        assertThat(login("", "").problems()).isEmpty();
        assertThat(login("ann", "p:w with spaces").problems()).isEmpty();
        assertThat(login("ann", "").problems().get(OptionsDraft.Field.BASIC_AUTH)).startsWith("Enter a password");
        assertThat(login("", "pw").problems().get(OptionsDraft.Field.BASIC_AUTH)).startsWith("Enter a user name");
        assertThat(login("a:b", "pw").problems().get(OptionsDraft.Field.BASIC_AUTH)).contains("':'");
        assertThat(login("a b", "pw").problems()).containsKey(OptionsDraft.Field.BASIC_AUTH);
    }

    @Test
    void applyKeepsOptionsTheFormDoesNotShowAndDropsDefaults() {
        OptionsDraft d = new OptionsDraft(true, "normal", "", "", "", false);
        assertThat(d.applyTo(Map.of("port", "15432", "basic_auth", "old:pw", "host_header", "rewrite"), Profile.Kind.HTTP))
                .containsExactlyInAnyOrderEntriesOf(Map.of("port", "15432", "queue", "on"));
        assertThat(OptionsDraft.of(Map.of("basic_auth", "ann:p:w")).authPassword()).isEqualTo("p:w");
    }

    @Test
    void queueWithVisitorLoginOrAllowListIsRefusedForHttpAsTheRelayWould() {
        OptionsDraft queuedLogin = new OptionsDraft(true, "normal", "ann", "pw", "", false);
        assertThat(queuedLogin.problems()).isEmpty();
        assertThat(queuedLogin.problems(Profile.Kind.HTTP).get(OptionsDraft.Field.BASIC_AUTH)).contains("cannot queue");
        OptionsDraft queuedAllow = new OptionsDraft(true, "normal", "", "", "10.0.0.0/8", false);
        assertThat(queuedAllow.problems(Profile.Kind.HTTP).get(OptionsDraft.Field.IP_ALLOW)).contains("cannot queue");
        assertThat(queuedAllow.problems(Profile.Kind.TCP)).isEmpty(); // a tcp tunnel is never queued
        assertThat(new OptionsDraft(false, "normal", "ann", "pw", "10.0.0.0/8", false).problems(Profile.Kind.HTTP)).isEmpty();
    }

    @Test
    void aPrivateTcpTunnelIsSharedWithNamedUsersOnly() {
        OptionsDraft shared = new OptionsDraft(false, "normal", "", "", "", false, true, " alice , bob.smith ");
        assertThat(shared.problems()).isEmpty();
        assertThat(shared.applyTo(Map.of("port", "15432"), Profile.Kind.TCP))
                .containsEntry("private", "true").containsEntry("share", "alice,bob.smith").containsEntry("port", "15432");
        assertThat(shared.applyTo(Map.of(), Profile.Kind.HTTP)).as("private is for TCP tunnels").doesNotContainKeys("private", "share");
        OptionsDraft back = OptionsDraft.of(shared.applyTo(Map.of(), Profile.Kind.TCP));
        assertThat(back.privateTcp()).isTrue();
        assertThat(back.shareWith()).isEqualTo("alice,bob.smith");

        OptionsDraft publicAgain = new OptionsDraft(false, "normal", "", "", "", false, false, "");
        assertThat(publicAgain.applyTo(Map.of("private", "true", "share", "alice"), Profile.Kind.TCP))
                .as("unticking Private removes both").doesNotContainKeys("private", "share");
    }

    @Test
    void sharingNeedsPrivateAndUserNames() {
        assertThat(new OptionsDraft(false, "normal", "", "", "", false, false, "alice").problems().get(OptionsDraft.Field.SHARE))
                .startsWith("Sharing is for private tunnels");
        assertThat(new OptionsDraft(false, "normal", "", "", "", false, true, "alice, bob smith").problems().get(OptionsDraft.Field.SHARE))
                .isEqualTo("“bob smith” is not a user name on a relay — letters, digits, '.', '_' and '-', separated by commas.");
        assertThat(new OptionsDraft(false, "normal", "", "", "", false, true, "alice,,bob").problems().get(OptionsDraft.Field.SHARE))
                .contains("empty entry");
    }

    @Test
    void theLocalProtocolIsStoredAsTheEnginesOptionForHttpOnly() {
        OptionsDraft h2c = OptionsDraft.of(Map.of("local_protocol", "h2c"));
        assertThat(h2c.localH2c()).isTrue();
        assertThat(h2c.applyTo(Map.of(), Profile.Kind.HTTP)).isEqualTo(Map.of("local_protocol", "h2c"));
        assertThat(h2c.applyTo(Map.of("local_protocol", "h2c"), Profile.Kind.TCP)).as("tcp has no HTTP to speak").isEmpty();
        assertThat(OptionsDraft.of(Map.of()).localH2c()).isFalse();
        assertThat(OptionsDraft.of(Map.of()).applyTo(Map.of("local_protocol", "h2c"), Profile.Kind.HTTP)).as("back to HTTP/1.1").isEmpty();
    }
}

package dev.portway.relay.cluster;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The link handshake's {@code features} field (PROTOCOL.md §3.4): what two nodes agree to carry. */
class LinkFeaturesTest {
    @Test
    void aNodeThatSendsNoFeaturesGetsNone() {
        assertThat(LinkFeatures.agreed(null)).isEqualTo(LinkFeatures.NONE);
        assertThat(LinkFeatures.agreed("")).isEqualTo(LinkFeatures.NONE);
        assertThat(LinkFeatures.NONE.text()).isEmpty();
    }

    @Test
    void theOfferRoundTripsAndUnknownNamesAreIgnored() {
        assertThat(LinkFeatures.ALL.text()).isEqualTo("trailers interim drain");
        assertThat(LinkFeatures.agreed(LinkFeatures.ALL.text())).isEqualTo(LinkFeatures.ALL);
        assertThat(LinkFeatures.agreed("  interim   teleport ")).isEqualTo(new LinkFeatures(false, true, false));
        assertThat(LinkFeatures.agreed("trailers")).isEqualTo(new LinkFeatures(true, false, false));
        assertThat(LinkFeatures.agreed("drain trailers")).isEqualTo(new LinkFeatures(true, false, true));
    }

    @Test
    void onlyAgreedInterimAnswersCountAsInterim() {
        assertThat(LinkFeatures.ALL.isInterim(103)).isTrue();
        assertThat(LinkFeatures.ALL.isInterim(101)).as("switching protocols is a final answer").isFalse();
        assertThat(LinkFeatures.ALL.isInterim(200)).isFalse();
        assertThat(LinkFeatures.ALL.isInterim(null)).isFalse();
        assertThat(LinkFeatures.NONE.isInterim(103)).as("an old peer's 1xx is passed on as before").isFalse();
    }
}

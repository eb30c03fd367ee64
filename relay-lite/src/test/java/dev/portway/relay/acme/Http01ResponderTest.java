package dev.portway.relay.acme;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class Http01ResponderTest {
    final ChallengeTokens tokens = new ChallengeTokens();
    final EmbeddedChannel ch = new EmbeddedChannel(new Http01Responder(tokens));

    FullHttpResponse get(String uri) {
        ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri));
        return ch.readOutbound();
    }

    @Test
    void openChallengeIsAnsweredWithItsKeyAuthorization() {
        tokens.put("tok_en-1", "tok_en-1.thumbprint");
        FullHttpResponse r = get("/.well-known/acme-challenge/tok_en-1");
        assertThat(r.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(r.content().toString(StandardCharsets.US_ASCII)).isEqualTo("tok_en-1.thumbprint");
        r.release();
    }

    @Test
    void unknownOrMalformedTokenGets404AndOtherPathsGoOnToTheRedirect() {
        tokens.put("abc", "abc.x");
        assertThat(get("/.well-known/acme-challenge/nope").status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
        assertThat(get("/.well-known/acme-challenge/abc/../abc").status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
        ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/login"));
        assertThat((Object) ch.readOutbound()).isNull();
        HttpRequest passed = ch.readInbound();
        assertThat(passed.uri()).isEqualTo("/login");
    }
}

package dev.portway.relay.ingress;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RouterTest {
    @Test
    void tunnelHostWinsOverRelayPaths() {
        assertThat(Router.route("MyApp.localhost:8080", "/api/tunnel/health", "localhost"))
                .isEqualTo(new Router.Route.ToTunnel("myapp", "/api/tunnel/health"));
        assertThat(Router.route("localhost:8080", "/api/tunnel/health", "localhost")).isEqualTo(new Router.Route.Health());
        assertThat(Router.route("myapp.localhost", "/api/tunnel/metrics", "localhost"))
                .isEqualTo(new Router.Route.ToTunnel("myapp", "/api/tunnel/metrics"));
        assertThat(Router.route("127.0.0.1:8080", "/api/tunnel/metrics?x", "localhost")).isEqualTo(new Router.Route.Metrics());
    }

    @Test
    void pathRoutingStripsThePrefix() {
        assertThat(Router.route("127.0.0.1", "/t/myapp/x?y", "localhost")).isEqualTo(new Router.Route.ToTunnel("myapp", "/x?y"));
        assertThat(Router.route("127.0.0.1", "/t/myapp", "localhost")).isEqualTo(new Router.Route.ToTunnel("myapp", "/"));
        assertThat(Router.route(null, "/t/", "localhost")).isEqualTo(new Router.Route.NotFound());
        assertThat(Router.route(null, "/", "localhost")).isEqualTo(new Router.Route.Landing());
    }

    @Test
    void hopByHopFieldsAreRemovedButUpgradeKept() {
        HttpHeaders h = new DefaultHttpHeaders().add("Host", "a").add("Connection", "keep-alive, X-Secret")
                .add("X-Secret", "1").add("TE", "trailers").add("Accept", "*/*").add("Upgrade", "websocket");
        assertThat(HopByHop.endToEnd(h, false)).extracting(dev.portway.shared.protocol.Header::name)
                .containsExactly("Host", "Accept");
        HttpHeaders up = new DefaultHttpHeaders().add("Connection", "Upgrade").add("Upgrade", "websocket");
        assertThat(HopByHop.isUpgrade(up)).isTrue();
        assertThat(HopByHop.endToEnd(up, true)).extracting(dev.portway.shared.protocol.Header::name)
                .containsExactly("Connection", "Upgrade");
    }
}

package dev.portway.relay.rewrite;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResponseRewriteTest {
    private static final RewriteOptions LOCAL = RewriteOptions.parse(Map.of("local_origin", "http://localhost:3000"), "http");
    private static final PublicBase PATH = PublicBase.of("http", "relay.example:8080", "/t/MyApp/account?x=1", "/account?x=1");
    private static final PublicBase HOST = PublicBase.of("https", "myapp.example.com", "/account", "/account");

    @Test
    void pathFormPrefixIsWhatTheVisitorTyped() {
        assertThat(PATH.prefix()).isEqualTo("/t/MyApp");
        assertThat(PublicBase.of("http", "h", "/t/app", "/").prefix()).isEqualTo("/t/app");
        assertThat(PublicBase.of("http", "h", "/t/app?q", "/?q").prefix()).isEqualTo("/t/app");
        assertThat(HOST.prefix()).isEmpty();
    }

    @Test
    void rootRelativeLocationGetsThePathPrefix() {
        assertThat(ResponseRewrite.url("/login?next=%2F", LOCAL, PATH)).isEqualTo("/t/MyApp/login?next=%2F");
        assertThat(ResponseRewrite.url("/t/myapp/already", LOCAL, PATH)).isEqualTo("/t/myapp/already");
        assertThat(ResponseRewrite.url("/login", LOCAL, HOST)).isEqualTo("/login");
    }

    @Test
    void locationAtTheLocalTargetPointsAtThePublicAddress() {
        assertThat(ResponseRewrite.url("http://localhost:3000/login", LOCAL, PATH))
                .isEqualTo("http://relay.example:8080/t/MyApp/login");
        assertThat(ResponseRewrite.url("http://127.0.0.1:3000", LOCAL, HOST)).isEqualTo("https://myapp.example.com/");
        assertThat(ResponseRewrite.url("http://LOCALHOST:3000?a#b", LOCAL, HOST)).isEqualTo("https://myapp.example.com/?a#b");
        assertThat(ResponseRewrite.url("//localhost:3000/x", LOCAL, HOST)).isEqualTo("https://myapp.example.com/x");
    }

    @Test
    void locationAtTheRelaysRootGetsThePrefixOnlyInThePathForm() {
        assertThat(ResponseRewrite.url("http://relay.example:8080/home", RewriteOptions.DEFAULT, PATH))
                .isEqualTo("http://relay.example:8080/t/MyApp/home");
        assertThat(ResponseRewrite.url("https://myapp.example.com/home", RewriteOptions.DEFAULT, HOST))
                .isEqualTo("https://myapp.example.com/home");
    }

    @Test
    void otherLocationsAreLeftAlone() {
        for (String v : new String[] {"https://github.com/login", "http://localhost:3001/x", "next", "../up", "mailto:a@b",
                "http://bad host/", ""}) {
            assertThat(ResponseRewrite.url(v, LOCAL, PATH)).as(v).isEqualTo(v);
        }
    }

    @Test
    void cookiePathGetsThePrefixAndALocalDomainGoes() {
        assertThat(ResponseRewrite.cookie("sid=abc; Path=/account; HttpOnly", LOCAL, PATH))
                .isEqualTo("sid=abc; Path=/t/MyApp/account; HttpOnly");
        assertThat(ResponseRewrite.cookie("sid=abc; path=/", LOCAL, PATH)).isEqualTo("sid=abc; path=/t/MyApp");
        assertThat(ResponseRewrite.cookie("sid=abc; Domain=.localhost; Path=/; Secure", LOCAL, HOST))
                .isEqualTo("sid=abc; Path=/; Secure");
        assertThat(ResponseRewrite.cookie("sid=abc; Domain=127.0.0.1", LOCAL, HOST)).isEqualTo("sid=abc");
        assertThat(ResponseRewrite.cookie("sid=abc; Domain=example.com; Path=/a", LOCAL, HOST))
                .isEqualTo("sid=abc; Domain=example.com; Path=/a");
        assertThat(ResponseRewrite.cookie("a=b=c", LOCAL, PATH)).isEqualTo("a=b=c");
    }

    @Test
    void headersAreRewrittenInPlaceAndStrippedOnesGo() {
        RewriteOptions o = RewriteOptions.parse(Map.of("local_origin", "http://localhost:3000",
                "strip_headers", "Server, X-Powered-By"), "http");
        HttpHeaders h = new DefaultHttpHeaders().add("Server", "gunicorn").add("X-Powered-By", "Express")
                .add("Location", "/login").add("Set-Cookie", "a=1; Path=/").add("Set-Cookie", "b=2")
                .add("Refresh", "3; url=/next").add("Content-Location", "http://localhost:3000/doc");

        ResponseRewrite.apply(h, o, PATH);

        assertThat(h.contains("Server")).isFalse();
        assertThat(h.contains("X-Powered-By")).isFalse();
        assertThat(h.get("Location")).isEqualTo("/t/MyApp/login");
        assertThat(h.getAll("Set-Cookie")).containsExactly("a=1; Path=/t/MyApp", "b=2");
        assertThat(h.get("Refresh")).isEqualTo("3; url=/t/MyApp/next");
        assertThat(h.get("Content-Location")).isEqualTo("http://relay.example:8080/t/MyApp/doc");
    }

    @Test
    void offLeavesRedirectsAndCookiesAsTheAppSentThem() {
        RewriteOptions off = RewriteOptions.parse(Map.of("rewrite_redirects", "off", "rewrite_cookies", "off"), "http");
        HttpHeaders h = new DefaultHttpHeaders().add("Location", "/login").add("Set-Cookie", "a=1; Path=/");

        ResponseRewrite.apply(h, off, PATH);

        assertThat(h.get("Location")).isEqualTo("/login");
        assertThat(h.get("Set-Cookie")).isEqualTo("a=1; Path=/");
    }

    @Test
    void badOptionsAreRefusedWithWhatToDo() {
        assertThatThrownBy(() -> RewriteOptions.parse(Map.of("rewrite_redirects", "yes"), "http"))
                .hasMessage("The option rewrite_redirects must be on or off, not \"yes\".");
        assertThatThrownBy(() -> RewriteOptions.parse(Map.of("local_origin", "http://localhost:3000/app"), "http"))
                .hasMessageStartingWith("The option local_origin must be the local target's origin, e.g. http://localhost:3000");
        assertThatThrownBy(() -> RewriteOptions.parse(Map.of("local_origin", "ftp://x"), "http"))
                .hasMessageStartingWith("The option local_origin must be");
        assertThatThrownBy(() -> RewriteOptions.parse(Map.of("strip_headers", "Server,,X"), "http"))
                .hasMessageStartingWith("The option strip_headers must be header names separated by commas");
        assertThatThrownBy(() -> RewriteOptions.parse(Map.of("rewrite_cookies", "on"), "tcp"))
                .hasMessageStartingWith("The options rewrite_redirects, rewrite_cookies, local_origin, strip_headers are for http");
        assertThat(RewriteOptions.parse(Map.of("local_origin", "http://[::1]:8000"), "http").localOrigin().isLoopback()).isTrue();
    }
}

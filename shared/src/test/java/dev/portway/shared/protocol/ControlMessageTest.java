package dev.portway.shared.protocol;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Golden JSON for every control message and stream head; malformed JSON is a ProtocolException. */
class ControlMessageTest {

    private static String json(Object message) {
        return new String(Json.write(message), StandardCharsets.UTF_8);
    }

    private static <T> T read(String json, Class<T> type) throws ProtocolException {
        return Json.read(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)), type);
    }

    private static void assertGolden(ControlMessage message, String expected) throws ProtocolException {
        assertThat(json(message)).isEqualTo(expected);
        assertThat(read(expected, ControlMessage.class)).isEqualTo(message);
    }

    @Test
    void hello() throws Exception {
        assertGolden(new ControlMessage.Hello(List.of(1), "t0k", "portway/0.1.0", "r3s", 1048576, 16777216),
                "{\"type\":\"hello\",\"versions\":[1],\"token\":\"t0k\",\"client\":\"portway/0.1.0\",\"resume\":\"r3s\","
                        + "\"stream_window\":1048576,\"session_window\":16777216}");
        assertGolden(new ControlMessage.Hello(List.of(1), "t", "c", null, null, null),
                "{\"type\":\"hello\",\"versions\":[1],\"token\":\"t\",\"client\":\"c\"}");
    }

    @Test
    void welcome() throws Exception {
        assertGolden(new ControlMessage.Welcome(1, "s1", "k", 1048576, 16777216, 30000, 45000, 30000, "relay-lite/0.1.0"),
                "{\"type\":\"welcome\",\"version\":1,\"session\":\"s1\",\"resume\":\"k\",\"stream_window\":1048576,"
                        + "\"session_window\":16777216,\"ping_interval_ms\":30000,\"dead_after_ms\":45000,\"grace_ms\":30000,"
                        + "\"relay\":\"relay-lite/0.1.0\"}");
    }

    @Test
    void welcomeWithUserAndJwt() throws Exception {
        assertGolden(new ControlMessage.Welcome(1, "s1", "k", 1048576, 16777216, 30000, 45000, 30000, "relay-lite/0.1.0",
                        "alice", "eyJ.x.y", 900000L),
                "{\"type\":\"welcome\",\"version\":1,\"session\":\"s1\",\"resume\":\"k\",\"stream_window\":1048576,"
                        + "\"session_window\":16777216,\"ping_interval_ms\":30000,\"dead_after_ms\":45000,\"grace_ms\":30000,"
                        + "\"relay\":\"relay-lite/0.1.0\",\"user\":\"alice\",\"jwt\":\"eyJ.x.y\",\"jwt_ttl_ms\":900000}");
    }

    @Test
    void welcomeWithTheClusterNodes() throws Exception { // feature ha, PROTOCOL.md §3.3
        assertGolden(new ControlMessage.Welcome(1, "s1", "k", 1048576, 16777216, 30000, 45000, 30000, "relay-lite/0.1.0",
                        null, null, null, List.of("ha"), "relay-a", List.of(new ControlMessage.ClusterNode("relay-b",
                        "wss://relay-b.example.com"), new ControlMessage.ClusterNode("relay-c", null))),
                "{\"type\":\"welcome\",\"version\":1,\"session\":\"s1\",\"resume\":\"k\",\"stream_window\":1048576,"
                        + "\"session_window\":16777216,\"ping_interval_ms\":30000,\"dead_after_ms\":45000,\"grace_ms\":30000,"
                        + "\"relay\":\"relay-lite/0.1.0\",\"features\":[\"ha\"],\"node\":\"relay-a\",\"nodes\":[{\"node\":"
                        + "\"relay-b\",\"url\":\"wss://relay-b.example.com\"},{\"node\":\"relay-c\"}]}");
    }

    @Test
    void refreshAndRefreshed() throws Exception {
        assertGolden(new ControlMessage.Refresh(), "{\"type\":\"refresh\"}");
        assertGolden(new ControlMessage.Refreshed("eyJ.a.b", 900000), "{\"type\":\"refreshed\",\"jwt\":\"eyJ.a.b\",\"jwt_ttl_ms\":900000}");
    }

    @Test
    void authRefusals() throws Exception {
        assertGolden(ControlMessage.Refused.of(ErrorCode.TOKEN_REVOKED, "revoked"),
                "{\"type\":\"refused\",\"code\":\"token_revoked\",\"message\":\"revoked\"}");
        assertThat(ErrorCode.ofWireName("token_expired")).isEqualTo(ErrorCode.TOKEN_EXPIRED);
        assertThat(ErrorCode.ofWireName("user_disabled").category()).isEqualTo(ErrorCategory.AUTH);
        assertThat(ErrorCode.ofCode(35)).isEqualTo(ErrorCode.TOKEN_REVOKED);
    }

    @Test
    void refused() throws Exception {
        ControlMessage.Refused r = ControlMessage.Refused.of(ErrorCode.BAD_TOKEN, "Invalid token");
        assertGolden(r, "{\"type\":\"refused\",\"code\":\"bad_token\",\"message\":\"Invalid token\"}");
        assertThat(r.errorCode()).isEqualTo(ErrorCode.BAD_TOKEN);
        assertThat(r.errorCode().category()).isEqualTo(ErrorCategory.AUTH);
    }

    @Test
    void bindBoundAndRefusal() throws Exception {
        assertGolden(new ControlMessage.Bind("1", "http", "myapp", null, Map.of("strict_name", "true")),
                "{\"type\":\"bind\",\"id\":\"1\",\"kind\":\"http\",\"name\":\"myapp\",\"options\":{\"strict_name\":\"true\"}}");
        assertGolden(new ControlMessage.Bound("1", "myapp", "http", "http://myapp.localhost:8080/", null, null),
                "{\"type\":\"bound\",\"id\":\"1\",\"name\":\"myapp\",\"kind\":\"http\",\"url\":\"http://myapp.localhost:8080/\"}");
        assertGolden(new ControlMessage.Bound("2", "db", "tcp", "tcp://localhost:20001", 20001, "port 22 is outside the range"),
                "{\"type\":\"bound\",\"id\":\"2\",\"name\":\"db\",\"kind\":\"tcp\",\"url\":\"tcp://localhost:20001\",\"port\":20001,"
                        + "\"notice\":\"port 22 is outside the range\"}");
        assertGolden(ControlMessage.BindRefused.of("3", ErrorCode.NAME_TAKEN, "taken"),
                "{\"type\":\"bind_refused\",\"id\":\"3\",\"code\":\"name_taken\",\"message\":\"taken\"}");
        assertGolden(new ControlMessage.Unbind("myapp"), "{\"type\":\"unbind\",\"name\":\"myapp\"}");
    }

    @Test
    void heartbeatAndShutdown() throws Exception {
        assertGolden(new ControlMessage.Ping(7, 1700000000000L), "{\"type\":\"ping\",\"seq\":7,\"time\":1700000000000}");
        assertGolden(new ControlMessage.Pong(7, 1700000000000L), "{\"type\":\"pong\",\"seq\":7,\"time\":1700000000000}");
        assertGolden(new ControlMessage.GoAway("relay shutting down", 10000),
                "{\"type\":\"go_away\",\"reason\":\"relay shutting down\",\"deadline_ms\":10000}");
        assertGolden(new ControlMessage.Notice("queue_pressure", "80% full"),
                "{\"type\":\"notice\",\"code\":\"queue_pressure\",\"message\":\"80% full\"}");
    }

    @Test
    void reliabilityMessages() throws Exception {
        assertGolden(new ControlMessage.Hello(List.of(1), "t", "c", null, null, null, "k3y"),
                "{\"type\":\"hello\",\"versions\":[1],\"token\":\"t\",\"client\":\"c\",\"client_key\":\"k3y\"}");
        assertGolden(new ControlMessage.QueueStatus("hooks", 80, 4096, 100, 1048576, "pressure"),
                "{\"type\":\"queue_status\",\"tunnel\":\"hooks\",\"count\":80,\"bytes\":4096,\"max_count\":100,"
                        + "\"max_bytes\":1048576,\"level\":\"pressure\"}");
        assertGolden(new ControlMessage.Breaker("myapp", "open"), "{\"type\":\"breaker\",\"tunnel\":\"myapp\",\"state\":\"open\"}");
    }

    @Test
    void deliveryOpenCarriesItsIdAndPriority() throws Exception {
        OpenMessage open = OpenMessage.delivery("hooks", "203.0.113.9:1", "r9", "POST", "/hook",
                List.of(new Header("Portway-Delivery-Id", "d1")), "d1", "normal");
        String expected = "{\"tunnel\":\"hooks\",\"kind\":\"http\",\"remote\":\"203.0.113.9:1\",\"request_id\":\"r9\","
                + "\"method\":\"POST\",\"target\":\"/hook\",\"headers\":[[\"Portway-Delivery-Id\",\"d1\"]],"
                + "\"delivery_id\":\"d1\",\"priority\":\"normal\"}";
        assertThat(json(open)).isEqualTo(expected);
        OpenMessage back = read(expected, OpenMessage.class);
        assertThat(back).isEqualTo(open);
        assertThat(back.isDelivery()).isTrue();
    }

    @Test
    void unknownMessageTypeAndUnknownFieldsAreTolerated() throws Exception {
        assertThat(read("{\"type\":\"from_the_future\",\"x\":1}", ControlMessage.class)).isInstanceOf(ControlMessage.Unknown.class);
        assertThat(read("{\"type\":\"ping\",\"seq\":1,\"time\":2,\"extra\":true}", ControlMessage.class))
                .isEqualTo(new ControlMessage.Ping(1, 2));
    }

    @Test
    void httpOpenAndReplyHeadsKeepHeaderOrderAndRepeats() throws Exception {
        OpenMessage open = OpenMessage.http("myapp", "127.0.0.1:5000", "r1", "POST", "/hook?a=1",
                List.of(new Header("Host", "myapp.localhost"), new Header("Set-Thing", "a"), new Header("Set-Thing", "b")));
        String expected = "{\"tunnel\":\"myapp\",\"kind\":\"http\",\"remote\":\"127.0.0.1:5000\",\"request_id\":\"r1\","
                + "\"method\":\"POST\",\"target\":\"/hook?a=1\",\"headers\":[[\"Host\",\"myapp.localhost\"],"
                + "[\"Set-Thing\",\"a\"],[\"Set-Thing\",\"b\"]]}";
        assertThat(json(open)).isEqualTo(expected);
        OpenMessage back = read(expected, OpenMessage.class);
        assertThat(back).isEqualTo(open);
        back.validate();
        assertThat(back.header("host")).isEqualTo("myapp.localhost");

        ReplyMessage reply = ReplyMessage.http(404, "Not Found", List.of(new Header("Content-Length", "0")));
        String replyJson = "{\"status\":404,\"reason\":\"Not Found\",\"headers\":[[\"Content-Length\",\"0\"]]}";
        assertThat(json(reply)).isEqualTo(replyJson);
        assertThat(read(replyJson, ReplyMessage.class)).isEqualTo(reply);
    }

    @Test
    void malformedJsonIsAProtocolError() {
        for (String bad : new String[]{"{", "[]", "null", "{\"type\":\"ping\",\"seq\":\"x\"}", "\u0000\u0001", "{\"type\":\"ping\"}"}) {
            assertThatThrownBy(() -> read(bad, ControlMessage.class)).as(bad)
                    .isInstanceOf(ProtocolException.class)
                    .extracting(e -> ((ProtocolException) e).code()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
        }
    }

    @Test
    void incompleteHeadsFailValidation() throws Exception {
        assertThatThrownBy(() -> read("{\"tunnel\":\"a\",\"kind\":\"http\"}", OpenMessage.class).validate())
                .isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> read("{\"tunnel\":\"a\",\"kind\":\"udp\"}", OpenMessage.class).validate())
                .isInstanceOf(ProtocolException.class).hasMessageContaining("udp");
        assertThatThrownBy(() -> read("{\"kind\":\"tcp\"}", OpenMessage.class).validate())
                .isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> read("{\"headers\":[[\"a\",\"b\"]]}", ReplyMessage.class).validateHttp())
                .isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> read("{\"status\":200,\"headers\":[[\"a\"]]}", ReplyMessage.class))
                .isInstanceOf(ProtocolException.class);
    }
}

package dev.portway.shared.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JSON payloads a peer sends ({@link Json#read} of CONTROL, OPEN and REPLY frames) on arbitrary and mutated
 * input: each gives a message or a {@link ProtocolException}, never another exception — also in what a receiver does
 * next with it (the relay's version check of a hello, {@code validate} of an OPEN or REPLY and the headers it then
 * reads). Tries: {@code jqwik.tries.default} (200 in CI; {@code bench/fuzz.sh} runs more).
 */
class ControlMessageFuzzTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @Property
    void arbitraryBytesGiveAMessageOrAProtocolException(@ForAll("bytes") byte[] payload) {
        readAll(payload);
    }

    @Property
    void arbitraryTextGivesAMessageOrAProtocolException(@ForAll("text") String payload) {
        readAll(payload.getBytes(StandardCharsets.UTF_8));
    }

    @Property
    void mutatedValidMessagesGiveAMessageOrAProtocolException(@ForAll("valid") Object message, @ForAll("mutations") Mutation mutation) {
        readAll(mutation.apply(Json.write(message)));
    }

    @Property
    void fieldsOfTheWrongJsonTypeGiveAMessageOrAProtocolException(@ForAll("valid") Object message, @ForAll("values") JsonNode value,
                                                                 @ForAll("indexes") int which) throws Exception {
        JsonNode tree = Json.MAPPER.readTree(Json.write(message));
        List<ObjectNode> holders = new ArrayList<>();
        List<String> names = new ArrayList<>();
        collectFields(tree, holders, names);
        if (holders.isEmpty()) { // a message without fields ({} of a TCP REPLY): the whole message is the wrong type
            readAll(Json.MAPPER.writeValueAsBytes(value));
            return;
        }
        int i = which % holders.size();
        holders.get(i).set(names.get(i), value);
        readAll(Json.MAPPER.writeValueAsBytes(tree));
    }

    /** The relay's first look at a client: a hello whose {@code versions} is any JSON (the version check runs before auth). */
    @Property
    void helloWithAnyVersionsIsReadOrRefused(@ForAll("versionLists") JsonNode versions) throws Exception {
        ObjectNode hello = NODES.objectNode().put("type", "hello").put("token", "s3cret");
        hello.set("versions", versions);
        readAll(Json.MAPPER.writeValueAsBytes(hello));
    }

    /** Each parser the protocol has, then what its receiver does next; only ProtocolException may come out. */
    static void readAll(byte[] payload) {
        ByteBuffer b = ByteBuffer.wrap(payload);
        refuseOnly(payload, () -> {
            ControlMessage m = Json.read(b, ControlMessage.class);
            assertThat(m).isNotNull();
            assertThat(m.toString()).isNotNull();
            if (m instanceof ControlMessage.Hello h && Protocol.pickVersion(h.versions()) < 0) {
                assertThat(Protocol.versionMismatchMessage(h.versions())).isNotBlank();
            }
            if (m instanceof ControlMessage.Refused r) {
                assertThat(r.errorCode()).isNotNull();
            }
            if (m instanceof ControlMessage.BindRefused r) {
                assertThat(r.errorCode()).isNotNull();
            }
        });
        refuseOnly(payload, () -> {
            OpenMessage o = Json.read(b, OpenMessage.class);
            o.validate();
            if (o.isHttp()) {
                assertThat(o.headers()).doesNotContainNull();
                o.header("Content-Length");
            }
        });
        refuseOnly(payload, () -> {
            ReplyMessage r = Json.read(b, ReplyMessage.class);
            r.validateHttp();
            assertThat(r.headers()).doesNotContainNull();
            r.header("Content-Length");
        });
    }

    interface Action {
        void run() throws ProtocolException;
    }

    private static void refuseOnly(byte[] payload, Action action) {
        try {
            action.run();
        } catch (ProtocolException refused) {
            assertThat(refused.code()).isNotNull();
        } catch (RuntimeException e) {
            throw new AssertionError(e + " for payload " + new String(payload, StandardCharsets.UTF_8), e);
        }
    }

    private static void collectFields(JsonNode node, List<ObjectNode> holders, List<String> names) {
        if (node instanceof ObjectNode o) {
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                holders.add(o);
                names.add(e.getKey());
                collectFields(e.getValue(), holders, names);
            }
        } else if (node instanceof ArrayNode a) {
            a.forEach(child -> collectFields(child, holders, names));
        }
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(256);
    }

    /** Text made mostly of JSON's own characters and the protocol's field names, so that much of it parses a little. */
    @Provide
    Arbitrary<String> text() {
        Arbitrary<String> token = Arbitraries.of("{", "}", "[", "]", ":", ",", "\"", "\"type\"", "\"hello\"", "\"bind\"", "\"refused\"",
                "\"versions\"", "\"headers\"", "\"status\"", "\"options\"", "\"ping\"", "\"seq\"", "null", "true", "-1", "0", "1e400",
                "99999999999999999999", "\"\\u0000\"", "\"\\ud800\"", " ", "\n", "\"x\"", "[[\"a\",\"b\"]]", "{}", "[]");
        Arbitrary<String> tokens = token.list().ofMaxSize(40).map(l -> String.join("", l));
        return Arbitraries.oneOf(tokens, Arbitraries.strings().ofMaxLength(200));
    }

    @Provide
    Arbitrary<Object> valid() {
        List<Header> headers = List.of(new Header("Host", "app.localhost"), new Header("Content-Length", "3"));
        return Arbitraries.of(
                new ControlMessage.Hello(List.of(1), "s3cret", "portway/0.1.0", "resume-key", 1 << 20, 16 << 20, "k".repeat(32)),
                new ControlMessage.Welcome(1, "sess-1", "resume", 1 << 20, 16 << 20, 30_000, 45_000, 60_000, "relay-lite/0.1.0",
                        "alice", "jwt.jwt.jwt", 900_000L),
                ControlMessage.Refused.of(ErrorCode.BAD_TOKEN, "The relay refused the token."),
                new ControlMessage.Bind("1", "http", "app", null, Map.of("basic_auth", "qa:pass", "ip_allow", "10.0.0.0/8")),
                new ControlMessage.Bind("2", "tcp", null, 0, Map.of()),
                new ControlMessage.Bound("1", "app", "http", "http://app.localhost:8080/", null, "name taken"),
                ControlMessage.BindRefused.of("1", ErrorCode.PROTOCOL_ERROR, "unknown option"),
                new ControlMessage.Unbind("app"),
                new ControlMessage.Ping(7, 1_700_000_000_000L),
                new ControlMessage.Pong(7, 1_700_000_000_000L),
                new ControlMessage.GoAway("shutdown", 5_000),
                new ControlMessage.Notice("info", "hello"),
                new ControlMessage.QueueStatus("hooks", 3, 300, 1000, 1 << 20, "ok"),
                new ControlMessage.Breaker("app", "open"),
                new ControlMessage.Refresh(),
                new ControlMessage.Refreshed("jwt", 900_000),
                OpenMessage.http("app", "127.0.0.1:5000", "req-1", "POST", "/x?y=1", headers),
                OpenMessage.tcp("ssh", "127.0.0.1:5001"),
                OpenMessage.delivery("hooks", "127.0.0.1:5002", "req-2", "POST", "/hook", headers, "d-1", "high"),
                ReplyMessage.http(200, "OK", headers),
                ReplyMessage.tcpAccepted());
    }

    @Provide
    Arbitrary<JsonNode> values() {
        Arbitrary<JsonNode> scalars = Arbitraries.of(NODES.nullNode(), NODES.booleanNode(true), NODES.numberNode(-1),
                NODES.numberNode(Long.MAX_VALUE), NODES.numberNode(1e308), NODES.numberNode(new java.math.BigInteger("9".repeat(40))),
                NODES.textNode(""), NODES.textNode("\u0000"), NODES.textNode("x".repeat(70_000)), NODES.objectNode(), NODES.arrayNode(),
                NODES.arrayNode().addNull(), NODES.arrayNode().add("only-name"), NODES.arrayNode().add(1).add(2).add(3));
        return Arbitraries.oneOf(scalars, Arbitraries.strings().ofMaxLength(20).map(NODES::textNode),
                Arbitraries.integers().map(NODES::numberNode));
    }

    @Provide
    Arbitrary<JsonNode> versionLists() {
        Arbitrary<JsonNode> element = Arbitraries.oneOf(Arbitraries.just(NODES.nullNode()), Arbitraries.integers().map(NODES::numberNode),
                Arbitraries.of(NODES.textNode("1"), NODES.textNode("v1"), NODES.booleanNode(false), NODES.numberNode(1.5),
                        NODES.numberNode(new java.math.BigInteger("4294967297")), NODES.arrayNode().add(1), NODES.objectNode()));
        Arbitrary<JsonNode> list = element.list().ofMaxSize(6).map(l -> {
            ArrayNode a = NODES.arrayNode();
            l.forEach(a::add);
            return a;
        });
        return Arbitraries.oneOf(list, element);
    }

    @Provide
    Arbitrary<Integer> indexes() {
        return Arbitraries.integers().between(0, 1000);
    }

    /** A change to a valid message's bytes. */
    interface Mutation {
        byte[] apply(byte[] json);
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        Arbitrary<Integer> at = Arbitraries.integers().between(0, Integer.MAX_VALUE);
        Arbitrary<Mutation> flip = Combinators.combine(at, Arbitraries.bytes()).as((i, b) -> j -> {
            byte[] c = j.clone();
            c[i % c.length] = b;
            return c;
        });
        Arbitrary<Mutation> cut = at.map(i -> j -> java.util.Arrays.copyOf(j, i % (j.length + 1)));
        Arbitrary<Mutation> insert = Combinators.combine(at, Arbitraries.of("{", "}", "[", "]", "\"", ":", ",", "null", "\\", "\u0000", "1e999"))
                .as((i, s) -> j -> {
                    String t = new String(j, StandardCharsets.UTF_8);
                    int p = i % (t.length() + 1);
                    return (t.substring(0, p) + s + t.substring(p)).getBytes(StandardCharsets.UTF_8);
                });
        Arbitrary<Mutation> nest = Arbitraries.integers().between(1, 5000).map(depth -> j -> ("[".repeat(depth) + new String(j, StandardCharsets.UTF_8)
                + "]".repeat(depth)).getBytes(StandardCharsets.UTF_8));
        Arbitrary<Mutation> duplicate = Arbitraries.just(j -> {
            String t = new String(j, StandardCharsets.UTF_8);
            return t.length() < 2 ? j : (t.substring(0, t.length() - 1) + "," + t.substring(1)).getBytes(StandardCharsets.UTF_8);
        });
        return Arbitraries.oneOf(flip, cut, insert, nest, duplicate);
    }
}

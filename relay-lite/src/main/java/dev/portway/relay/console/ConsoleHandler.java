package dev.portway.relay.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portway.relay.admin.Actor;
import dev.portway.relay.auth.LoginThrottle;
import dev.portway.relay.store.IdentityRecords;
import dev.portway.relay.store.IdentityStore;
import dev.portway.relay.store.StoreException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * One console connection: pages and static files are answered on the event loop (from memory); API calls
 * are checked here (route, session cookie, CSRF token, JSON content type, same origin) and then run on the
 * console's blocking pool, which writes the answer back. Every answer carries a strict Content-Security-Policy.
 */
final class ConsoleHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    static final String CSRF_HEADER = "X-CSRF-Token";
    private static final Logger log = LoggerFactory.getLogger(ConsoleHandler.class);
    /** camelCase JSON, as docs/console-openapi.yaml says (the protocol's shared mapper writes snake_case). */
    static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();

    private final Router router;
    private final ConsoleSessions sessions;
    private final IdentityStore store;
    private final StaticFiles files;
    private final ExecutorService blocking;

    ConsoleHandler(Router router, ConsoleSessions sessions, IdentityStore store, StaticFiles files, ExecutorService blocking) {
        this.router = router;
        this.sessions = sessions;
        this.store = store;
        this.files = files;
        this.blocking = blocking;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (!req.decoderResult().isSuccess()) {
            write(ctx, json(400, Map.of("error", "That request could not be read as HTTP.")), false);
            return;
        }
        QueryStringDecoder q = new QueryStringDecoder(req.uri(), StandardCharsets.UTF_8);
        // Routes match the raw path: a parameter may hold an encoded '/' (an SSH fingerprint's base64).
        String path = q.rawPath();
        String method = req.method().name();
        if (!path.startsWith("/api/")) {
            write(ctx, files.answer(method, path, ctx.alloc()), keepAlive);
            return;
        }
        Router.Match m = router.match(method, path);
        if (m == null) {
            write(ctx, router.pathKnown(path) ? json(405, Map.of("error", method + " is not allowed on " + path + "."))
                    : json(404, Map.of("error", "No API at " + path + " — see docs/console-openapi.yaml.")), keepAlive);
            return;
        }
        String origin = req.headers().get(HttpHeaderNames.ORIGIN);
        String host = req.headers().get(HttpHeaderNames.HOST);
        if (origin != null && !sameSite(origin, host)) {
            write(ctx, json(403, Map.of("error", "Requests from another site are refused.")), keepAlive);
            return;
        }
        boolean changes = !method.equals("GET");
        JsonNode body = MAPPER.createObjectNode();
        if (changes && req.content().isReadable()) {
            String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
            if (!type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
                write(ctx, json(415, Map.of("error", "Send the request body as application/json.")), keepAlive);
                return;
            }
            try {
                body = MAPPER.readTree(req.content().toString(StandardCharsets.UTF_8));
            } catch (Exception e) {
                write(ctx, json(400, Map.of("error", "The request body is not valid JSON.")), keepAlive);
                return;
            }
            if (body == null || !body.isObject()) {
                write(ctx, json(400, Map.of("error", "The request body must be a JSON object.")), keepAlive);
                return;
            }
        }
        ConsoleSessions.Session session = sessions.find(req.headers().get(HttpHeaderNames.COOKIE));
        Router.Access access = m.route().access();
        if (access != Router.Access.PUBLIC) {
            if (session == null) {
                write(ctx, json(401, Map.of("error", "Sign in first.")), keepAlive);
                return;
            }
            if (changes && !session.csrfMatches(req.headers().get(CSRF_HEADER))) {
                write(ctx, json(403, Map.of("error", "The CSRF token is missing or wrong — reload the page and try again.")), keepAlive);
                return;
            }
        }
        Map<String, String> query = new LinkedHashMap<>();
        q.parameters().forEach((k, v) -> query.put(k, v.isEmpty() ? "" : v.get(0)));
        String remote = LoginThrottle.addressKey(ctx.channel().remoteAddress());
        JsonNode b = body;
        try {
            blocking.execute(() -> write(ctx, run(m, session, query, b, remote), keepAlive));
        } catch (RejectedExecutionException e) {
            write(ctx, json(503, Map.of("error", "The console is busy — try again in a moment.")), keepAlive);
        }
    }

    /**
     * Whether a browser's {@code Origin} names this console: its host and port equal the {@code Host} header.
     * The scheme is not compared: behind a reverse proxy that ends TLS the browser's origin is https while the
     * console speaks http.
     */
    static boolean sameSite(String origin, String host) {
        if (host == null) {
            return false;
        }
        int scheme = origin.indexOf("://");
        return scheme > 0 && origin.substring(scheme + 3).equalsIgnoreCase(host);
    }

    /** On the blocking pool: who asks (read from the store each time), then the handler. */
    private FullHttpResponse run(Router.Match m, ConsoleSessions.Session session, Map<String, String> query, JsonNode body, String remote) {
        try {
            Actor actor = null;
            if (m.route().access() != Router.Access.PUBLIC) {
                Optional<IdentityRecords.User> u = store.user(session.user());
                if (u.isEmpty() || u.get().disabled()) {
                    sessions.end(session);
                    return json(401, Map.of("error", "Your account was disabled or deleted — ask an admin."));
                }
                actor = new Actor(u.get().name(), u.get().role());
                if (m.route().access() == Router.Access.ADMIN && !actor.admin()) {
                    return json(403, Map.of("error", "Only an admin may do this."));
                }
            }
            ApiResult r = m.route().handler().handle(new ApiCall(actor, m.params(), query, body, remote, session));
            FullHttpResponse res = json(r.status(), r.body());
            if (r.setCookie() != null) {
                res.headers().add(HttpHeaderNames.SET_COOKIE, r.setCookie());
            }
            if (r.status() == 429 && r.body() instanceof Map<?, ?> map && map.get("retryAfterSeconds") != null) {
                res.headers().set(HttpHeaderNames.RETRY_AFTER, String.valueOf(map.get("retryAfterSeconds")));
            }
            return res;
        } catch (Actor.NotYours e) {
            return json(404, Map.of("error", e.getMessage()));
        } catch (Actor.Forbidden e) {
            return json(403, Map.of("error", e.getMessage()));
        } catch (IllegalArgumentException e) {
            return json(400, Map.of("error", e.getMessage()));
        } catch (StoreException e) {
            log.warn("Console: the store failed: {}", e.getMessage());
            return json(503, Map.of("error", "The relay's database is not answering — try again in a moment."));
        } catch (Exception e) {
            log.warn("Console: {} {} failed", m.route().method(), m.route().template(), e);
            return json(500, Map.of("error", "Something went wrong in the relay; its log has the details."));
        }
    }

    static FullHttpResponse json(int status, Object body) {
        byte[] bytes;
        try {
            bytes = MAPPER.writeValueAsBytes(body);
        } catch (Exception e) {
            bytes = "{\"error\":\"The answer could not be written as JSON.\"}".getBytes(StandardCharsets.UTF_8);
            status = 500;
        }
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(bytes));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return res;
    }

    /** Any thread: adds the security headers and writes. */
    static void write(ChannelHandlerContext ctx, FullHttpResponse res, boolean keepAlive) {
        var h = res.headers();
        h.set("Content-Security-Policy", CSP);
        h.set("X-Content-Type-Options", "nosniff");
        h.set("X-Frame-Options", "DENY");
        h.set("Referrer-Policy", "no-referrer");
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
        if (keepAlive) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(res);
        } else {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("Console connection failed: {}", cause.toString());
        ctx.close();
    }
}

package dev.portway.relay.console;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The pages and the static files (the console's script and style, uPlot from its webjar), all read into
 * memory once at start: answering them never touches the disk, so it runs on the event loop. A fixed set:
 * anything else is 404.
 */
final class StaticFiles {
    private static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";

    private record File(byte[] bytes, String type) {
    }

    private final Map<String, File> files = new HashMap<>();

    StaticFiles() {
        put("/static/app.js", "console/app.js", "text/javascript; charset=utf-8");
        put("/static/console.css", "console/console.css", "text/css; charset=utf-8");
        put("/static/uplot/uPlot.esm.js", UPLOT + "uPlot.esm.js", "text/javascript; charset=utf-8");
        put("/static/uplot/uPlot.min.css", UPLOT + "uPlot.min.css", "text/css; charset=utf-8");
        for (Pages.Page p : Pages.PAGES.values()) {
            html(p.path(), Pages.render(p));
        }
        html("/", Pages.render(Pages.PAGES.get("/me")).replace("data-page=\"me\"", "data-page=\"home\""));
        html("/login", Pages.login());
        html("/invite", Pages.invite());
    }

    private void put(String path, String resource, String type) {
        try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("The console resource " + resource + " is missing from the jar.");
            }
            files.put(path, new File(in.readAllBytes(), type));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the console resource " + resource, e);
        }
    }

    private void html(String path, String html) {
        files.put(path, new File(html.getBytes(StandardCharsets.UTF_8), "text/html; charset=utf-8"));
    }

    FullHttpResponse answer(String method, String path, ByteBufAllocator alloc) {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return ConsoleHandler.json(405, Map.of("error", "Pages are only read (GET)."));
        }
        // Invite links carry their secret in the path: one page serves them all.
        File f = files.get(path.startsWith("/invite/") ? "/invite" : path);
        if (f == null) {
            return ConsoleHandler.json(404, Map.of("error", "No page at " + path + "."));
        }
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                method.equals("HEAD") ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(f.bytes()));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, f.type());
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, f.type().startsWith("text/html") ? "no-store" : "max-age=300");
        return res;
    }
}

package dev.portway.relay;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portway.shared.protocol.Json;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.util.List;

/** A browser-like client of the web console's JSON API: keeps the session cookie and the CSRF token. */
final class ConsoleClient {
    private static final OkHttpClient HTTP = new OkHttpClient.Builder().followRedirects(false).build();
    private static final MediaType JSON = MediaType.get("application/json");

    /** One answer: status, headers of interest, JSON body. */
    record Answer(int status, JsonNode body, List<String> setCookies, okhttp3.Headers headers) {
        String error() {
            return body.path("error").asText();
        }
    }

    final String base;
    String cookie;
    String csrf;

    ConsoleClient(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    /** Signs in; on success keeps the cookie and CSRF token. */
    Answer signIn(String user, String password) {
        Answer a = send("POST", "/api/session", "{\"user\":" + q(user) + ",\"password\":" + q(password) + "}", true);
        if (a.status() == 200) {
            cookie = a.setCookies().get(0).split(";", 2)[0];
            csrf = a.body().get("csrfToken").asText();
        }
        return a;
    }

    Answer get(String path) {
        return send("GET", path, null, true);
    }

    Answer post(String path, String json) {
        return send("POST", path, json, true);
    }

    Answer patch(String path, String json) {
        return send("PATCH", path, json, true);
    }

    Answer put(String path, String json) {
        return send("PUT", path, json, true);
    }

    Answer delete(String path) {
        return send("DELETE", path, null, true);
    }

    Answer delete(String path, String json) {
        return send("DELETE", path, json, true);
    }

    /** @param withCsrf whether to send the session's CSRF token */
    Answer send(String method, String path, String json, boolean withCsrf) {
        return send(method, path, json, withCsrf ? csrf : null);
    }

    Answer send(String method, String path, String json, String csrfToken) {
        Request.Builder b = new Request.Builder().url(base + path);
        RequestBody body = json == null ? (method.equals("GET") ? null : RequestBody.create(new byte[0])) : RequestBody.create(json, JSON);
        b.method(method, body);
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (csrfToken != null) {
            b.header("X-CSRF-Token", csrfToken);
        }
        try (Response r = HTTP.newCall(b.build()).execute()) {
            String text = r.body().string();
            String type = r.header("Content-Type", "");
            JsonNode node = text.isEmpty() ? Json.MAPPER.createObjectNode()
                    : type.startsWith("application/json") ? Json.MAPPER.readTree(text)
                    : Json.MAPPER.createObjectNode().put("error", text); // not the console (the visitors' port)
            return new Answer(r.code(), node, r.headers("Set-Cookie"), r.headers());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String q(String s) {
        try {
            return Json.MAPPER.writeValueAsString(s);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}

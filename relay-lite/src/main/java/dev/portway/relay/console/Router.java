package dev.portway.relay.console;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The console's API routes: method, path template ({@code /api/users/{name}}) and who may call it. The
 * templates are the ones of docs/console-openapi.yaml (a test checks both ways). Immutable after building.
 */
final class Router {
    /** Who may call a route. */
    enum Access {
        /** No session needed (sign-in, invite links). */
        PUBLIC,
        /** Any signed-in user; the services scope what they see to their own. */
        USER,
        /** Admins only. */
        ADMIN
    }

    @FunctionalInterface
    interface Handler {
        ApiResult handle(ApiCall call) throws Exception;
    }

    record Route(String method, String template, Access access, Handler handler, Pattern pattern, List<String> names) {
    }

    /** A matched route and its path parameters. */
    record Match(Route route, Map<String, String> params) {
    }

    private static final Pattern PARAM = Pattern.compile("\\{([a-zA-Z]+)}");
    private final List<Route> routes = new ArrayList<>();

    Router add(String method, String template, Access access, Handler handler) {
        Matcher m = PARAM.matcher(template);
        StringBuilder re = new StringBuilder();
        List<String> names = new ArrayList<>();
        int last = 0;
        while (m.find()) {
            re.append(Pattern.quote(template.substring(last, m.start()))).append("([^/]+)");
            names.add(m.group(1));
            last = m.end();
        }
        re.append(Pattern.quote(template.substring(last)));
        routes.add(new Route(method, template, access, handler, Pattern.compile(re.toString()), List.copyOf(names)));
        return this;
    }

    List<Route> routes() {
        return List.copyOf(routes);
    }

    /** @return the match, or null when no route has this path; {@code methodKnown} tells 404 from 405 */
    Match match(String method, String path) {
        for (Route r : routes) {
            Matcher m = r.pattern().matcher(path);
            if (m.matches() && r.method().equals(method)) {
                Map<String, String> params = new LinkedHashMap<>();
                for (int i = 0; i < r.names().size(); i++) {
                    params.put(r.names().get(i), decode(m.group(i + 1)));
                }
                return new Match(r, params);
            }
        }
        return null;
    }

    /** Percent-decoding of one path segment; a literal '+' stays a '+' (it is no space in a path). */
    static String decode(String segment) {
        try {
            return java.net.URLDecoder.decode(segment.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return segment; // a stray '%': matched as typed, and then unknown
        }
    }

    /** Whether some route has this path with another method (405 rather than 404). */
    boolean pathKnown(String path) {
        return routes.stream().anyMatch(r -> r.pattern().matcher(path).matches());
    }
}

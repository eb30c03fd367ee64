package dev.portway.desktop.ui.profiles;

import dev.portway.desktop.profiles.Profile;
import dev.portway.shared.protocol.Protocol;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The profile form's "Response rewriting" fields (PROTOCOL.md §4.1) and how they map to the profile's bind options:
 * {@code rewrite_redirects=off} and {@code rewrite_cookies=off} only when unticked (the relay rewrites by default),
 * {@code strip_headers=Server,X-Powered-By} when "hide" is ticked. Other options are kept. FX thread only.
 */
public final class RewriteFields {
    static final String SERVER_HEADERS = "Server,X-Powered-By";
    private final BooleanProperty redirects = new SimpleBooleanProperty(true);
    private final BooleanProperty cookies = new SimpleBooleanProperty(true);
    private final BooleanProperty hideServer = new SimpleBooleanProperty(false);

    RewriteFields(Map<String, String> options) {
        redirects.set(!"off".equals(options.get(Protocol.OPTION_REWRITE_REDIRECTS)));
        cookies.set(!"off".equals(options.get(Protocol.OPTION_REWRITE_COOKIES)));
        hideServer.set(options.containsKey(Protocol.OPTION_STRIP_HEADERS));
    }

    /** {@code base} with these fields' options set or removed (http only; other kinds lose them). */
    Map<String, String> applyTo(Map<String, String> base, Profile.Kind kind) {
        Map<String, String> o = new LinkedHashMap<>(base);
        o.remove(Protocol.OPTION_REWRITE_REDIRECTS);
        o.remove(Protocol.OPTION_REWRITE_COOKIES);
        String strip = o.remove(Protocol.OPTION_STRIP_HEADERS);
        if (kind != Profile.Kind.HTTP) {
            return o;
        }
        if (!redirects.get()) {
            o.put(Protocol.OPTION_REWRITE_REDIRECTS, "off");
        }
        if (!cookies.get()) {
            o.put(Protocol.OPTION_REWRITE_COOKIES, "off");
        }
        if (hideServer.get()) {
            o.put(Protocol.OPTION_STRIP_HEADERS, strip != null ? strip : SERVER_HEADERS); // a hand-made list is kept
        }
        return o;
    }

    public BooleanProperty redirectsProperty() {
        return redirects;
    }

    public BooleanProperty cookiesProperty() {
        return cookies;
    }

    public BooleanProperty hideServerProperty() {
        return hideServer;
    }
}

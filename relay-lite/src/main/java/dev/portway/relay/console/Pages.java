package dev.portway.relay.console;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The console's pages, rendered on the server: the frame (navigation, theme switch) and each page's forms and
 * empty tables; {@code /static/app.js} (an ES module, no inline script: the CSP forbids it) fills them from the
 * JSON API. The same page serves an admin (everything) and a user (their own, as the API scopes it).
 */
final class Pages {
    /** Path, title and whether only admins see it in the navigation. */
    record Page(String path, String title, boolean adminOnly, String body) {
    }

    static final Map<String, Page> PAGES = new LinkedHashMap<>();

    static {
        add("/overview", "Overview", true, """
                <section class="cards" id="cards"></section>
                <section class="charts">
                  <figure><figcaption>Requests per second</figcaption><div class="chart" id="chart-rps"></div></figure>
                  <figure><figcaption>Clients, tunnels and SSH sessions</figcaption><div class="chart" id="chart-live"></div></figure>
                  <figure><figcaption>Queued requests</figcaption><div class="chart" id="chart-queue"></div></figure>
                  <figure><figcaption>Errors by category (total)</figcaption><div class="chart" id="chart-errors"></div></figure>
                </section>""");
        add("/me", "My account", false, """
                <section class="cards" id="cards"></section>
                <h2>Password</h2>
                <form id="password-form" class="row">
                  <label>Current password <input type="password" name="currentPassword" autocomplete="current-password" required></label>
                  <label>New password <input type="password" name="password" autocomplete="new-password" minlength="10" required></label>
                  <button type="submit">Change password</button>
                </form>""");
        add("/nodes", "Nodes", true, table("nodes", "Node", "Address", "Version", "Health", "Lease until", "Clients", "Tunnels", "Up since"));
        add("/users", "Users", true, """
                <form id="user-form" class="row">
                  <label>Name <input name="name" required pattern="[a-z0-9][a-z0-9._-]{0,62}" autocomplete="off"></label>
                  <label>Tier <select name="tier"><option>free</option><option>premium</option><option>enterprise</option></select></label>
                  <label>Role <select name="role"><option>user</option><option>admin</option></select></label>
                  <button type="submit">Add user</button>
                </form>
                <div id="notice" class="notice" hidden></div>
                """ + table("users", "User", "Tier", "Role", "State", "Password", "Created", ""));
        add("/tokens", "Tokens", false, """
                <form id="token-form" class="row">
                  <label>User <input name="user" required autocomplete="off"></label>
                  <label>Label <input name="label" placeholder="laptop" autocomplete="off"></label>
                  <button type="submit">Create token</button>
                </form>
                <div id="secret" class="notice" hidden></div>
                """ + table("tokens", "Id", "User", "Label", "State", "Created", ""));
        add("/names", "Reserved names", false, """
                <form id="name-form" class="row admin-only">
                  <label>User <input name="user" required autocomplete="off"></label>
                  <label>Name <input name="name" required autocomplete="off"></label>
                  <button type="submit">Reserve</button>
                </form>
                """ + table("names", "Name", "User", ""));
        add("/keys", "SSH keys", false, """
                <form id="key-form" class="row">
                  <label>User <input name="user" required autocomplete="off"></label>
                  <label class="wide">Public key line <input name="line" required placeholder="ssh-ed25519 AAAA... you@host" autocomplete="off"></label>
                  <button type="submit">Add key</button>
                </form>
                """ + table("keys", "Fingerprint", "User", "Type", "Comment", "Added", ""));
        add("/tunnels", "Live tunnels", false, table("tunnels", "Tunnel", "Kind", "User", "Client", "Since", "Streams", "Requests", "In", "Out", "")
                + "<h2>Client sessions</h2>" + table("sessions", "Session", "User", "Token", "Client", "Since", "Tunnels", ""));
        add("/queues", "Queues", false, "<div id=\"notice\" class=\"notice\" hidden></div>" + table("queues", "Tunnel", "User", "Requests", "Bytes", "Oldest", "Level", ""));
        add("/audit", "Audit log", false, """
                <form id="audit-form" class="row">
                  <label>User <input name="user" autocomplete="off"></label>
                  <label>Event <select name="event"><option value="">any</option><option>admin</option><option>auth_success</option>
                    <option>auth_failure</option><option>connect</option><option>disconnect</option><option>bind</option>
                    <option>bind_refused</option><option>unbind</option><option>limit</option></select></label>
                  <button type="submit">Filter</button>
                </form>
                """ + table("audit", "Time", "Event", "User", "Details") + """
                <p><button id="audit-more" type="button" hidden>Older entries</button></p>""");
        add("/config", "Configuration", true, table("config", "Setting", "Value"));
    }

    private static void add(String path, String title, boolean adminOnly, String body) {
        PAGES.put(path, new Page(path, title, adminOnly, body));
    }

    private static String table(String id, String... heads) {
        StringBuilder s = new StringBuilder("<div class=\"table\"><table id=\"").append(id).append("\"><thead><tr>");
        for (String h : heads) {
            s.append("<th>").append(h).append("</th>");
        }
        return s.append("</tr></thead><tbody></tbody></table></div>").toString();
    }

    /** A page inside the frame. */
    static String render(Page page) {
        StringBuilder nav = new StringBuilder();
        for (Page p : PAGES.values()) {
            nav.append("<a href=\"").append(p.path()).append("\"").append(p.adminOnly() ? " class=\"admin-only\"" : "")
                    .append(p == page ? " aria-current=\"page\"" : "").append(">").append(p.title()).append("</a>");
        }
        return head(page.title(), page.path().substring(1)) + """
                <header><a class="brand" href="/">Portway relay</a><nav>%s</nav>
                <span class="who"><span id="who"></span><button id="theme" type="button" title="Light or dark">◐</button>
                <button id="signout" type="button">Sign out</button></span></header>
                <main><h1>%s</h1><div id="error" class="error" role="alert" hidden></div>%s</main></body></html>
                """.formatted(nav, page.title(), page.body());
    }

    static String login() {
        return head("Sign in", "login") + """
                <main class="narrow"><h1>Portway relay console</h1>
                <form id="login-form" class="stack">
                  <label>User <input name="user" autocomplete="username" required autofocus></label>
                  <label>Password <input type="password" name="password" autocomplete="current-password" required></label>
                  <button type="submit">Sign in</button>
                </form><div id="error" class="error" role="alert" hidden></div>
                <p class="hint">No password yet? Ask an admin for an invite link, or run <code>relay-lite users passwd NAME</code> on the server.</p>
                </main></body></html>
                """;
    }

    static String invite() {
        return head("Choose a password", "invite") + """
                <main class="narrow"><h1>Choose your console password</h1><p id="invite-user"></p>
                <form id="invite-form" class="stack">
                  <label>New password <input type="password" name="password" autocomplete="new-password" minlength="10" required></label>
                  <label>Again <input type="password" name="again" autocomplete="new-password" minlength="10" required></label>
                  <button type="submit">Set password</button>
                </form><div id="error" class="error" role="alert" hidden></div></main></body></html>
                """;
    }

    private static String head(String title, String page) {
        return """
                <!doctype html><html lang="en"><head><meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <title>%s · Portway relay</title>
                <link rel="stylesheet" href="/static/uplot/uPlot.min.css"><link rel="stylesheet" href="/static/console.css">
                <script type="module" src="/static/app.js"></script></head><body data-page="%s">
                """.formatted(title, page);
    }
}

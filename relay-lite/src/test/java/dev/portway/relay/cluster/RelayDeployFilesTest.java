package dev.portway.relay.cluster;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cluster's deployment files under installers/relay, which cannot run here (no Docker, no Kubernetes): parsed as
 * YAML and checked for their wiring — the names, ports, probes and selectors that must agree with each other, with
 * haproxy.cfg and with the relay's options. (haproxy.cfg itself is checked by {@code haproxy -c} in HaproxyFrontIT.)
 */
class RelayDeployFilesTest {
    static final Path DIR = Path.of("..", "installers", "relay");

    @Test
    @SuppressWarnings("unchecked")
    void composeRunsThreeNodesOnOnePostgresBehindHaproxyWithTheSameCfg() throws Exception {
        Map<String, Object> compose = new Yaml().load(Files.readString(DIR.resolve("compose.yaml")));
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        assertThat(services).containsKeys("postgres", "relay-a", "relay-b", "relay-c", "haproxy");
        Set<String> nodeIds = new HashSet<>();
        Set<String> dbs = new HashSet<>();
        for (String relay : List.of("relay-a", "relay-b", "relay-c")) {
            Map<String, Object> env = (Map<String, Object>) services.get(relay).get("environment");
            nodeIds.add((String) env.get("PORTWAY_NODE_ID"));
            dbs.add((String) env.get("PORTWAY_DB"));
            assertThat(env.get("PORTWAY_CLUSTER_ADDRESS")).as(relay + " is reached by the other nodes at its name")
                    .isEqualTo(relay + ":7443");
            assertThat(env.get("PORTWAY_NODE_ID")).isEqualTo(relay);
            assertThat(env).containsKeys("PORTWAY_TOKEN", "PORTWAY_CLUSTER_SECRET", "PORTWAY_DB_USER", "PORTWAY_DB_PASSWORD");
            assertThat(env.get("PORTWAY_PORT")).isEqualTo("80");
            assertThat(env.get("PORTWAY_TCP_PORTS")).as("the range HAProxy forwards").isEqualTo("20000-20099");
            assertThat(env.get("PORTWAY_PROXY_PROTOCOL")).as("HAProxy sends PROXY v2 headers").isEqualTo("true");
            assertThat((Map<String, Object>) services.get(relay).get("depends_on")).containsKey("postgres");
            assertThat(services.get(relay).get("ports")).as("relays are reached through HAProxy only").isNull();
        }
        assertThat(nodeIds).hasSize(3);
        assertThat(dbs).containsExactly("jdbc:postgresql://postgres:5432/portway");
        Map<String, Object> haproxy = services.get("haproxy");
        Map<String, Object> lbEnv = (Map<String, Object>) haproxy.get("environment");
        assertThat(lbEnv).containsEntry("RELAY_A", "relay-a:80").containsEntry("RELAY_B", "relay-b:80")
                .containsEntry("RELAY_C", "relay-c:80");
        assertThat((List<String>) haproxy.get("volumes")).contains("./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro");
        assertThat((List<String>) haproxy.get("ports")).containsExactly("80:80", "20000-20099:20000-20099");
        assertThat(lbEnv.get("PORTWAY_LB_BIND")).isEqualTo(":80");
        assertThat(lbEnv.get("PORTWAY_LB_TCP_BIND")).isEqualTo(":20000-20099");
        assertThat(lbEnv).containsEntry("RELAY_A_HOST", "relay-a").containsEntry("RELAY_B_HOST", "relay-b")
                .containsEntry("RELAY_C_HOST", "relay-c");
        // every variable the compose file sets for HAProxy is one haproxy.cfg reads
        String cfg = Files.readString(DIR.resolve("haproxy.cfg"));
        Set<String> used = new HashSet<>();
        Matcher m = Pattern.compile("\"\\$\\{([A-Z_]+)}\"").matcher(cfg);
        while (m.find()) {
            used.add(m.group(1));
        }
        assertThat(used).containsAll(lbEnv.keySet());
        for (String v : used) {
            assertThat(cfg).as("a default for " + v).containsPattern("presetenv " + v + " \\S+");
        }
        // every server line (both backends) opens its connections and health checks with the visitor's PROXY header
        Matcher servers = Pattern.compile("(?m)^\\s*default-server .*$").matcher(cfg);
        int defaults = 0;
        while (servers.find()) {
            defaults++;
            assertThat(servers.group()).contains("send-proxy-v2");
        }
        assertThat(defaults).isEqualTo(2);
        assertThat(cfg).contains("check-send-proxy");
        assertThat(cfg).contains("mode tcp").contains("uri /api/tunnel/health").contains("expect status 200")
                .contains("timeout tunnel 1h");
    }

    @Test
    @SuppressWarnings("unchecked")
    void kubernetesDeploymentServiceAndBudgetAgreeOnLabelsPortsAndProbes() throws Exception {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object d : new Yaml().loadAll(Files.readString(DIR.resolve("k8s").resolve("relay.yaml")))) {
            docs.add((Map<String, Object>) d);
        }
        Map<String, Map<String, Object>> byKind = new java.util.HashMap<>();
        docs.forEach(d -> byKind.put((String) d.get("kind"), d));
        assertThat(byKind).containsOnlyKeys("Deployment", "Service", "PodDisruptionBudget");

        Map<String, Object> spec = (Map<String, Object>) byKind.get("Deployment").get("spec");
        int replicas = (Integer) spec.get("replicas");
        assertThat(replicas).isGreaterThanOrEqualTo(2);
        Map<String, Object> selector = (Map<String, Object>) ((Map<String, Object>) spec.get("selector")).get("matchLabels");
        Map<String, Object> template = (Map<String, Object>) spec.get("template");
        Map<String, Object> podLabels = (Map<String, Object>) ((Map<String, Object>) template.get("metadata")).get("labels");
        assertThat(podLabels).containsAllEntriesOf(selector);
        Map<String, Object> container = ((List<Map<String, Object>>) ((Map<String, Object>) template.get("spec"))
                .get("containers")).getFirst();
        Map<String, Integer> ports = new java.util.HashMap<>();
        for (Map<String, Object> p : (List<Map<String, Object>>) container.get("ports")) {
            ports.put((String) p.get("name"), (Integer) p.get("containerPort"));
        }
        Map<String, Object> env = new java.util.LinkedHashMap<>();
        for (Map<String, Object> e : (List<Map<String, Object>>) container.get("env")) {
            env.put((String) e.get("name"), e.containsKey("value") ? e.get("value") : e.get("valueFrom"));
        }
        assertThat(env.get("PORTWAY_PORT")).isEqualTo(String.valueOf(ports.get("http")));
        assertThat(env.get("PORTWAY_CLUSTER_ADDRESS")).isEqualTo("$(POD_IP):" + ports.get("cluster"));
        assertThat(env.get("PORTWAY_NODE_ID")).isEqualTo("$(POD_NAME)");
        List<String> names = new ArrayList<>(env.keySet());
        assertThat(names.indexOf("POD_NAME")).as("defined before it is used").isLessThan(names.indexOf("PORTWAY_NODE_ID"));
        assertThat(names.indexOf("POD_IP")).isLessThan(names.indexOf("PORTWAY_CLUSTER_ADDRESS"));
        assertThat(env).containsKeys("PORTWAY_DB", "PORTWAY_TOKEN", "PORTWAY_CLUSTER_SECRET", "PORTWAY_DB_PASSWORD");
        assertThat((String) env.get("PORTWAY_DB")).startsWith("jdbc:postgresql://");

        Map<String, Object> readiness = (Map<String, Object>) ((Map<String, Object>) container.get("readinessProbe")).get("httpGet");
        assertThat(readiness).containsEntry("path", "/api/tunnel/health").containsEntry("port", "http");
        assertThat((Map<String, Object>) container.get("livenessProbe")).as("a database outage must not restart every relay")
                .doesNotContainKey("httpGet");

        Map<String, Object> service = (Map<String, Object>) byKind.get("Service").get("spec");
        assertThat((Map<String, Object>) service.get("selector")).isEqualTo(selector);
        List<Map<String, Object>> servicePorts = (List<Map<String, Object>>) service.get("ports");
        assertThat(servicePorts).extracting(p -> p.get("targetPort")).containsExactly("http");

        Map<String, Object> pdb = (Map<String, Object>) byKind.get("PodDisruptionBudget").get("spec");
        assertThat((Map<String, Object>) ((Map<String, Object>) pdb.get("selector")).get("matchLabels")).isEqualTo(selector);
        assertThat((Integer) pdb.get("maxUnavailable")).isBetween(1, replicas - 1);
    }
}

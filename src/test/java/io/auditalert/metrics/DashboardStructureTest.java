package io.auditalert.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Structural check of packaging/grafana/auditalert.json, after the dashboard-linter's rules. No Grafana
 * server can run on the build machines (none is packaged), so rendering is not tested; the PromQL is run
 * against a real Prometheus in {@link PrometheusScrapeTest}.
 */
class DashboardStructureTest {
    @Test
    @SuppressWarnings("unchecked")
    void dashboardShouldFollowTheModernSchemaWithADatasourceVariable() throws Exception {
        Dashboard d = Dashboard.load();
        assertThat(d.root.get("schemaVersion")).isInstanceOf(Integer.class);
        assertThat((Integer) d.root.get("schemaVersion")).isGreaterThanOrEqualTo(38);
        assertThat(d.root.get("uid")).isEqualTo("auditalert");
        assertThat((String) d.root.get("title")).isNotBlank();
        List<Map<String, Object>> vars = (List<Map<String, Object>>) ((Map<String, Object>) d.root.get("templating")).get("list");
        assertThat(vars).anySatisfy(v -> {
            assertThat(v.get("name")).isEqualTo("datasource");
            assertThat(v.get("type")).isEqualTo("datasource");
            assertThat(v.get("query")).isEqualTo("prometheus");
        });
        assertThat(vars).extracting(v -> v.get("name")).contains("job", "instance");
    }

    @Test
    @SuppressWarnings("unchecked")
    void countsOverTheTimeRangeShouldShowNoFractions() throws Exception {
        // increase() extrapolates to the range's edges: 3.32 alerts, 130.88 parse errors
        int checked = 0;
        for (Map<String, Object> p : Dashboard.load().panels()) {
            List<Map<String, Object>> targets = (List<Map<String, Object>>) p.getOrDefault("targets", List.of());
            if (targets.stream().anyMatch(t -> String.valueOf(t.get("expr")).contains("[$__range])"))) {
                Map<String, Object> defaults = (Map<String, Object>) ((Map<String, Object>) p.get("fieldConfig")).get("defaults");
                assertThat(defaults.get("decimals")).as("decimals of " + p.get("title")).isEqualTo(0);
                checked++;
            }
        }
        assertThat(checked).isGreaterThanOrEqualTo(3);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyPanelShouldHaveAUniqueIdTitleDescriptionUnitAndAPlaceOnTheGrid() throws Exception {
        Dashboard d = Dashboard.load();
        Set<Object> ids = new HashSet<>();
        List<int[]> boxes = new ArrayList<>();
        for (Map<String, Object> p : d.panels()) {
            String title = String.valueOf(p.get("title"));
            assertThat(ids.add(p.get("id"))).as("unique id of " + title).isTrue();
            assertThat(title).isNotBlank();
            Map<String, Object> g = (Map<String, Object>) p.get("gridPos");
            assertThat(g).as("gridPos of " + title).containsKeys("h", "w", "x", "y");
            int x = (Integer) g.get("x");
            int y = (Integer) g.get("y");
            int w = (Integer) g.get("w");
            int h = (Integer) g.get("h");
            assertThat(x + w).as("x + w of " + title).isLessThanOrEqualTo(24);
            for (int[] b : boxes) {
                boolean overlap = x < b[0] + b[2] && b[0] < x + w && y < b[1] + b[3] && b[1] < y + h;
                assertThat(overlap).as(title + " overlaps another panel").isFalse();
            }
            boxes.add(new int[] {x, y, w, h});
            if ("row".equals(p.get("type"))) {
                continue;
            }
            assertThat((String) p.get("description")).as("description of " + title).isNotBlank();
            assertThat(p.get("datasource")).as("datasource of " + title)
                    .isEqualTo(Map.of("type", "prometheus", "uid", "${datasource}"));
            Map<String, Object> defaults = (Map<String, Object>) ((Map<String, Object>) p.get("fieldConfig")).get("defaults");
            assertThat((String) defaults.get("unit")).as("unit of " + title).isNotBlank();
            List<Map<String, Object>> targets = (List<Map<String, Object>>) p.get("targets");
            assertThat(targets).as("targets of " + title).isNotEmpty();
            Set<Object> refIds = new HashSet<>();
            for (Map<String, Object> t : targets) {
                assertThat(refIds.add(t.get("refId"))).as("unique refId in " + title).isTrue();
                String expr = (String) t.get("expr");
                assertThat(expr).as("expr in " + title).isNotBlank()
                        .contains("job=~\"$job\"", "instance=~\"$instance\"");
                if (expr.contains("rate(") && !expr.contains("increase(")) {
                    assertThat(expr).as("rate window in " + title).contains("[$__rate_interval]");
                }
            }
        }
        assertThat(ids).hasSizeGreaterThan(20);
    }

    @Test
    void dashboardShouldCoverTheLossLedgerEndToEnd() throws Exception {
        String all = String.join("\n", Dashboard.load().queries().stream().map(Dashboard.Query::expr).toList());
        assertThat(all).contains("auditalert_kernel_lost_total", "auditalert_dropped_total",
                "auditalert_parse_errors_total", "auditalert_events_completed_total", "auditalert_sink_failures_total",
                "auditalert_alerts_total", "auditalert_event_latency_seconds_bucket",
                "auditalert_sink_delivery_latency_seconds_bucket", "auditalert_ring_used", "auditalert_ring_used_bytes",
                "auditalert_inflight_events", "jvm_memory_used_bytes");
    }
}

package dev.faultline.scenarios.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LatencyModel;
import dev.faultline.core.trace.TraceEvent;
import dev.faultline.scenarios.run.ScenarioRunner;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** {@code network: {zones, between}}: latency by pair of zones (racks, data centres), read, written and run. */
class ZoneLatencySpecTest {
    private static String scenario(String network) {
        return scenario("  racks: [dc1, dc2]", network);
    }

    private static String scenario(String racks, String network) {
        return String.join("\n",
                "name: two-data-centres",
                "seed: 1",
                "duration: 1s",
                "cluster:",
                "  mode: oracle",
                "  brokers: 4",
                racks,
                "  start: warm",
                "  network:",
                "    latency: {constant: 0.5ms}",
                network,
                "topics: [{name: t, partitions: 4, replication.factor: 2}]",
                "workload: [{producer: {topic: t, rate: 10/s, acks: all}}]",
                "");
    }

    private static final String TWO_DCS = String.join("\n",
            "    zones: {dc1: [producer-1, canary]}",
            "    between:",
            "      - {zones: [dc1, dc2], latency: {constant: 20ms}}");

    @Test
    void readsZonesAndTheLatencyBetweenThemAndWritesThemBack() throws Exception {
        Scenario s = ScenarioLoader.parse("dc.yaml", scenario(TWO_DCS));
        assertThat(s.cluster().network().zones()).containsExactly(Map.entry("dc1", List.of("producer-1", "canary")));
        assertThat(s.cluster().network().between())
                .containsExactly(new Scenario.ZoneLatency("dc1", "dc2", LatencyModel.constant(Time.millis(20))));
        assertThat(ScenarioLoader.parse("written", ScenarioWriter.write(s))).isEqualTo(s);
    }

    /** When each first fetch request (sent at time 0 in a warm start) reached its leader, by {@code from>to}. */
    private static Map<String, Long> firstFetchArrivals(String racks, String network) throws Exception {
        Map<String, Long> arrivals = new TreeMap<>();
        ScenarioRunner.run(ScenarioLoader.parse("dc.yaml", scenario(racks, network)), new ScenarioRunner.Options(List.of(e -> {
            if (e instanceof TraceEvent.Delivered d && d.type().equals("FetchRequest")) {
                arrivals.putIfAbsent(d.from() + ">" + d.to(), d.time());
            }
        }), 10_000_000));
        return arrivals;
    }

    /** Over the WAN (20 ms), or inside a data centre (0.5 ms): a first fetch arrives a few microseconds after the latency (CPU work). */
    private static void arrivedAfter(long arrival, long latency, String link) {
        assertThat(arrival).as(link).isBetween(latency, latency + Time.micros(100));
    }

    @Test
    void brokersOfRacksInDifferentDataCentresFetchOverTheWan() throws Exception {
        // Racks alternate (broker-1 and broker-3 in dc1, broker-2 and broker-4 in dc2) and the
        // rack-aware assignment puts each partition's two replicas in different racks.
        Map<String, Long> lan = firstFetchArrivals("  racks: [dc1, dc2]", "    zones: {dc1: [producer-1]}");
        Map<String, Long> wan = firstFetchArrivals("  racks: [dc1, dc2]", TWO_DCS);
        assertThat(lan).hasSize(4);
        assertThat(wan.keySet()).isEqualTo(lan.keySet());
        lan.forEach((link, at) -> {
            arrivedAfter(at, Time.micros(500), link);
            arrivedAfter(wan.get(link), Time.millis(20), link);
        });
    }

    @Test
    void nodesListedInZonesUseThePairsLatencyAndInsideAZoneTheDefault() throws Exception {
        String zones = String.join("\n",
                "    zones: {dc1: [broker-1, broker-2], dc2: [broker-3, broker-4]}",
                "    between:",
                "      - {zones: [dc1, dc2], latency: {constant: 20ms}}");
        Map<String, Long> lan = firstFetchArrivals("  # no racks", "    zones: {dc1: [broker-1, broker-2], dc2: [broker-3, broker-4]}");
        Map<String, Long> wan = firstFetchArrivals("  # no racks", zones);
        assertThat(wan.keySet()).isEqualTo(lan.keySet());
        int across = 0;
        for (Map.Entry<String, Long> e : lan.entrySet()) {
            String[] ends = e.getKey().split(">");
            boolean sameZone = (ends[0].compareTo("broker-3") < 0) == (ends[1].compareTo("broker-3") < 0);
            arrivedAfter(e.getValue(), Time.micros(500), e.getKey());
            arrivedAfter(wan.get(e.getKey()), sameZone ? Time.micros(500) : Time.millis(20), e.getKey());
            across += sameZone ? 0 : 1;
        }
        assertThat(across).isBetween(1, lan.size() - 1);
    }

    @Test
    void unknownZonesAndNodesAndNodesInTwoZonesAreReportedWhereTheyAre() {
        String bad = String.join("\n",
                "    zones: {dc1: [producer-1, broker-9], dc3: [producer-1]}",
                "    between:",
                "      - {zones: [dc1, dc4], latency: {constant: 20ms}}");
        ScenarioException e = catchThrowableOfType(() -> ScenarioLoader.parse("dc.yaml", scenario(bad)), ScenarioException.class);
        List<Problem> p = e.problems();
        assertThat(p).hasSize(3);
        assertThat(p.get(0).message()).contains("'producer-1' is placed in zone 'dc1' and in zone 'dc3'");
        assertThat(p.get(0).line()).isEqualTo(11);
        assertThat(p.get(1).message()).contains("unknown zone 'dc4'", "zones: [dc1, dc2, dc3]");
        assertThat(p.get(1).line()).isEqualTo(13);
        assertThat(p.get(2).message()).contains("'broker-9' is not a node of this scenario");
        assertThat(p.get(2).line()).isEqualTo(11);
        assertThat(p.get(2).column()).isEqualTo(31);
    }
}

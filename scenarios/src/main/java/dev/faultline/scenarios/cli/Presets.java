package dev.faultline.scenarios.cli;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Named comparisons ({@code faultline compare --preset NAME}): scenarios from
 * {@code scenarios/library/scale/} (packed into the jar) with the modes, seeds and partition counts
 * they are meant to be run with; options given on the command line win.
 */
final class Presets {
    /** Where the jar keeps {@code scenarios/library/scale/}. */
    static final String RESOURCES = "/dev/faultline/scenarios/presets/";

    /**
     * A preset.
     *
     * @param name its name
     * @param description one line for {@code --help} and errors
     * @param files scenario files in {@code scenarios/library/scale/}
     * @param modes modes it compares
     * @param seeds seeds per mode
     */
    record Preset(String name, String description, List<String> files, List<String> modes, int seeds) {
    }

    static final Map<String, Preset> ALL = new TreeMap<>();

    static {
        add(new Preset("kip-500", "KIP-500's experiment: 2,000,000 partitions at replication factor 3 on 150 brokers; controlled shutdown, "
                + "broker crash, controller failover",
                List.of("kip-500-controlled-shutdown.yaml", "kip-500-broker-crash.yaml", "kip-500-controller-failover.yaml"),
                List.of("zookeeper", "kraft"), 1));
        add(new Preset("combined", "3 brokers that are also the 3 voters (KRaft combined; ZooKeeper mode: a 3-server ensemble)",
                List.of("shape-combined.yaml"), List.of("zookeeper", "kraft"), 5));
        add(new Preset("multi-dc", "120 brokers over 3 data centres with 5 voters placed 2-2-1 (ZooKeeper mode: a 5-server ensemble), "
                + "0.5 ms inside a data centre, 20-40 ms between; 60,000 partitions",
                List.of("shape-multi-dc.yaml"), List.of("zookeeper", "kraft"), 3));
        add(new Preset("dedicated", "24 brokers with 3 dedicated controllers (ZooKeeper mode: a 3-server ensemble)",
                List.of("shape-dedicated.yaml"), List.of("zookeeper", "kraft"), 5));
    }

    private static void add(Preset p) {
        ALL.put(p.name(), p);
    }

    private Presets() {
    }

    /** "kip-500, combined, ..." for messages. */
    static String names() {
        return String.join(", ", ALL.keySet());
    }
}

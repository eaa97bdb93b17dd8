package dev.faultline.scenarios.spec;

import dev.faultline.core.mode.MetadataMode;
import dev.faultline.core.mode.OracleMode;
import dev.faultline.raft.kraft.KRaftMode;
import dev.faultline.zookeeper.kafka.ZooKeeperMode;
import java.util.List;

/**
 * The metadata modes a scenario may run in, in a fixed order: the one place in this module that
 * names the modules implementing them (ModuleDependencyTest keeps it so). Everything else in the
 * scenarios module reaches a mode through {@link MetadataMode}: its settings and planted bugs when a
 * scenario is checked, its control plane, invariants, roles and faults when it runs. The order is
 * the order of every list built from the modes (the planted bugs, the cost notes of a comparison),
 * never the class path's.
 */
public final class Modes {
    /** KRaft first (the default mode), then ZooKeeper mode, then the oracle. */
    private static final List<MetadataMode> ALL = List.of(new KRaftMode(), new ZooKeeperMode(), new OracleMode());

    private Modes() {
    }

    /** Every mode, in order. */
    public static List<MetadataMode> all() {
        return ALL;
    }

    /** The mode of a scenario's {@code cluster.mode}. */
    public static MetadataMode of(Scenario.Mode mode) {
        return byName(mode.yamlName());
    }

    /** The mode of this name ({@code kraft}, {@code zookeeper}, {@code oracle}). */
    public static MetadataMode byName(String name) {
        for (MetadataMode m : ALL) {
            if (m.name().equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown mode " + name);
    }

    /** The metadata quorum of a cluster: its KRaft voters (and whether combined) or its ZooKeeper servers. */
    public static MetadataMode.Layout layout(Scenario.Cluster c) {
        return new MetadataMode.Layout(c.mode() == Scenario.Mode.KRAFT ? c.controllers() : c.mode() == Scenario.Mode.ZOOKEEPER ? c.zookeeper() : 0,
                c.mode() == Scenario.Mode.KRAFT && c.combined());
    }
}

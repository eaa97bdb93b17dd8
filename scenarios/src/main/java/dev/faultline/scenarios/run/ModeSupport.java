package dev.faultline.scenarios.run;

import dev.faultline.core.control.ControlPlane;
import dev.faultline.core.control.OracleControlPlane;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.scenarios.spec.Scenario;
import java.util.List;

/**
 * What the runner needs from a metadata mode beyond the {@link ControlPlane} SPI: the control
 * plane itself and the mode's roles ({@code raft-leader}, {@code zk-leader}) and quorum nodes. The
 * only place that knows every mode: this module is the composition root.
 */
public interface ModeSupport {
    ControlPlane controlPlane();

    /** The Raft leader now (kraft), or nothing. */
    default List<NodeId> raftLeader(Simulation sim) {
        return List.of();
    }

    /** The ZooKeeper ensemble leader now (zookeeper), or nothing. */
    default List<NodeId> zkLeader(Simulation sim) {
        return List.of();
    }

    /** Controller voters (kraft) or ensemble servers (zookeeper), in order. */
    default List<NodeId> quorum(Simulation sim) {
        return List.of();
    }

    /** The modes this build can run, in the order comparisons list them. */
    static List<Scenario.Mode> available() {
        return List.of(Scenario.Mode.ORACLE);
    }

    /** The support for a scenario's mode. */
    static ModeSupport of(Scenario s) {
        switch (s.cluster().mode()) {
            case ORACLE: {
                OracleControlPlane cp = new OracleControlPlane();
                return () -> cp;
            }
            default:
                throw new UnsupportedModeException(s.cluster().mode());
        }
    }

    /** A mode this build cannot run yet. */
    final class UnsupportedModeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnsupportedModeException(Scenario.Mode mode) {
            super("mode '" + mode.yamlName() + "' cannot run in this build yet; use mode oracle");
        }
    }
}

package dev.faultline.core.mode;

import dev.faultline.core.control.ControlPlane;
import dev.faultline.core.fault.Fault;
import dev.faultline.core.fault.Target;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import java.util.List;
import java.util.Map;

/**
 * A metadata mode as a scenario sees it: everything about the mode that a scenario may name or that
 * a run needs beyond the {@link ControlPlane} SPI, owned by the module that implements the mode. The
 * scenarios module keeps a fixed list of the modes and dispatches to them; adding a mode, or a
 * setting, fault or planted bug of a mode, touches that mode's module only.
 *
 * <p>Two stages: the methods of this interface describe the mode for checking a scenario before it
 * runs (settings with their values, planted-bug switches, node names, roles, faults), and
 * {@link #build} makes the {@link Run} of one simulation (the control plane, the mode's invariants,
 * role targets and faults).
 */
public interface MetadataMode {
    /** The name a scenario gives the mode ({@code cluster.mode}): {@code kraft}, {@code zookeeper}, {@code oracle}. */
    String name();

    /** The name in messages ({@code KRaft}, {@code ZooKeeper}). */
    String title();

    /**
     * The settings this mode's module reads besides the data plane's ({@code KafkaConfig}), with the
     * values each takes.
     */
    default List<Setting> settings() {
        return List.of();
    }

    /**
     * Real settings of the software this mode models that the model does not reproduce, each with
     * what the model does instead. A scenario that sets one is refused: a setting that is read but
     * acts on nothing would let a run claim what it did not simulate.
     */
    default Map<String, String> notModelled() {
        return Map.of();
    }

    /** The planted-bug switches this mode's module honours (docs/model.md#planted-bugs), each {@code true} or {@code false}. */
    default List<String> plantedBugs() {
        return List.of();
    }

    /**
     * The faults only this mode has, by their scenario key, each with the reason it exists only
     * here (said when a scenario of another mode uses it).
     */
    default Map<String, String> faults() {
        return Map.of();
    }

    /** The names of the nodes this mode adds to a cluster of this layout, in order ({@code zk-1}, ...). */
    default List<String> nodeNames(Layout layout) {
        return List.of();
    }

    /**
     * The roles a fault may target in this mode besides those of every mode, in order
     * ({@code raft-leader}, {@code zk-leader}, ...); resolved by {@link Run#target}, except
     * {@code minority} and {@code majority}, which a mode with a quorum lists and the runner draws
     * from {@link Run#quorum}.
     */
    default List<String> roles() {
        return List.of();
    }

    /**
     * Whether {@code target}, a node name or role, belongs to this mode; when a scenario of another
     * mode names it, {@link #absentHint()} says so.
     */
    default boolean owns(String target) {
        return false;
    }

    /** Why a node or role of this mode is absent in the others ({@code ZooKeeper nodes exist only in mode zookeeper}). */
    default String absentHint() {
        return "";
    }

    /** Whether the active controller is a broker process in a cluster of this layout. */
    default boolean controllerOnBrokers(Layout layout) {
        return false;
    }

    /**
     * The constants of the mode's cost model, one phrase for report headers
     * ({@code KRaft controller per record 2000 ns}); {@code null} for none.
     */
    default String costs(Map<String, String> config) {
        return null;
    }

    /**
     * The Kafka versions whose behaviour this mode models ({@code cluster.version}), oldest first.
     * Each mode owns its profiles: what a version changes is decided in {@link #build}.
     */
    default List<KafkaVersion> versions() {
        return List.of(KafkaVersion.values());
    }

    /**
     * Why a version is refused in this mode, or {@code null} when the mode runs it with these
     * settings and planted bugs (a planted bug that reverts a fix the version does not have is
     * refused: it would change nothing).
     */
    default String versionProblem(KafkaVersion version, Map<String, String> config, List<String> bugs) {
        if (!versions().contains(version)) {
            return title() + " mode does not model Kafka " + version.text() + "; valid: "
                    + String.join(", ", versions().stream().map(KafkaVersion::text).toList());
        }
        return null;
    }

    /**
     * The mode for one run.
     *
     * @param layout the size of its quorum and whether it is combined with the brokers
     * @param version the Kafka version whose behaviour it models (one of {@link #versions()})
     * @param config the cluster's settings as written (real names; unset keys take the defaults)
     * @param bugs planted-bug switches turned on by the scenario's {@code bugs}
     */
    Run build(Layout layout, KafkaVersion version, Map<String, String> config, List<String> bugs);

    /**
     * The metadata quorum of a cluster.
     *
     * @param quorum KRaft voters or ZooKeeper servers; 0 for the oracle
     * @param combined KRaft combined mode: the first voters are brokers
     */
    record Layout(int quorum, boolean combined) {
    }

    /** The mode in one run. */
    interface Run {
        /** The control plane, installed by the cluster builder. */
        ControlPlane controlPlane();

        /** Controller voters (kraft) or ensemble servers (zookeeper), in order; empty for the oracle. */
        default List<NodeId> quorum(Simulation sim) {
            return List.of();
        }

        /** Registers the mode's own checks once the cluster is built (the control plane installed). */
        default void addInvariants(Simulation sim) {
        }

        /** One of {@link MetadataMode#roles()} as a target, resolved when the fault fires; {@code null} for another name. */
        default Target target(String role) {
            return null;
        }

        /**
         * One of {@link MetadataMode#faults()} as a fault.
         *
         * @param key its scenario key
         * @param targets the nodes it hits, or {@code null} for a fault that names none
         * @param forNanos how long it lasts; 0 for permanent
         */
        default Fault fault(String key, Target targets, long forNanos) {
            throw new IllegalArgumentException("'" + key + "' is not a fault of this mode");
        }
    }
}

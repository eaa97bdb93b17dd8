package dev.faultline.zookeeper.kafka;

import dev.faultline.core.control.AlterPartitionRequest;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.Errors;
import dev.faultline.core.control.LeaderElection;
import it.unimi.dsi.fastutil.ints.IntAVLTreeSet;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntList;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

/**
 * The ZooKeeper-mode controller's partition and replica state machines as pure decisions: each
 * method reads the {@link ControllerContext} and returns the partition changes to write (as Kafka's
 * quorum controller returns records), without touching ZooKeeper, brokers or the clock. The
 * controller ({@link ZkController}) writes them ({@link ControllerZk}) and announces them
 * ({@link ControllerRequests}); a written change updates the context.
 *
 * <p>Elections follow docs/model.md#partition-leader-election; an ISR keeps its last member
 * (KAFKA-5083) unless the test switch {@code zkController.allowEmptyIsr} is on.
 */
final class PartitionStateMachine {

    /**
     * A decided change of one partition, to be written to ZooKeeper. {@code leaderChange}: a
     * leader-changing write (new leader epoch, LeaderAndIsr); {@code viaNoLeader}: the old leader was
     * dropped and the same broker elected again in one write (a bounced broker,
     * docs/model.md#broker-registration-and-broker-epoch).
     */
    record Change(int partition, KafkaZnodes.StateData data, boolean leaderChange, boolean unclean, String cause, boolean viaNoLeader) {
        Change(int partition, KafkaZnodes.StateData data, boolean leaderChange, boolean unclean, String cause) {
            this(partition, data, leaderChange, unclean, cause, false);
        }
    }

    /** A broker change's two batches: the elections (OfflinePartition) first, then the ISR removals (OfflineReplica). */
    record BrokerChange(List<Change> elections, List<Change> shrinks) {
    }

    /** AlterPartition: each request's error ({@code NONE} for the valid ones) and the valid changes. */
    record AlterPartition(Errors[] errors, List<Change> changes) {
    }

    /** Controlled shutdown's partitions to act on: those the broker leads, and those it follows. */
    record ControlledShutdown(IntList led, IntList followed) {
    }

    private final ClusterSpec cluster;
    private final ControllerContext context;
    private final int controllerEpoch;
    private final IntFunction<int[]> hostedPartitions;
    /** Planted bug PB-ZKC-2 {@code zkController.allowEmptyIsr} (KAFKA-5083 reverted): the last ISR member is removed too. */
    private final boolean allowEmptyIsr;
    /** Test switches (ZkModeBugs): zkController.keepLeaderEpochOnElection, .uncleanIgnoresTopicConfig, .noElectionOnBrokerStartup. */
    private final ZkModeBugs bugs;
    private final int imbalancePercentage;

    PartitionStateMachine(ClusterSpec cluster, ControllerContext context, int controllerEpoch, IntFunction<int[]> hostedPartitions) {
        this.cluster = cluster;
        this.context = context;
        this.controllerEpoch = controllerEpoch;
        this.hostedPartitions = hostedPartitions;
        this.allowEmptyIsr = Boolean.parseBoolean(cluster.config().getString("zkController.allowEmptyIsr", "false"));
        this.bugs = ZkModeBugs.of(cluster);
        this.imbalancePercentage = Integer.parseInt(cluster.config().getString("leader.imbalance.per.broker.percentage", "10"));
    }

    /** The partitions of the changes, in order. */
    static IntArrayList partitionsOf(List<Change> changes) {
        IntArrayList changed = new IntArrayList(changes.size());
        for (Change c : changes) {
            changed.add(c.partition());
        }
        return changed;
    }

    // ------------------------------------------------------------------ failover (docs/model.md#controller-failover)

    /**
     * The replica state machine's OfflineReplica transition for every replica on broker {@code b}:
     * where the broker is in the ISR it leaves it (the last member stays, KAFKA-5083) and, if it
     * led, the partition's leader becomes -1; the leader epoch goes up.
     */
    List<Change> offlineReplicas(int b) {
        List<Change> changes = new ArrayList<>();
        for (int p : hostedPartitions.apply(b)) {
            if (!context.created(p) || !context.isrContains(p, b)) {
                continue;
            }
            IntList current = context.isr(p);
            IntList shrunk = isrWithout(current, b);
            int newLeader = context.leader(p) == b ? LeaderElection.NO_LEADER : context.leader(p);
            if (newLeader != context.leader(p) || !shrunk.equals(current)) {
                changes.add(new Change(p, new KafkaZnodes.StateData(newLeader, context.leaderEpoch(p) + 1, controllerEpoch, shrunk),
                        newLeader != context.leader(p), false, "replica on broker " + b + " offline"));
            }
        }
        return changes;
    }

    /**
     * The partition state machine's startup: the OfflinePartitions (no leader, or a leader that is
     * not live: an OfflineReplica write that failed), ascending; a pass over every partition, once
     * per failover, as Kafka's {@code initializePartitionState}. The controller reads them again
     * ({@link ControllerZk#rereadStates}) before {@link #offlinePartitions} decides.
     */
    IntList offlineCandidates() {
        IntArrayList candidates = new IntArrayList();
        for (int p = 0; p < cluster.partitionCount(); p++) {
            int l = context.leader(p);
            if (context.created(p) && (l == LeaderElection.NO_LEADER || !context.liveBrokers.contains(l))) {
                candidates.add(p);
            }
        }
        return candidates;
    }

    /** The offline election for each of {@code candidates} that still has no live leader. */
    List<Change> offlinePartitions(IntList candidates, String cause) {
        List<Change> elections = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            int p = candidates.getInt(i);
            int l = context.leader(p);
            if (context.created(p) && (l == LeaderElection.NO_LEADER || !context.liveBrokers.contains(l))) {
                Change c = offlineElection(p, cause, l, context.isr(p), context.liveBrokers::contains);
                if (c != null) {
                    elections.add(c);
                }
            }
        }
        return elections;
    }

    // ------------------------------------------------------------------ broker failure and startup (docs/model.md#broker-failure)

    /** Test switch zkController.noElectionOnBrokerStartup (ZkModeBugs, KZ-L2): no startup elections. */
    private boolean startupElections(IntAVLTreeSet born) {
        return !born.isEmpty() && !bugs.noElectionOnBrokerStartup();
    }

    /**
     * The partitions a broker change looks at ({@link #brokerChange}), ascending and distinct: those
     * hosted by a broker that is not live after the failure step (dead, bounced or shutting down),
     * and the leaderless ones when a broker starts. The controller reads their states again
     * ({@link ControllerZk#rereadStates}) before deciding.
     */
    IntList brokerChangeCandidates(IntAVLTreeSet dead, IntAVLTreeSet born) {
        IntPredicate liveAfterFailure = b -> context.liveBrokers.contains(b) && !dead.contains(b) && !context.shuttingDown.contains(b);
        IntAVLTreeSet candidates = new IntAVLTreeSet();
        for (var spec : cluster.brokers()) {
            if (!liveAfterFailure.test(spec.id())) {
                for (int p : hostedPartitions.apply(spec.id())) {
                    if (context.created(p)) {
                        candidates.add(p);
                    }
                }
            }
        }
        if (startupElections(born)) {
            candidates.addAll(context.leaderless());
        }
        return new IntArrayList(candidates);
    }

    /**
     * {@code onBrokerFailure} for {@code dead} then {@code onBrokerStartup} for {@code born}: partitions
     * whose leader is gone get the offline election, other replicas on dead brokers leave the ISR,
     * and when a broker starts the leaderless partitions may elect it. Bounced brokers (in both sets:
     * same id, larger broker epoch) count as dead during the failure step, so they lose leadership
     * and ISR membership like any dead broker; the startup step may then elect them again
     * (docs/model.md#broker-registration-and-broker-epoch). Only partitions hosted by a broker that is
     * not live (or is shutting down), and the leaderless ones when a broker starts, are looked at.
     * The context's live brokers are already the new ones; {@code shuttingDown} no longer holds the
     * dead and bounced brokers. {@code candidates} are {@link #brokerChangeCandidates}, read again
     * from ZooKeeper.
     */
    BrokerChange brokerChange(IntAVLTreeSet dead, IntAVLTreeSet born, IntList candidates) {
        IntPredicate liveAfterFailure = b -> context.liveBrokers.contains(b) && !dead.contains(b) && !context.shuttingDown.contains(b);
        boolean startupElections = startupElections(born);
        List<Change> elections = new ArrayList<>();
        List<Change> shrinks = new ArrayList<>();
        int previous = -1;
        for (int k = 0; k < candidates.size(); k++) {
            int p = candidates.getInt(k);
            if (p == previous || !context.created(p)) {
                continue;
            }
            previous = p;
            int leader = context.leader(p);
            boolean leaderGone = leader != LeaderElection.NO_LEADER && !liveAfterFailure.test(leader);
            boolean leaderless = leader == LeaderElection.NO_LEADER;
            Change c = null;
            if (leaderGone || (leaderless && startupElections)) {
                c = offlineElection(p, leaderGone ? "broker " + leader + " failed" : "broker started", leader, context.isr(p),
                        leaderGone ? liveAfterFailure : context.liveBrokers::contains);
            } else if (!leaderless) {
                // Followers on dead brokers leave the ISR; the controller bumps the leader epoch.
                IntList current = context.isr(p);
                IntList shrunk = current;
                for (int b : dead) {
                    shrunk = isrWithout(shrunk, b);
                }
                if (!shrunk.equals(current)) {
                    c = new Change(p, new KafkaZnodes.StateData(leader, context.leaderEpoch(p) + 1, controllerEpoch, shrunk),
                            false, false, "replica offline");
                }
            }
            if (c != null && c.data().leader() == LeaderElection.NO_LEADER && startupElections) {
                // The startup step (onBrokerStartup) of the same event: a bounced broker that is
                // the last ISR member is clean-eligible again. Both steps go out as one write.
                Change again = offlineElection(p, "broker started", LeaderElection.NO_LEADER, c.data().isr(), context.liveBrokers::contains);
                if (again != null) {
                    c = new Change(p, again.data(), true, again.unclean(), c.cause() + ", then broker started", true);
                }
            }
            if (c != null) {
                (c.leaderChange() ? elections : shrinks).add(c);
            }
        }
        return new BrokerChange(elections, shrinks);
    }

    /**
     * Offline-partition election (docs/model.md#partition-leader-election) from the given leader
     * and ISR, with {@code live} deciding which brokers count as live; {@code null} when nothing
     * changes.
     */
    private Change offlineElection(int p, String cause, int currentLeader, IntList currentIsr, IntPredicate live) {
        int[] replicas = cluster.replicas(p);
        LeaderElection.Election e = LeaderElection.offlinePartition(replicas, currentIsr, live,
                cluster.uncleanLeaderElectionEnabled(p) || bugs.uncleanIgnoresTopicConfig());
        if (!e.elected()) {
            if (currentLeader == LeaderElection.NO_LEADER) {
                return null;
            }
            // No candidate: leader -1, the ISR keeps its last member (KAFKA-5083).
            IntList kept = isrWithout(currentIsr, currentLeader);
            return new Change(p, new KafkaZnodes.StateData(LeaderElection.NO_LEADER, context.leaderEpoch(p) + 1, controllerEpoch, kept),
                    true, false, cause);
        }
        IntList newIsr = LeaderElection.isrAfterElection(e, currentIsr, live);
        int leaderEpoch = bugs.keepLeaderEpochOnElection() ? context.leaderEpoch(p) : context.leaderEpoch(p) + 1;
        return new Change(p, new KafkaZnodes.StateData(e.leader(), leaderEpoch, controllerEpoch, newIsr), true, e.unclean(), cause);
    }

    /** {@link LeaderElection#isrWithout}, or with the planted bug an ISR that may become empty. */
    private IntList isrWithout(IntList current, int broker) {
        if (allowEmptyIsr && current.size() == 1 && current.getInt(0) == broker) {
            return IntList.of();
        }
        return LeaderElection.isrWithout(current, broker);
    }

    // ------------------------------------------------------------------ AlterPartition (docs/model.md#isr-changes-in-zookeeper-mode, KIP-497)

    /**
     * {@code processAlterPartition} for one broker's request: each partition's change is validated
     * (leader and leader epoch, partition epoch, broker epoch, eligible members).
     */
    AlterPartition alterPartition(List<AlterPartitionRequest> requests) {
        Errors[] errors = new Errors[requests.size()];
        List<Change> changes = new ArrayList<>();
        for (int k = 0; k < requests.size(); k++) {
            AlterPartitionRequest req = requests.get(k);
            int p = req.partition();
            Errors error = Errors.NONE;
            if (req.leaderId() != context.leader(p) || req.leaderEpoch() != context.leaderEpoch(p)) {
                error = Errors.FENCED_LEADER_EPOCH;
            } else if (req.partitionEpoch() != context.zkVersion(p)) {
                error = Errors.INVALID_UPDATE_VERSION;
            } else if (context.brokerEpochs.get(req.leaderId()) != req.leaderBrokerEpoch()) {
                error = Errors.STALE_BROKER_EPOCH;
            } else {
                for (int i = 0; i < req.newIsr().size(); i++) {
                    int m = req.newIsr().getInt(i);
                    if (!context.liveBrokers.contains(m) || !cluster.isReplica(p, m)
                            || (context.shuttingDown.contains(m) && !context.isrContains(p, m))) {
                        error = Errors.INELIGIBLE_REPLICA;
                    }
                }
            }
            errors[k] = error;
            if (error == Errors.NONE) {
                changes.add(new Change(p, new KafkaZnodes.StateData(context.leader(p), context.leaderEpoch(p), controllerEpoch, req.newIsr()),
                        false, false, "AlterPartition"));
            }
        }
        return new AlterPartition(errors, changes);
    }

    // ------------------------------------------------------------------ controlled shutdown (docs/model.md#controlled-shutdown)

    /**
     * {@code doControlledShutdown}'s partitions to act on for broker {@code b} (already in
     * {@code shuttingDown}): those of {@code hosted} with a replication factor above 1 and a
     * partition state, split into the ones it leads (the first batch, elections) and the ones it
     * follows (the second batch, after StopReplica), from the controller's cache as Kafka splits
     * them.
     */
    ControlledShutdown controlledShutdown(int b, int[] hosted) {
        IntArrayList led = new IntArrayList();
        IntArrayList followed = new IntArrayList();
        for (int p : hosted) {
            if (cluster.replicationFactor(p) <= 1 || !context.created(p) || KafkaZnodes.Isr.size(context.isrPacked(p)) == 0
                    && context.isrPacked(p) != KafkaZnodes.Isr.NOT_PACKED) {
                continue; // single replica, or a partition with no state yet
            }
            (context.leader(p) == b ? led : followed).add(p);
        }
        return new ControlledShutdown(led, followed);
    }

    /**
     * The first batch: each partition of {@code led} that broker {@code b} still leads (after the
     * controller read it again) gets the controlled-shutdown election (first live ISR member of
     * the assignment that is not shutting down; ISR minus the shutting-down brokers).
     */
    List<Change> controlledShutdownElections(int b, IntList led) {
        List<Change> elections = new ArrayList<>();
        for (int i = 0; i < led.size(); i++) {
            int p = led.getInt(i);
            if (context.leader(p) != b) {
                continue;
            }
            IntList isr = context.isr(p);
            LeaderElection.Election e = LeaderElection.controlledShutdown(cluster.replicas(p), isr, context.liveBrokers::contains,
                    context.shuttingDown::contains);
            if (e.elected()) {
                IntList newIsr = LeaderElection.isrAfterControlledShutdown(e, isr, context.shuttingDown::contains);
                elections.add(new Change(p, new KafkaZnodes.StateData(e.leader(), context.leaderEpoch(p) + 1, controllerEpoch, newIsr),
                        true, false, "controlled shutdown of broker " + b));
            }
        }
        return elections;
    }

    /** The second batch: broker {@code b} leaves the ISR of the partitions it follows (OfflineReplica; leader epoch + 1). */
    List<Change> controlledShutdownShrinks(int b, IntList followed) {
        List<Change> shrinks = new ArrayList<>();
        for (int i = 0; i < followed.size(); i++) {
            int p = followed.getInt(i);
            IntList current = context.isr(p);
            IntList shrunk = isrWithout(current, b);
            if (!shrunk.equals(current)) {
                shrinks.add(new Change(p, new KafkaZnodes.StateData(context.leader(p), context.leaderEpoch(p) + 1, controllerEpoch, shrunk),
                        false, false, "controlled shutdown of broker " + b + ": replica offline"));
            }
        }
        return shrinks;
    }

    /** The partitions of {@code hosted} that broker {@code b} still leads (the answer's remaining partitions). */
    IntList stillLed(int b, int[] hosted) {
        IntArrayList remaining = new IntArrayList();
        for (int p : hosted) {
            if (context.leader(p) == b) {
                remaining.add(p);
            }
        }
        return remaining;
    }

    // ------------------------------------------------------------------ preferred leaders (docs/model.md#preferred-leader-election)

    /**
     * For each broker whose share of partitions it prefers but does not lead exceeds
     * {@code leader.imbalance.per.broker.percentage}, the partitions to move back to it where it is
     * live and in the ISR, ascending. A pass over every partition, as Kafka's
     * {@code checkAndTriggerAutoLeaderRebalance}; the controller reads them again
     * ({@link ControllerZk#rereadStates}), then {@link #preferredElections} decides
     * (preferred-replica election: leader epoch + 1, ISR unchanged).
     */
    IntList autoRebalanceCandidates() {
        int brokers = cluster.maxBrokerId() + 1;
        int[] preferred = new int[brokers];
        int[] notLed = new int[brokers];
        for (int p = 0; p < cluster.partitionCount(); p++) {
            if (!context.created(p)) {
                continue;
            }
            int pref = cluster.replica(p, 0);
            preferred[pref]++;
            if (context.leader(p) != pref) {
                notLed[pref]++;
            }
        }
        IntArrayList candidates = new IntArrayList();
        for (int p = 0; p < cluster.partitionCount(); p++) {
            int pref = cluster.replica(p, 0);
            if (context.leader(p) == pref || preferred[pref] == 0 || notLed[pref] * 100 <= imbalancePercentage * preferred[pref]) {
                continue;
            }
            if (preferredElection(p) != null) {
                candidates.add(p);
            }
        }
        return candidates;
    }

    /** The preferred-replica elections of {@code candidates} that still apply (after the controller read them again). */
    List<Change> preferredElections(IntList candidates) {
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            int p = candidates.getInt(i);
            Change c = context.created(p) && context.leader(p) != cluster.replica(p, 0) ? preferredElection(p) : null;
            if (c != null) {
                changes.add(c);
            }
        }
        return changes;
    }

    private Change preferredElection(int p) {
        IntList isr = context.isr(p);
        LeaderElection.Election e = LeaderElection.preferredReplica(cluster.replicas(p), isr,
                b -> context.liveBrokers.contains(b) && !context.shuttingDown.contains(b));
        return e.elected() ? new Change(p, new KafkaZnodes.StateData(e.leader(), context.leaderEpoch(p) + 1, controllerEpoch, isr), true,
                false, "preferred replica election") : null;
    }

    // ------------------------------------------------------------------ topic creation (docs/model.md#topic-creation-at-runtime)

    /**
     * NewPartition -> OnlinePartition for every partition of the topics {@code names} that does not
     * exist yet: the live replicas, in assignment order, form the ISR and the first leads (leader
     * epoch 0). A partition with no live replica stays New and goes to {@code stayNew}.
     */
    List<Change> newPartitions(List<String> names, IntArrayList stayNew) {
        List<Change> changes = new ArrayList<>();
        for (String name : names) {
            int first;
            try {
                first = cluster.topicFirstPartition(name);
            } catch (IllegalArgumentException unknown) {
                continue;
            }
            int count = cluster.topics().get(cluster.topicOf(first)).partitions();
            for (int p = first; p < first + count; p++) {
                if (context.created(p)) {
                    continue;
                }
                IntArrayList live = new IntArrayList();
                for (int replica : cluster.replicas(p)) {
                    if (context.liveBrokers.contains(replica)) {
                        live.add(replica);
                    }
                }
                if (live.isEmpty()) {
                    stayNew.add(p);
                } else {
                    changes.add(new Change(p, new KafkaZnodes.StateData(live.getInt(0), 0, controllerEpoch, live), true, false, "topic creation"));
                }
            }
        }
        return changes;
    }
}

package dev.faultline.raft.harness;

import dev.faultline.core.check.Invariant;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LatencyModel;
import dev.faultline.core.net.LinkConfig;
import dev.faultline.core.net.LinkFault;
import dev.faultline.core.net.PartitionSpec;
import dev.faultline.core.trace.RunResult;
import dev.faultline.raft.check.RaftHistory;
import dev.faultline.raft.check.RaftInvariants;
import dev.faultline.raft.check.RaftView;
import dev.faultline.raft.quorum.LeaderState;
import dev.faultline.raft.quorum.QuorumConfig;
import dev.faultline.raft.quorum.RaftMessage;
import dev.faultline.raft.quorum.RaftNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * A bare Raft quorum in a simulation: voters {@code voter-1..n} (node indices 0..n-1), optional
 * observers {@code observer-1..m} and an optional {@link AppendClient}, with the selected
 * invariants installed and the ground-truth {@link RaftHistory} attached. Tests, the election
 * experiment and the benchmark build on it.
 */
public final class RaftCluster implements RaftView {
    private final Simulation sim;
    private final QuorumConfig config;
    private final NodeId[] nodes;
    private final int[] voterIds;
    private final int[] raftIds;
    private final RaftHistory history;
    private final long roundTripBoundNanos;
    private final NodeId client;
    private final NodeId script;

    private RaftCluster(Builder b) {
        this.sim = new Simulation(b.seed);
        this.config = b.config;
        this.roundTripBoundNanos = 2 * b.oneWayBoundNanos;
        sim.network().setDefaultConfig(new LinkConfig(b.latency, 0));
        sim.setDefaultFsyncLatency(b.fsyncNanos);
        int raftCount = b.voters + b.observers;
        nodes = new NodeId[raftCount + (b.client ? 1 : 0) + 1];
        voterIds = new int[b.voters];
        raftIds = new int[raftCount];
        this.history = new RaftHistory(this);
        NodeId[] peers = new NodeId[nodes.length];
        for (int i = 0; i < raftCount; i++) {
            String name = i < b.voters ? "voter-" + (i + 1) : "observer-" + (i - b.voters + 1);
            int[] voters = voterIds;
            NodeId id = sim.addNode(name, ctx -> new RaftNode(ctx, config, voters, peers, history));
            if (id.index() != i) {
                throw new IllegalStateException("expected node index " + i + " for " + name);
            }
            nodes[i] = id;
            peers[i] = id;
            raftIds[i] = i;
            if (i < b.voters) {
                voterIds[i] = i;
            }
        }
        if (b.client) {
            NodeId[] voterNodes = java.util.Arrays.copyOf(nodes, b.voters);
            long min = b.clientMinNanos;
            long max = b.clientMaxNanos;
            client = sim.addNode("client", ctx -> new AppendClient(ctx, voterNodes, min, max, config.requestTimeoutNanos()));
            nodes[raftCount] = client;
            peers[raftCount] = client;
        } else {
            client = null;
        }
        script = sim.addNode("script", ScriptNode::new);
        nodes[nodes.length - 1] = script;
        peers[peers.length - 1] = script;
        for (Invariant inv : RaftInvariants.create(b.invariants, this, history)) {
            sim.addInvariant(inv);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------ RaftView

    @Override
    public Simulation sim() {
        return sim;
    }

    @Override
    public QuorumConfig config() {
        return config;
    }

    @Override
    public int[] voterIds() {
        return voterIds;
    }

    @Override
    public int[] raftIds() {
        return raftIds;
    }

    @Override
    public NodeId nodeId(int index) {
        return nodes[index];
    }

    @Override
    public long roundTripBoundNanos() {
        return roundTripBoundNanos;
    }

    public RaftHistory history() {
        return history;
    }

    /** The voter {@code voter-k} (1-based, as named). */
    public NodeId voter(int k) {
        return nodes[k - 1];
    }

    public List<NodeId> voters() {
        return List.of(java.util.Arrays.copyOf(nodes, voterIds.length));
    }

    /** The running process of a node, or {@code null}. */
    public RaftNode raft(NodeId id) {
        return sim.process(id, RaftNode.class);
    }

    public AppendClient client() {
        return client == null ? null : sim.process(client, AppendClient.class);
    }

    // ------------------------------------------------------------------ running

    public RaftCluster start() {
        sim.startAll();
        return this;
    }

    public RunResult runFor(long nanos) {
        return sim.runFor(nanos);
    }

    /** Runs in 1 ms steps until the condition holds, a violation, or {@code maxNanos}; returns whether it held. */
    public boolean runUntil(BooleanSupplier condition, long maxNanos) {
        long end = sim.now() + maxNanos;
        while (sim.now() < end && sim.violation() == null) {
            if (condition.getAsBoolean()) {
                return true;
            }
            sim.runFor(Time.MILLISECOND);
        }
        return condition.getAsBoolean();
    }

    /** The running leader with the highest epoch, or {@code null}. */
    public NodeId leader() {
        NodeId best = null;
        int bestEpoch = -1;
        for (int id : voterIds) {
            RaftNode n = process(id);
            if (n != null && n.state() instanceof LeaderState && n.epoch() > bestEpoch) {
                best = nodes[id];
                bestEpoch = n.epoch();
            }
        }
        return best;
    }

    /** Whether a running leader has committed in its epoch (its LeaderChange is below its HW). */
    public boolean hasCommittedLeader() {
        NodeId l = leader();
        return l != null && raft(l).leaderHighWatermark() >= 0;
    }

    /** Runs until a leader has committed in its epoch; returns it (or {@code null} after {@code maxNanos}). */
    public NodeId awaitCommittedLeader(long maxNanos) {
        return runUntil(this::hasCommittedLeader, maxNanos) ? leader() : null;
    }

    // ------------------------------------------------------------------ faults (traced)

    public void crash(NodeId id) {
        sim.traceFault("crash " + id);
        sim.crash(id);
    }

    public void powerLoss(NodeId id) {
        sim.traceFault("powerLoss " + id);
        sim.powerLoss(id);
    }

    public void restart(NodeId id) {
        sim.traceFault("restart " + id);
        sim.restart(id);
    }

    public void pause(NodeId id) {
        sim.traceFault("pause " + id);
        sim.pause(id);
    }

    public void resume(NodeId id) {
        sim.traceFault("resume " + id);
        sim.resume(id);
    }

    /** Cuts the node off from everyone; returns the partition id. */
    public int isolate(NodeId id) {
        sim.traceFault("isolate " + id);
        return sim.network().partition(new PartitionSpec.Isolate(id));
    }

    /** Splits the listed group from everyone else; returns the partition id. */
    public int split(List<NodeId> group) {
        sim.traceFault("split " + group);
        return sim.network().partition(new PartitionSpec.Split(List.of(group), true));
    }

    public void heal(int partitionId) {
        sim.traceFault("heal " + partitionId);
        sim.network().heal(partitionId);
    }

    /** Drops every message from {@code from} to {@code to} (directional); returns the link-fault id. */
    public int drop(List<NodeId> from, List<NodeId> to) {
        sim.traceFault("drop " + from + " -> " + to);
        return sim.network().addLinkFault(from, to, new LinkFault(0, 1.0, 0, 0));
    }

    /** Adds delay to messages from {@code from} to {@code to}; returns the link-fault id. */
    public int delay(List<NodeId> from, List<NodeId> to, long extraNanos) {
        sim.traceFault("delay " + from + " -> " + to + " by " + Time.format(extraNanos));
        return sim.network().addLinkFault(from, to, new LinkFault(extraNanos, 0, 0, 0));
    }

    /** Messages from {@code from} to {@code to} are lost (checked on arrival); returns the partition id. */
    public int cut(List<NodeId> from, List<NodeId> to) {
        sim.traceFault("cut " + from + " -> " + to);
        return sim.network().partition(new PartitionSpec.OneWay(from, to));
    }

    /** The listed groups cannot reach each other (nodes in no group keep their links); returns the partition id. */
    public int splitGroups(List<List<NodeId>> groups) {
        sim.traceFault("split " + groups);
        return sim.network().partition(new PartitionSpec.Split(groups, false));
    }

    public void healAll() {
        sim.traceFault("heal all");
        sim.network().healAll();
    }

    /** A client outside the quorum asks {@code to} to append {@code value} (sent now, from the script node). */
    public void clientAppend(NodeId to, long value) {
        sim.traceFault("client append " + value + " to " + to);
        sim.process(script, ScriptNode.class).send(to, new RaftMessage.ClientAppend(0, value));
    }

    /** Runs {@code action} as a world action right after the current event (for fault scripts reacting to state). */
    public void soon(Runnable action) {
        sim.schedule(sim.now(), action);
    }

    public void removeLinkFault(int id) {
        sim.traceFault("remove link fault " + id);
        sim.network().removeLinkFault(id);
    }

    /** Builder; defaults: 3 voters, no observers, Kafka defaults, 0.5 ms constant links, 1 ms fsync, every safety and default liveness invariant. */
    public static final class Builder {
        private int voters = 3;
        private int observers;
        private QuorumConfig config = QuorumConfig.defaults();
        private long seed = 1;
        private LatencyModel latency = LatencyModel.constant(500 * Time.MICROSECOND);
        private long oneWayBoundNanos = 500 * Time.MICROSECOND;
        private long fsyncNanos = Time.MILLISECOND;
        private boolean client;
        private long clientMinNanos = 2 * Time.MILLISECOND;
        private long clientMaxNanos = 3 * Time.MILLISECOND;
        private final Set<String> invariants = new LinkedHashSet<>();

        private Builder() {
            invariants.addAll(RaftInvariants.SAFETY);
            invariants.addAll(RaftInvariants.LIVENESS);
        }

        public Builder voters(int n) {
            this.voters = n;
            return this;
        }

        public Builder observers(int n) {
            this.observers = n;
            return this;
        }

        public Builder config(QuorumConfig c) {
            this.config = c;
            return this;
        }

        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /** The links' latency model and an upper bound on one-way latency (for liveness bounds). */
        public Builder latency(LatencyModel model, long oneWayBoundNanos) {
            this.latency = model;
            this.oneWayBoundNanos = oneWayBoundNanos;
            return this;
        }

        public Builder fsync(long nanos) {
            this.fsyncNanos = nanos;
            return this;
        }

        /** Adds an {@link AppendClient} appending every {@code [minNanos, maxNanos]}. */
        public Builder client(long minNanos, long maxNanos) {
            this.client = true;
            this.clientMinNanos = minNanos;
            this.clientMaxNanos = maxNanos;
            return this;
        }

        /** Replaces the invariant selection. */
        public Builder invariants(Set<String> ids) {
            invariants.clear();
            invariants.addAll(ids);
            return this;
        }

        public Builder withInvariant(String id) {
            invariants.add(id);
            return this;
        }

        public Builder withoutInvariant(String id) {
            invariants.remove(id);
            return this;
        }

        public RaftCluster build() {
            return new RaftCluster(this);
        }
    }
}

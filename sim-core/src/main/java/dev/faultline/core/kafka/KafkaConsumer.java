package dev.faultline.core.kafka;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.Errors;
import dev.faultline.core.kafka.KafkaMessage.FetchPartition;
import dev.faultline.core.kafka.KafkaMessage.FetchRequest;
import dev.faultline.core.kafka.KafkaMessage.FetchResponse;
import dev.faultline.core.kafka.KafkaMessage.MetadataRequest;
import dev.faultline.core.kafka.KafkaMessage.MetadataResponse;
import dev.faultline.core.kafka.KafkaMessage.PartitionData;
import dev.faultline.core.kernel.ConnectionReset;
import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.Node;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import java.util.Arrays;
import java.util.List;

/**
 * A simulated {@code read_uncommitted} consumer of some partitions, from offset 0, without a group
 * (it assigns itself the partitions). It polls every {@code pollIntervalNanos}, fetches from the
 * leader with its current leader epoch and the epoch of the last record it consumed (KIP-320), so a
 * leader change that truncated records it consumed is detected (and recorded) instead of read past
 * silently; it then continues from the diverging end offset. Every record it is given goes to the
 * {@link KafkaHistory}.
 *
 * <p>Simplification: no long poll ({@code fetch.max.wait.ms}); polls are periodic.
 */
public final class KafkaConsumer implements Node {
    private record Poll() {
    }

    private record MetadataTimeout(long correlationId) {
    }

    private static final Poll POLL = new Poll();

    private final NodeContext ctx;
    private final ClientEnv env;
    private final String name;
    private final int[] partitions;
    private final long pollIntervalNanos;
    private final long requestTimeoutNanos;
    private final int[] leader;
    private final int[] leaderEpoch;
    private final long[] position;
    private final int[] lastEpoch;
    private final long[] inFlight;
    private final long[] inFlightAt;
    private long nextCorrelation = 1;
    private long metadataCorrelation = -1;
    private int bootstrapIndex;

    KafkaConsumer(NodeContext ctx, ClientEnv env, int[] partitions, long pollIntervalNanos, long requestTimeoutNanos) {
        this.ctx = ctx;
        this.env = env;
        this.name = ctx.self().name();
        this.partitions = partitions.clone();
        this.pollIntervalNanos = pollIntervalNanos;
        this.requestTimeoutNanos = requestTimeoutNanos;
        int n = partitions.length;
        leader = new int[n];
        leaderEpoch = new int[n];
        position = new long[n];
        lastEpoch = new int[n];
        inFlight = new long[n];
        inFlightAt = new long[n];
        Arrays.fill(leader, -1);
        Arrays.fill(leaderEpoch, -1);
        Arrays.fill(lastEpoch, KafkaMessage.NO_EPOCH);
    }

    @Override
    public void onStart() {
        refreshMetadata();
        ctx.setTimer(POLL, pollIntervalNanos);
    }

    @Override
    public void onTimer(Object tag) {
        if (tag instanceof Poll) {
            long now = ctx.now();
            for (int i = 0; i < partitions.length; i++) {
                if (inFlight[i] != 0 && now - inFlightAt[i] > requestTimeoutNanos) {
                    inFlight[i] = 0;
                    leader[i] = -1;
                }
                if (inFlight[i] == 0) {
                    fetch(i);
                }
            }
            ctx.setTimer(POLL, pollIntervalNanos);
        } else if (tag instanceof MetadataTimeout) {
            if (((MetadataTimeout) tag).correlationId() == metadataCorrelation) {
                metadataCorrelation = -1;
                bootstrapIndex++;
                refreshMetadata();
            }
        }
    }

    private void fetch(int i) {
        if (leader[i] < 0) {
            refreshMetadata();
            return;
        }
        long correlation = nextCorrelation++;
        inFlight[i] = correlation;
        inFlightAt[i] = ctx.now();
        ctx.send(ctx.node(ClusterSpec.brokerNodeName(leader[i])), new FetchRequest(-1, -1, correlation, true,
                List.of(new FetchPartition(partitions[i], leaderEpoch[i], position[i], lastEpoch[i])), new int[0]));
    }

    @Override
    public void onMessage(NodeId from, Message message) {
        if (message instanceof FetchResponse) {
            FetchResponse r = (FetchResponse) message;
            for (PartitionData d : r.partitions()) {
                int i = slotOf(d.partition());
                if (i >= 0 && inFlight[i] == r.requestId()) {
                    inFlight[i] = 0;
                    apply(i, d, ClusterSpec.brokerIdOf(from.name()));
                }
            }
        } else if (message instanceof MetadataResponse) {
            MetadataResponse r = (MetadataResponse) message;
            if (r.correlationId() != metadataCorrelation) {
                return;
            }
            metadataCorrelation = -1;
            for (int k = 0; k < r.partitions().length; k++) {
                int i = slotOf(r.partitions()[k]);
                if (i >= 0) {
                    leader[i] = r.leaders()[k];
                    leaderEpoch[i] = r.leaderEpochs()[k];
                }
            }
        } else if (message instanceof ConnectionReset) {
            int broker = ClusterSpec.brokerIdOf(((ConnectionReset) message).peer().name());
            for (int i = 0; i < partitions.length; i++) {
                if (leader[i] == broker) {
                    inFlight[i] = 0;
                    leader[i] = -1;
                }
            }
            metadataCorrelation = -1;
            bootstrapIndex++;
        }
    }

    private void apply(int i, PartitionData d, int servingBroker) {
        int p = partitions[i];
        if (d.diverging()) {
            // KIP-320: records we consumed are no longer in the leader's log from here on.
            long end = d.divergingEndOffset();
            if (end < position[i]) {
                env.history().truncationDetected(env.trueClock().getAsLong(), name, p, end);
                position[i] = end;
                lastEpoch[i] = d.divergingEpoch();
            } else {
                lastEpoch[i] = d.divergingEpoch();
            }
            return;
        }
        if (d.error() != Errors.NONE) {
            if (d.error().invalidatesMetadata()) {
                leader[i] = -1;
            }
            return;
        }
        for (int k = 0; k < d.ids().length; k++) {
            long offset = d.baseOffset() + k;
            if (offset != position[i]) {
                break;
            }
            env.history().consumed(env.trueClock().getAsLong(), name, p, d.ids()[k], offset, d.epochs()[k], servingBroker);
            position[i] = offset + 1;
            lastEpoch[i] = d.epochs()[k];
        }
    }

    private void refreshMetadata() {
        if (metadataCorrelation >= 0) {
            return;
        }
        metadataCorrelation = nextCorrelation++;
        var brokers = env.cluster().brokers();
        int broker = brokers.get(Math.floorMod(bootstrapIndex, brokers.size())).id();
        ctx.send(ctx.node(ClusterSpec.brokerNodeName(broker)), new MetadataRequest(metadataCorrelation, partitions.clone()));
        ctx.setTimer(new MetadataTimeout(metadataCorrelation), requestTimeoutNanos);
    }

    private int slotOf(int partition) {
        for (int i = 0; i < partitions.length; i++) {
            if (partitions[i] == partition) {
                return i;
            }
        }
        return -1;
    }

    /** The next offset this consumer will read from a partition. */
    public long position(int partition) {
        return position[slotOf(partition)];
    }
}

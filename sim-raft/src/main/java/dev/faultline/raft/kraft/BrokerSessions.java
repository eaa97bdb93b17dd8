package dev.faultline.raft.kraft;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.Errors;
import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.raft.kraft.ControllerMessage.BrokerHeartbeatRequest;
import dev.faultline.raft.kraft.ControllerMessage.BrokerHeartbeatResponse;
import dev.faultline.raft.kraft.ControllerMessage.BrokerRegistrationRequest;
import dev.faultline.raft.kraft.ControllerMessage.BrokerRegistrationResponse;
import java.util.Arrays;

/**
 * The active controller's broker sessions: Kafka's {@code BrokerHeartbeatManager} and the
 * registration half of {@code ClusterControlManager} (docs/model.md#broker-lifecycle-heartbeats-and-fencing,
 * docs/model.md#controlled-shutdown). It answers BrokerRegistration and BrokerHeartbeat requests,
 * keeps each broker's last heartbeat and reported metadata offset, fences a broker whose session
 * expired (KIP-631), and runs controlled shutdown. Every method runs inside an event of its
 * {@link QuorumController}, which owns the working image and writes the records; what a fence or a
 * shutdown does to partitions is {@link ReplicationControl}'s. A claim starts fresh sessions for
 * every broker, as Kafka's new active controller builds a new heartbeat manager.
 */
final class BrokerSessions {
    private final QuorumController controller;
    private final KRaftControlPlane plane;
    private final NodeContext ctx;
    private final ReplicationControl replication;
    private final long[] lastHeartbeatNanos;
    /** Per broker, the {@code currentMetadataOffset} of its last heartbeat to this active controller (-1 none). */
    private final long[] lastMetadataOffset;
    /** Per broker in controlled shutdown, the offset of the last record that moved it out (-1 unknown). */
    private final long[] controlledShutdownOffset;

    BrokerSessions(QuorumController controller, KRaftControlPlane plane, NodeContext ctx, ReplicationControl replication) {
        this.controller = controller;
        this.plane = plane;
        this.ctx = ctx;
        this.replication = replication;
        int brokers = plane.cluster().maxBrokerId() + 1;
        this.lastHeartbeatNanos = new long[brokers];
        this.lastMetadataOffset = new long[brokers];
        this.controlledShutdownOffset = new long[brokers];
    }

    /** A claim: a fresh BrokerHeartbeatManager, every registered broker gets a new session. */
    void reset(long now) {
        Arrays.fill(lastHeartbeatNanos, now);
        Arrays.fill(lastMetadataOffset, -1);
        Arrays.fill(controlledShutdownOffset, -1);
    }

    /** Warm start: the established controller heard each broker one heartbeat interval before its first heartbeat of the run. */
    void resume(long now, WarmStart resume) {
        for (ClusterSpec.BrokerSpec b : plane.cluster().brokers()) {
            lastHeartbeatNanos[b.id()] = now + resume.firstHeartbeatNanos[b.id()] - plane.heartbeatIntervalNanos();
        }
    }

    void onRegistration(NodeId from, BrokerRegistrationRequest r) {
        if (!controller.isActive()) {
            controller.send(from, new BrokerRegistrationResponse(Errors.NOT_CONTROLLER, -1, controller.knownLeader()));
            return;
        }
        WorkingImage working = controller.working();
        int b = r.brokerId();
        if (working.isRegistered(b) && working.incarnation(b) == r.incarnationId()) {
            long epoch = working.brokerEpoch(b);
            Message reply = new BrokerRegistrationResponse(Errors.NONE, epoch, -1);
            if (epoch < controller.replayedOffset()) {
                controller.send(from, reply);
            } else {
                controller.replyWhenCommitted(epoch, from, reply);
            }
            return;
        }
        if (working.isActive(b)) {
            // A new incarnation replaces an unfenced one: fence the old registration's leadership first.
            fence(b, "broker-" + b + " re-registered");
        }
        long epoch = controller.append(new MetadataRecord.RegisterBroker(b, r.incarnationId()));
        lastHeartbeatNanos[b] = ctx.now();
        plane.checks().onSessionStarted(ctx.self(), b);
        controller.replyWhenCommitted(epoch, from, new BrokerRegistrationResponse(Errors.NONE, epoch, -1));
    }

    void onHeartbeat(NodeId from, BrokerHeartbeatRequest r) {
        if (!controller.isActive()) {
            controller.send(from, new BrokerHeartbeatResponse(Errors.NOT_CONTROLLER, true, controller.knownLeader()));
            return;
        }
        WorkingImage working = controller.working();
        int b = r.brokerId();
        if (working.brokerEpoch(b) != r.brokerEpoch()) {
            controller.send(from, new BrokerHeartbeatResponse(Errors.STALE_BROKER_EPOCH, true, -1));
            return;
        }
        if (!plane.settings().heartbeatsDoNotRenewSessions) {
            lastHeartbeatNanos[b] = ctx.now();
        } // else planted bug kraftController.heartbeatsDoNotRenewSessions (KM-S7 test switch)
        lastMetadataOffset[b] = r.currentMetadataOffset();
        plane.checks().onHeartbeatArrived(ctx.self(), b);
        if (r.wantShutDown()) {
            onShutdownHeartbeat(from, r);
            return;
        }
        if (working.isFenced(b) && r.currentMetadataOffset() > working.brokerEpoch(b)) {
            // Caught up past its own registration: unfence (BrokerHeartbeatManager.calculateNextBrokerState).
            controller.append(new MetadataRecord.BrokerFencing(b, r.brokerEpoch(), false));
            replication.electWhereLeaderless(b);
            replication.maybeCreatePartitions();
            scheduleFenceCheck();
        }
        controller.send(from, new BrokerHeartbeatResponse(Errors.NONE, working.isFenced(b), -1));
    }

    // ------------------------------------------------------------------ controlled shutdown (docs/model.md#controlled-shutdown)

    /**
     * A heartbeat with {@code wantShutDown} ({@code BrokerHeartbeatManager.calculateNextBrokerState}).
     * A fenced broker is told to shut down at once. An unfenced one enters CONTROLLED_SHUTDOWN the
     * first time: the in-controlled-shutdown registration change, then a PartitionChange for every
     * partition whose ISR holds it (see {@link ReplicationControl#controlledShutdown}). It may shut
     * down (SHUTDOWN_NOW: the controller fences it) once it leads nothing and every other active
     * broker's last heartbeat reported a metadata offset past its controlled-shutdown offset. The
     * answer goes out when the records written for it commit.
     */
    private void onShutdownHeartbeat(NodeId from, BrokerHeartbeatRequest r) {
        WorkingImage working = controller.working();
        int b = r.brokerId();
        if (working.isFenced(b)) {
            controller.send(from, new BrokerHeartbeatResponse(Errors.NONE, true, -1, true));
            return;
        }
        long last = -1;
        if (!working.inControlledShutdown(b)) {
            ctx.trace("controller", "broker-" + b + " enters controlled shutdown");
            last = controller.append(new MetadataRecord.BrokerControlledShutdown(b, r.brokerEpoch()));
            last = replication.controlledShutdown(b, last);
            controlledShutdownOffset[b] = last;
        } else if (controlledShutdownOffset[b] < 0) {
            // Entered under an earlier controller: wait for the others to replay what this one holds.
            controlledShutdownOffset[b] = controller.replayedOffset() - 1;
        }
        boolean shutDownNow = leadsNothing(b) && othersReplayedPast(b, controlledShutdownOffset[b]);
        if (shutDownNow) {
            ctx.trace("controller", "broker-" + b + " may shut down now");
            last = controller.append(new MetadataRecord.BrokerFencing(b, r.brokerEpoch(), true));
            scheduleFenceCheck();
        }
        Message reply = new BrokerHeartbeatResponse(Errors.NONE, working.isFenced(b), -1, shutDownNow);
        if (last >= controller.replayedOffset()) {
            controller.replyWhenCommitted(last, from, reply);
        } else {
            controller.send(from, reply);
        }
    }

    private boolean leadsNothing(int b) {
        return controller.working().leaderCount(b) == 0;
    }

    /** Every other active broker not in controlled shutdown reported a metadata offset past {@code offset}. */
    private boolean othersReplayedPast(int b, long offset) {
        WorkingImage working = controller.working();
        for (int o = 0; o < lastMetadataOffset.length; o++) {
            if (o != b && working.isEligible(o) && lastMetadataOffset[o] <= offset) {
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ session expiry

    /**
     * Kafka 3.9: sets the fence-check timer to the earliest session expiry of an active broker (or
     * cancels it). Kafka 4.0's periodic task ({@link KRaftControlPlane#periodicFencing}) is armed at
     * the claim and re-arms itself: nothing to do here.
     */
    void scheduleFenceCheck() {
        if (plane.periodicFencing()) {
            return;
        }
        WorkingImage working = controller.working();
        long earliest = Long.MAX_VALUE;
        for (int b = 0; b < lastHeartbeatNanos.length; b++) {
            if (working.isActive(b)) {
                earliest = Math.min(earliest, lastHeartbeatNanos[b] + plane.sessionTimeoutNanos());
            }
        }
        if (earliest != Long.MAX_VALUE) {
            ctx.setTimer(ControllerTimer.FENCE_CHECK, Math.max(0, earliest - ctx.now()));
        } else {
            ctx.cancelTimer(ControllerTimer.FENCE_CHECK);
        }
    }

    /**
     * Fences one broker whose session expired (KIP-631), then reschedules: Kafka 3.9 at the next
     * deadline; Kafka 4.0's periodic task at once when it fenced one (the next stale broker, if any,
     * goes in its own event), else one period later. 3.9 fences at the deadline, 4.0 once the last
     * contact is strictly more than the session timeout ago ({@code BrokerHeartbeatTracker.isExpired}).
     * Simplification: 4.0 records a heartbeat's contact time on the request thread, before the
     * controller's event queue; here it is recorded when the controller processes the heartbeat in
     * both versions.
     */
    void maybeFenceOneStaleBroker() {
        WorkingImage working = controller.working();
        long now = ctx.now();
        boolean periodic = plane.periodicFencing();
        boolean fenced = false;
        for (int b = 0; b < lastHeartbeatNanos.length; b++) {
            long silent = now - lastHeartbeatNanos[b];
            if (working.isActive(b) && (periodic ? silent > plane.sessionTimeoutNanos() : silent >= plane.sessionTimeoutNanos())) {
                plane.checks().onFenceDecision(ctx.self(), b);
                fence(b, "broker-" + b + " session expired");
                fenced = true;
                break;
            }
        }
        if (periodic) {
            ctx.setTimer(ControllerTimer.FENCE_CHECK, fenced ? 0 : plane.fenceCheckPeriodNanos());
        } else {
            scheduleFenceCheck();
        }
    }

    /** Fence record plus a PartitionChange for every partition whose ISR holds the broker. */
    private void fence(int brokerId, String cause) {
        controller.append(new MetadataRecord.BrokerFencing(brokerId, controller.working().brokerEpoch(brokerId), true));
        replication.fenced(brokerId);
    }
}

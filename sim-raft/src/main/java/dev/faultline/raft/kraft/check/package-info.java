/**
 * The KRaft controller checks (KM-*, docs/invariants.md), apart from the control plane that runs
 * the controllers: {@link dev.faultline.raft.kraft.check.KRaftChecks} is the control plane's Raft
 * probe (the Raft history, the committed image as ground truth, the safety checks KM-S1..S7 and
 * KM-L4), {@link dev.faultline.raft.kraft.check.IneligibleLeaders} is KM-S4, and
 * {@link dev.faultline.raft.kraft.check.KRaftLivenessChecks} holds KM-L1..L3, with
 * {@link dev.faultline.raft.kraft.check.BrokerHealth} the ground truth KM-L4 reads. They read the plane
 * only through {@link dev.faultline.raft.kraft.check.KRaftView}.
 */
package dev.faultline.raft.kraft.check;

package dev.faultline.raft.quorum;

/** Timer tag: the leader's long-poll of {@code replicaId}'s parked Fetch ran out. */
record ParkedFetchTimer(int replicaId) {
}

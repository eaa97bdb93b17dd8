package dev.faultline.zookeeper.client;

import java.util.List;

/** A node that embeds ZooKeeper clients; checkers find them through this (read only). */
public interface ZkClientHolder {
    List<ZkClient> zkClients();
}

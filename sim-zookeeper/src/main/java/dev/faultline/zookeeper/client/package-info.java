/**
 * The ZooKeeper client a Kafka broker embeds ({@code ZooKeeper} with {@code ClientCnxn}): one
 * server connection at a time, connect and read timeouts derived from the negotiated session
 * timeout, reconnection with the session id and last zxid seen, {@code Expired} as the server
 * decides it, and one-shot watches re-set after a reconnect. {@link
 * dev.faultline.zookeeper.client.ZkClientNode} runs a client as a node of its own for ensemble
 * tests, measurements and the administrator of the {@code force-controller-election} fault. See
 * docs/model.md, "Client and watches" and "Sessions".
 */
package dev.faultline.zookeeper.client;

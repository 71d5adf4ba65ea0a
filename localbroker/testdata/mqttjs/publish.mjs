// publish.mjs URL TOPIC
//
// Connects to mqttdesk's broker with MQTT.js (MQTT 5) and publishes four
// messages to TOPIC, QoS 1 and QoS 2, each without and with a user
// property, one after the other. Prints one JSON line per publish: its QoS,
// whether it had user properties, and the error MQTT.js reported when the
// broker's acknowledgement was a failure (null when it completed).
import mqtt from "mqtt";

const [url, topic] = process.argv.slice(2);
const fail = (err) => {
  console.error(String(err));
  process.exit(1);
};
setTimeout(() => fail(new Error("publishes not acknowledged within 10 s")), 10000).unref();

const client = mqtt.connect(url, {
  protocolVersion: 5,
  clientId: `mqttjs-pub-${process.pid}`,
  reconnectPeriod: 0,
  connectTimeout: 5000,
});
client.on("error", fail);

const publish = (qos, user) =>
  new Promise((resolve) => {
    const properties = user ? { userProperties: { tool: "mqttjs" } } : {};
    client.publish(topic, `qos ${qos}`, { qos, properties }, (err) => {
      console.log(JSON.stringify({ qos, user, error: err ? String(err.message ?? err) : null }));
      resolve();
    });
  });

client.on("connect", async () => {
  for (const qos of [1, 2]) {
    for (const user of [false, true]) {
      await publish(qos, user);
    }
  }
  client.end(false, () => process.exit(0));
});

// roundtrip.mjs URL TOPIC [CA_FILE]
//
// Connects to mqttdesk's broker with MQTT.js over WebSocket (MQTT 5, with
// Request Problem Information off), subscribes to TOPIC, publishes one QoS 1
// message with a user property to it, and prints what comes back as JSON.
import fs from "node:fs";
import mqtt from "mqtt";

const [url, topic, caFile] = process.argv.slice(2);
const fail = (err) => {
  console.error(String(err));
  process.exit(1);
};
setTimeout(() => fail(new Error("no message within 10 s")), 10000).unref();

const client = mqtt.connect(url, {
  protocolVersion: 5,
  clientId: `mqttjs-${process.pid}`,
  reconnectPeriod: 0,
  connectTimeout: 5000,
  properties: { sessionExpiryInterval: 60, requestProblemInformation: false },
  ...(caFile ? { ca: fs.readFileSync(caFile) } : {}),
});
client.on("error", fail);
client.on("connect", () => {
  client.subscribe(topic, { qos: 1 }, (err) => {
    if (err) fail(err);
    client.publish(topic, "from mqtt.js", {
      qos: 1,
      properties: { userProperties: { tool: "mqttjs" } },
    });
  });
});
client.on("message", (t, payload, packet) => {
  console.log(JSON.stringify({
    topic: t,
    payload: payload.toString(),
    qos: packet.qos,
    user: packet.properties?.userProperties ?? null,
  }));
  client.end(false, () => process.exit(0));
});

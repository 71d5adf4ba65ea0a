package main

// row is one line of the scoreboard: where its figures come from and what
// it aims at.
type row struct {
	ID    string // "1a"
	What  string // what was measured, with its unit
	Bench string // the benchmark's name, without "Benchmark" and the GOMAXPROCS suffix
	Ours  string // the unit under which the benchmark reports mqttdesk's figure
	// PeerName and Peer name the peer and the unit of its figure; empty
	// when the row has no peer.
	PeerName, Peer string
	Lower          bool // lower figures are better: times, memory, sizes
	Aim            aim
}

// allRows is the scoreboard, in the order the issue lists its rows.
func allRows() []row {
	const broker = "BrokerVsMosquitto/"
	return []row{
		{ID: "1a", What: "local broker 1→1, QoS 0, 64 B (msg/s)", Bench: broker + "1to1_qos0", Ours: "mqttdesk_msg/s", PeerName: "mosquitto", Peer: "mosquitto_msg/s", Aim: ratioAtLeast(1)},
		{ID: "1b", What: "local broker 1→1, QoS 1, 64 B (msg/s)", Bench: broker + "1to1_qos1", Ours: "mqttdesk_msg/s", PeerName: "mosquitto", Peer: "mosquitto_msg/s", Aim: ratioAtLeast(1)},
		{ID: "2a", What: "local broker 1→10, QoS 0, 64 B (msg/s published)", Bench: broker + "1to10_qos0", Ours: "mqttdesk_msg/s", PeerName: "mosquitto", Peer: "mosquitto_msg/s", Aim: ratioAtLeast(1)},
		{ID: "2b", What: "local broker 1→10, QoS 1, 64 B (msg/s published)", Bench: broker + "1to10_qos1", Ours: "mqttdesk_msg/s", PeerName: "mosquitto", Peer: "mosquitto_msg/s", Aim: ratioAtLeast(1)},
		{ID: "3a", What: "local broker, 1,000 clients: time to connect all (ms)", Bench: "BrokerThousandClients", Ours: "mqttdesk_connect_ms", PeerName: "mosquitto", Peer: "mosquitto_connect_ms", Lower: true},
		{ID: "3b", What: "local broker, 1,000 clients: memory they add (MB RSS)", Bench: "BrokerThousandClients", Ours: "mqttdesk_rss_MB", PeerName: "mosquitto", Peer: "mosquitto_rss_MB", Lower: true},
		{ID: "4a", What: "one session receiving QoS 0, 64 B (msg/s)", Bench: "SessionReceive", Ours: "session_msg/s", PeerName: "mosquitto_sub", Peer: "mosquitto_sub_msg/s", Aim: ratioAtLeast(1)},
		{ID: "4b", What: "one session receiving QoS 0, 64 B (msg/s)", Bench: "SessionReceive", Ours: "session_msg/s", PeerName: "MQTT.js mqtt sub", Peer: "mqttjs_sub_msg/s", Aim: ratioAtLeast(5)},
		{ID: "5a", What: "ingest: broker → session → history → view (msg/s)", Bench: "IngestVsMosquittoSub", Ours: "mqttdesk_msg/s", PeerName: "mosquitto_sub", Peer: "mosquitto_sub_msg/s", Aim: ratioAtLeast(1)},
		{ID: "5b", What: "ingest, broker in its own process (msg/s)", Bench: "IngestExternalBroker", Ours: "mqttdesk_msg/s", PeerName: "mosquitto_sub", Peer: "mosquitto_sub_msg/s", Aim: ratioAtLeast(1)},
		{ID: "5c", What: "arrival to view at 20,000 msg/s, p99 (ms)", Bench: "ArrivalToViewLatency", Ours: "p99-ms", Lower: true, Aim: atMost(100)},
		{ID: "5d", What: "memory (RSS anon) after 10 million arrived (MB)", Bench: "MemoryAfterMillions", Ours: "rss-MB", Lower: true},
		{ID: "5e", What: "its growth from 1 million to 10 million (x)", Bench: "MemoryAfterMillions", Ours: "rss-growth-x", Lower: true, Aim: atMost(1.25)},
		{ID: "6a", What: "window event-loop delay at 20,000 msg/s, p99 (ms)", Bench: "EventLoopUnderLoad", Ours: "p99-ms", Lower: true, Aim: atMost(50)},
		{ID: "6b", What: "app CPU meanwhile (% of one core)", Bench: "EventLoopUnderLoad", Ours: "cpu-%", Lower: true},
		{ID: "7a", What: "history append, 64 B (msg/s)", Bench: "Append/64B", Ours: "msg/s", Aim: atLeast(300_000)},
		{ID: "7b", What: "history append, 1 KiB (msg/s)", Bench: "Append/1024B", Ours: "msg/s"},
		{ID: "7c", What: "newest page at 10 million, file just opened (ms)", Bench: "LargeHistory", Ours: "newest-page-ms", Lower: true, Aim: atMost(50)},
		{ID: "7d", What: "substring search over 1 million (ms)", Bench: "LargeHistory", Ours: "search-ms", Lower: true, Aim: atMost(500)},
		{ID: "7e", What: "history file size / raw topic+payload bytes (x)", Bench: "LargeHistory", Ours: "file/raw", Lower: true, Aim: atMost(1.5)},
		{ID: "7f", What: "heap (RSS anon) after paging all 10 million (MB)", Bench: "LargeHistory", Ours: "rss-anon-MB", Lower: true, Aim: atMost(100)},
		{ID: "8a", What: "start-up to first frame, empty history (ms)", Bench: "StartUp/empty", Ours: "first-frame-ms", Lower: true, Aim: atMost(1000)},
		{ID: "8b", What: "start-up to first frame, 1 million stored (ms)", Bench: "StartUp/1M_messages", Ours: "first-frame-ms", Lower: true, Aim: atMost(1000)},
		{ID: "8c", What: "start-up to the newest messages on screen, 1 million stored (ms)", Bench: "StartUp/1M_messages", Ours: "messages-frame-ms", Lower: true, Aim: atMost(1000)},
		{ID: "8d", What: "idle RSS after start-up, 1 million stored (MB)", Bench: "StartUp/1M_messages", Ours: "idle-rss-MB", Lower: true},
		{ID: "8e", What: "binary size (MB)", Bench: "StartUp/empty", Ours: "binary-MB", Lower: true},
	}
}

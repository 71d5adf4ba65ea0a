package ui

import (
	"testing"

	"github.com/mqttdesk/mqttdesk/app"
)

func TestBrokerTrouble(t *testing.T) {
	for _, tc := range []struct {
		st   app.BrokerState
		want string
	}{
		{app.BrokerState{}, ""},
		{app.BrokerState{Dropped: 2841, SlowestClient: "sensor-7"}, "2841 dropped (too slow: sensor-7)"},
		{app.BrokerState{Refused: 1, Denied: 3}, "1 login refused · 3 denied by the access list"},
	} {
		if got := brokerTrouble(tc.st); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.st, got, tc.want)
		}
	}
}

package mqtt

import (
	"strings"
	"testing"
)

func TestOptionsURL(t *testing.T) {
	for _, tc := range []struct {
		opts Options
		want string
	}{
		{NewOptions("a", SchemeMQTT, "127.0.0.1"), "mqtt://127.0.0.1:1883"},
		{NewOptions("b", SchemeWSS, "broker.local"), "wss://broker.local:8084/mqtt"},
		{Options{Scheme: SchemeWS, Host: "::1", Port: 80, WSPath: "ws"}, "ws://[::1]:80/ws"},
		{NewOptions("c", SchemeMQTTS, "h"), "mqtts://h:8883"},
	} {
		if got := tc.opts.URL(); got != tc.want {
			t.Errorf("URL() = %q, want %q", got, tc.want)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	good := NewOptions("ok", SchemeMQTT, "localhost")
	if err := good.Validate(); err != nil {
		t.Fatalf("default options: %v", err)
	}
	for _, tc := range []struct {
		change func(*Options)
		want   string
	}{
		{func(o *Options) { o.Scheme = "http" }, "scheme"},
		{func(o *Options) { o.Host = " " }, "host is empty"},
		{func(o *Options) { o.Port = 70000 }, "port 70000"},
		{func(o *Options) { o.Version = "4" }, "MQTT version"},
		{func(o *Options) { o.KeepAlive = -1 }, "keep-alive"},
	} {
		o := good
		tc.change(&o)
		if err := o.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate() = %v, want an error about %q", err, tc.want)
		}
	}
}

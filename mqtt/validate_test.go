package mqtt

import (
	"strings"
	"testing"
)

var filterCases = []struct {
	filter string
	ok     bool
}{
	{"a/b/c", true},
	{"#", true},
	{"+", true},
	{"a/+/c", true},
	{"a/#", true},
	{"+/+", true},
	{"/", true},
	{"a//b", true},
	{"/a", true},
	{"$SYS/#", true},
	{"$share/g/a/+", true},
	{"ünïcode/✓", true},
	{"", false},
	{"a/#/c", false},
	{"a#", false},
	{"a/b#", false},
	{"a+/b", false},
	{"a/+b", false},
	{"$share/g", false},
	{"$share//a", false},
	{"$share/g+/a", false},
	{"a\x00b", false},
	{"\xff", false},
	{strings.Repeat("a", 65536), false},
}

func TestValidateFilter(t *testing.T) {
	for _, tc := range filterCases {
		if err := ValidateFilter(tc.filter); (err == nil) != tc.ok {
			t.Errorf("ValidateFilter(%.20q) = %v, want ok=%v", tc.filter, err, tc.ok)
		}
	}
}

func TestValidateTopicName(t *testing.T) {
	for _, tc := range []struct {
		topic string
		ok    bool
	}{
		{"a/b", true},
		{"/", true},
		{"a//b", true},
		{"$SYS/x", true},
		{"", false},
		{"a/+", false},
		{"#", false},
		{"a\x00", false},
		{"\xc3\x28", false},
	} {
		if err := ValidateTopicName(tc.topic); (err == nil) != tc.ok {
			t.Errorf("ValidateTopicName(%q) = %v, want ok=%v", tc.topic, err, tc.ok)
		}
	}
}

func FuzzValidateFilter(f *testing.F) {
	for _, tc := range filterCases {
		f.Add(tc.filter)
	}
	f.Fuzz(func(t *testing.T, filter string) {
		err := ValidateFilter(filter)
		if err == nil && (filter == "" || strings.Contains(filter, "#/") || strings.ContainsRune(filter, 0)) {
			t.Fatalf("accepted %q", filter)
		}
		if ValidateTopicName(filter) == nil && err != nil && !strings.HasPrefix(filter, "$share/") {
			t.Fatalf("%q is a valid topic name but not a valid filter: %v", filter, err)
		}
	})
}

func TestSubscribeResultText(t *testing.T) {
	for _, tc := range []struct {
		r    SubscribeResult
		want string
	}{
		{SubscribeResult{ReasonCode: 1, Requested: 1}, "granted QoS 1"},
		{SubscribeResult{ReasonCode: 0, Requested: 2}, "QoS granted 0 instead of 2"},
		{SubscribeResult{ReasonCode: 0x87, Requested: 1}, "not authorized"},
	} {
		if got := tc.r.Text(); got != tc.want {
			t.Errorf("Text() = %q, want %q", got, tc.want)
		}
	}
}

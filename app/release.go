package app

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Release is mqttdesk's version, as FyneApp.toml gives it.
const Release = "0.1.0"

// VersionLine says which mqttdesk this is: "mqttdesk 0.1.0 (commit
// 1a2b3c4, go1.26.8, linux/amd64)", the commit when the build recorded it.
func VersionLine() string {
	commit := ""
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 7 {
				commit = "commit " + s.Value[:7] + ", "
			}
		}
	}
	return fmt.Sprintf("mqttdesk %s (%s%s, %s/%s)", Release, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

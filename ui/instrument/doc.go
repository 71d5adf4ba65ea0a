// Package instrument measures and maps the real window for mqttdesk's
// benchmarks and window tests: when the first frame and the first
// messages are painted, how late the Fyne event loop runs, a map of what
// the window shows for tests that click through it, and a CPU profile.
// Nothing of it runs unless an environment variable asks (see FromEnv).
//
// Only main imports instrument.
package instrument

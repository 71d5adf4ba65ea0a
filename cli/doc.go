// Package cli holds mqttdesk's command line: the global flags and the
// headless commands (broker, import, bench), with their flags, help and
// output. It uses the application core (app) and, for the broker and the
// load generator, localbroker and mqttcore; never the window.
//
// Only main imports cli.
package cli

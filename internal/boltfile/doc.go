// Package boltfile checks a bbolt data file with the standard library
// alone, before bbolt maps it, and turns bbolt's panics and memory faults
// on a damaged file into errors. bbolt trusts its file: a truncated copy
// makes Open panic ("invalid freelist page") or fault (SIGBUS), which no
// recover catches unless debug.SetPanicOnFault is on.
//
// storage (mqttdesk's history) and localbroker (the broker's persistence
// file, opened by mochi's bolt hook) import it. It imports none of
// mqttdesk's packages, nor bbolt: it reads bbolt's on-disk format itself,
// so that localbroker need not import storage and only storage imports
// bbolt.
package boltfile

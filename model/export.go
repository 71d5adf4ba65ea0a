package model

// ExportOptions choose what goes into an export besides profiles and
// subscriptions.
type ExportOptions struct {
	Messages bool // the message history too
	Secrets  bool // passwords and passphrases, in plain text: only when asked
	// ProfileID, when set, exports that profile alone.
	ProfileID string
}

// ImportSummary says what an import added.
type ImportSummary struct {
	Profiles, Subscriptions int
	Messages                int64
}

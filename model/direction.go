package model

// Direction says whether a message was received or published.
type Direction byte

// Directions.
const (
	Received  Direction = 0
	Published Direction = 1
)

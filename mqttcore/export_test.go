package mqttcore

// cutConnection closes the current connection's socket without a
// DISCONNECT, as a network failure would.
func (s *Session) cutConnection() {
	s.mu.Lock()
	tap := s.tap
	s.mu.Unlock()
	if tap != nil {
		_ = tap.Conn.Close()
	}
}

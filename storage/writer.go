package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Writer settings: a group is committed when it holds groupSize messages
// or groupDelay has passed since its first, whichever comes first.
const (
	groupSize  = 8192
	groupDelay = 20 * time.Millisecond
	queueSize  = 1 << 16
)

// QueueCapacity is how many messages wait for the disk before Append waits.
const QueueCapacity = queueSize

// Sentinel errors of the history writer.
var (
	// ErrClosed is returned by Append after Close.
	ErrClosed = errors.New("storage: closed")
	// ErrEmptyTopic is returned by Append for a message without a topic.
	ErrEmptyTopic = errors.New("storage: a message needs a topic")
)

type appendReq struct {
	profile string
	msg     Message
	flushed chan<- error // set for Flush requests only
}

// WriterStats describe the history writer.
type WriterStats struct {
	Queued       int    // messages waiting to be committed
	Committed    uint64 // messages committed since Open
	Groups       uint64 // transactions committed
	Backpressure uint64 // Append calls that had to wait for room in the queue
	Rejected     uint64 // messages that could not be stored (never disk trouble, which is retried)
	Retrying     bool   // the disk refused the last commit, which is being retried
	LastError    error  // the last commit error, while Retrying or after a rejection
}

// writer owns every write to the message history: it commits messages in
// groups, one transaction per group, from one goroutine.
type writer struct {
	s     *Store
	queue chan appendReq
	done  chan struct{}
	stop  sync.Once

	committed, groups, backpressure, rejected atomic.Uint64
	mu                                        sync.Mutex
	lastErr                                   error
	retrying                                  bool
}

func startWriter(s *Store) *writer {
	w := &writer{s: s, queue: make(chan appendReq, queueSize), done: make(chan struct{})}
	go w.run()
	return w
}

// Append queues m for profileID's history and returns its sequence number
// in that history. It returns at once while the queue has room, and waits
// (back-pressure) while the disk falls behind, until ctx ends. The message
// is on disk after the next group commit; Flush waits for that. Appends to
// one profile must come from one goroutine at a time for their sequence
// numbers to follow the order of the calls.
func (s *Store) Append(ctx context.Context, profileID string, m Message) (uint64, error) {
	s.appendMu.RLock() // Close takes it to close the queue
	defer s.appendMu.RUnlock()
	if s.closed.Load() {
		return 0, ErrClosed
	}
	if m.Topic == "" {
		return 0, ErrEmptyTopic
	}
	seq, err := s.seqs.next(s, profileID)
	if err != nil {
		return 0, err
	}
	m.Seq = seq
	req := appendReq{profile: profileID, msg: m}
	select {
	case s.writer.queue <- req:
		return seq, nil
	default:
	}
	s.writer.backpressure.Add(1)
	select {
	case s.writer.queue <- req:
		return seq, nil
	case <-ctx.Done():
		s.seqs.giveBack(profileID, seq)
		return 0, ctx.Err()
	}
}

// Flush waits until every message appended before it is committed.
func (s *Store) Flush(ctx context.Context) error {
	done := make(chan error, 1)
	if err := s.enqueueFlush(ctx, done); err != nil {
		return err
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Store) enqueueFlush(ctx context.Context, done chan<- error) error {
	s.appendMu.RLock()
	defer s.appendMu.RUnlock()
	if s.closed.Load() {
		return ErrClosed
	}
	select {
	case s.writer.queue <- appendReq{flushed: done}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// WriterStats returns the writer's counters.
func (s *Store) WriterStats() WriterStats {
	w := s.writer
	w.mu.Lock()
	lastErr, retrying := w.lastErr, w.retrying
	w.mu.Unlock()
	return WriterStats{
		Queued: len(w.queue), Committed: w.committed.Load(), Groups: w.groups.Load(),
		Backpressure: w.backpressure.Load(), Rejected: w.rejected.Load(), Retrying: retrying, LastError: lastErr,
	}
}

func (w *writer) run() {
	defer close(w.done)
	group := make([]appendReq, 0, groupSize)
	for {
		first, ok := <-w.queue
		if !ok {
			return
		}
		group = w.collect(append(group[:0], first))
		w.commitRetrying(group)
	}
}

// collect adds queued requests to group until it is full, groupDelay has
// passed, a flush asks for a commit, or the queue closes.
func (w *writer) collect(group []appendReq) []appendReq {
	if group[0].flushed != nil {
		return group
	}
	timer := time.NewTimer(groupDelay)
	defer timer.Stop()
	for len(group) < groupSize {
		select {
		case req, ok := <-w.queue:
			if !ok {
				return group
			}
			group = append(group, req)
			if req.flushed != nil {
				return group
			}
		case <-timer.C:
			return group
		}
	}
	return group
}

// commitRetrying commits group. A failure that is about one message (an
// empty or over-long topic, an over-large payload) rejects only that
// message; a damaged file (ErrCorrupt) rejects the group. Any other failure is taken for the disk refusing (full, file
// size limit, read-only, failing; bbolt does not always keep the cause in
// its errors) and retried with backoff: nothing queued is dropped, and the
// queue filling up is the back-pressure callers see.
func (w *writer) commitRetrying(group []appendReq) {
	delay := 50 * time.Millisecond
	for {
		err := w.commit(group)
		if err != nil && isMessageError(err) {
			err = w.commitEach(group)
		}
		if errors.Is(err, bolterrors.ErrDatabaseNotOpen) {
			w.answerFlushes(group, err)
			return
		}
		if errors.Is(err, ErrCorrupt) {
			w.reject(group, err) // retrying a damaged file cannot help
			return
		}
		w.setState(err, err != nil)
		if err == nil {
			w.answerFlushes(group, nil)
			return
		}
		time.Sleep(delay)
		delay = min(2*delay, 2*time.Second)
	}
}

func (w *writer) setState(err error, retrying bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		w.lastErr = err
	} else if w.retrying {
		w.lastErr = nil // the disk recovered; a rejection stays reported
	}
	w.retrying = retrying
}

// commitEach commits the messages of group one by one, rejecting those
// at fault; it returns the first failure that is not about a message.
func (w *writer) commitEach(group []appendReq) error {
	for i := range group {
		if group[i].flushed != nil {
			continue
		}
		err := w.commit(group[i : i+1])
		if err != nil && !isMessageError(err) {
			return err
		}
		if err != nil {
			w.rejected.Add(1)
			w.mu.Lock()
			w.lastErr = err
			w.mu.Unlock()
		}
	}
	return nil
}

// isMessageError reports whether err is about one message rather than
// the disk: no topic, a topic longer than bbolt's 32 KiB keys, a value
// over bbolt's limit, or a record that could not be encoded.
func isMessageError(err error) bool {
	for _, e := range []error{bolterrors.ErrKeyRequired, bolterrors.ErrKeyTooLarge, bolterrors.ErrValueTooLarge, errEncode} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// reject gives up on every message of group, reporting err.
func (w *writer) reject(group []appendReq, err error) {
	for _, req := range group {
		if req.flushed == nil {
			w.rejected.Add(1)
		}
	}
	w.setState(err, false)
	w.answerFlushes(group, err)
}

func (w *writer) answerFlushes(group []appendReq, err error) {
	for _, req := range group {
		if req.flushed != nil {
			req.flushed <- err
		}
	}
}

// commit writes group's messages in one transaction; a group of flushes
// alone writes nothing.
func (w *writer) commit(group []appendReq) error {
	if !slices.ContainsFunc(group, func(r appendReq) bool { return r.flushed == nil }) {
		return nil
	}
	n := 0
	err := w.s.update(func(tx *bolt.Tx) error {
		var err error
		n, err = w.s.appendGroup(tx, group)
		return err
	})
	if err != nil {
		w.forgetTopics(group)
		return fmt.Errorf("storage: commit %d messages: %w", len(group), err)
	}
	w.committed.Add(uint64(n))
	w.groups.Add(1)
	return nil
}

// forgetTopics drops the topic caches of group's profiles after a failed
// commit: they may hold topics interned in the transaction that was
// rolled back, which the next load from the file will not have.
func (w *writer) forgetTopics(group []appendReq) {
	for _, req := range group {
		if req.flushed == nil {
			w.s.topics.forget(req.profile)
		}
	}
}

// close stops the writer after it has committed everything queued.
func (w *writer) close() {
	w.stop.Do(func() {
		close(w.queue)
		<-w.done
	})
}

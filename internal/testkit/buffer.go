package testkit

import (
	"bytes"
	"sync"
)

// Buffer is a bytes.Buffer that a running goroutine or process may write to
// while the test reads it (the race detector flags a bare bytes.Buffer).
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Buffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String is everything written so far.
func (l *Buffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

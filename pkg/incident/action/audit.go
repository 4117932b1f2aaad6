package action

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	Time       time.Time      `json:"time"`
	Mode       string         `json:"mode"`
	Action     string         `json:"action"`
	Type       string         `json:"type,omitempty"`
	ProposedBy string         `json:"proposedBy,omitempty"`
	Reason     string         `json:"reason,omitempty"`
	Inputs     map[string]any `json:"inputs,omitempty"`
	Status     string         `json:"status"`
	Result     string         `json:"result,omitempty"`
	DryRun     bool           `json:"dryRun,omitempty"`
}

// AuditLog appends JSONL entries; the file is opened in append mode for
// every entry so concurrent bsai runs never overwrite each other.
type AuditLog struct {
	Path string
	mu   sync.Mutex
}

// Append writes one entry.
func (a *AuditLog) Append(e AuditEntry) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	f, err := a.open()
	if err != nil {
		return err
	}
	b, err := json.Marshal(e)
	if err != nil {
		f.Close()
		return fmt.Errorf("audit log: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("audit log: %w", err)
	}
	return f.Close()
}

// Writable checks, before anything runs, that entries can be appended:
// actions fail closed when they could not be audited.
func (a *AuditLog) Writable() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	f, err := a.open()
	if err != nil {
		return err
	}
	return f.Close()
}

// open makes the log's directory and opens the file for appending; the
// caller holds a.mu.
func (a *AuditLog) open() (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(a.Path), 0o700); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	f, err := os.OpenFile(a.Path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return f, nil
}

// DefaultAuditPath is $XDG_STATE_HOME/bsai/incident-audit.jsonl, else
// ~/.local/state/bsai/..., else the user cache dir.
func DefaultAuditPath(getenv func(string) string) string {
	if d := getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "bsai", "incident-audit.jsonl")
	}
	if h, err := os.UserHomeDir(); err == nil && h != "" {
		return filepath.Join(h, ".local", "state", "bsai", "incident-audit.jsonl")
	}
	if c, err := os.UserCacheDir(); err == nil {
		return filepath.Join(c, "bsai", "incident-audit.jsonl")
	}
	return filepath.Join(os.TempDir(), "bsai-incident-audit.jsonl")
}

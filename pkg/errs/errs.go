// Package errs gives errors a kind, so one place (cmd/root) can map any error
// to an exit code, and a hint, so the user learns what to do next.
package errs

import (
	"context"
	"errors"
	"fmt"
)

// Kind classifies an error for the exit code.
type Kind int

const (
	KindFailure     Kind = iota // 1: anything else
	KindUsage                   // 2: bad flags or arguments
	KindValidation              // 3: the input was read fine but has findings
	KindConfig                  // 4: config, credentials, authorisation
	KindNotFound                // 1: a named thing does not exist
	KindUpstream                // 1: a server we talk to failed
	KindInterrupted             // 130: Ctrl-C or cancelled context
)

// Exit codes documented in the README.
const (
	ExitOK          = 0
	ExitFailure     = 1
	ExitUsage       = 2
	ExitValidation  = 3
	ExitConfig      = 4
	ExitInterrupted = 130
)

// Error is an error with a kind and an optional hint. Messages are one line
// and lower-case; the hint is printed on its own line by the root command.
type Error struct {
	Kind Kind
	Msg  string
	Hint string
	Err  error
	// Silent errors have already been reported (e.g. validation findings were
	// printed); the root command only sets the exit code.
	Silent bool
}

// Error returns Msg, which already holds the cause when the constructor's
// format used %w; Err is kept only for errors.Is/As.
func (e *Error) Error() string {
	if e.Msg == "" && e.Err != nil {
		return e.Err.Error()
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

func newf(k Kind, format string, args ...any) *Error {
	err := fmt.Errorf(format, args...)
	cause := errors.Unwrap(err)
	if _, multi := err.(interface{ Unwrap() []error }); multi {
		// Two or more %w: errors.Unwrap returns nil for these, so keep the
		// fmt error itself, whose Unwrap() []error reaches every cause.
		cause = err
	}
	return &Error{Kind: k, Msg: err.Error(), Err: cause}
}

// Usage reports bad flags or arguments (exit 2).
func Usage(format string, args ...any) *Error { return newf(KindUsage, format, args...) }

// Config reports bad configuration or credentials (exit 4).
func Config(format string, args ...any) *Error { return newf(KindConfig, format, args...) }

// Validation reports findings in user input (exit 3).
func Validation(format string, args ...any) *Error { return newf(KindValidation, format, args...) }

// NotFound reports a named thing that does not exist (exit 1).
func NotFound(format string, args ...any) *Error { return newf(KindNotFound, format, args...) }

// Upstream reports a failing server (exit 1).
func Upstream(format string, args ...any) *Error { return newf(KindUpstream, format, args...) }

// Failure is a generic error with a kind of its own (exit 1).
func Failure(format string, args ...any) *Error { return newf(KindFailure, format, args...) }

// WithHint returns e with a hint attached.
func (e *Error) WithHint(format string, args ...any) *Error {
	e.Hint = fmt.Sprintf(format, args...)
	return e
}

// Silenced marks e as already reported.
func (e *Error) Silenced() *Error { e.Silent = true; return e }

// Wrap gives any error a kind and hint without losing its chain.
func Wrap(k Kind, err error, hint string) *Error {
	if err == nil {
		return nil
	}
	return &Error{Kind: k, Err: err, Hint: hint}
}

// KindOf finds the kind of err; cancelled contexts count as interrupted,
// even when a package already gave the error a kind of its own (Ctrl-C in
// the middle of a request reported as "upstream" must still exit 130).
func KindOf(err error) Kind {
	if err == nil {
		return KindFailure
	}
	if errors.Is(err, context.Canceled) {
		return KindInterrupted
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindFailure
}

// HintOf returns the first hint found in err's chain (depth-first, outermost
// first, following errors that wrap several causes too).
func HintOf(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := err.(*Error); ok && e.Hint != "" {
		return e.Hint
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return HintOf(u.Unwrap())
	case interface{ Unwrap() []error }:
		for _, c := range u.Unwrap() {
			if h := HintOf(c); h != "" {
				return h
			}
		}
	}
	return ""
}

// IsSilent reports whether err was already shown to the user.
func IsSilent(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Silent
}

// ExitCode is the single mapping from errors to process exit codes.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	switch KindOf(err) {
	case KindUsage:
		return ExitUsage
	case KindValidation:
		return ExitValidation
	case KindConfig:
		return ExitConfig
	case KindInterrupted:
		return ExitInterrupted
	default:
		return ExitFailure
	}
}

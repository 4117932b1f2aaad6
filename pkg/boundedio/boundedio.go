// Package boundedio is the one way bsai reads files and streams it does not
// control: catalog files and their $text/$json/$yaml targets, config
// $file/$include targets, templates, alerts, --args and stdin. Every read
// has a cap, refuses what is not a regular file before opening it (a FIFO
// would block the open, /dev/zero never ends), and stops when the context
// is cancelled, so Ctrl-C works while bsai waits on a slow pipe.
package boundedio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/dustin/go-humanize"

	"github.com/bsai-dev/bsai/pkg/errs"
)

// Default caps. Inputs are alerts, templates, --args, stdin and the files
// placeholders and config directives point at; catalog files get more room
// because real exports put tens of thousands of entities in one file.
const (
	DefaultInputBytes   int64 = 10 << 20 // 10 MiB
	DefaultCatalogBytes int64 = 64 << 20 // 64 MiB
)

// Config keys that change the caps (also settable as APP_CONFIG_… env
// overrides, e.g. APP_CONFIG_bsai_limits_inputBytes=20MiB).
const (
	SettingInput   = "bsai.limits.inputBytes"
	SettingCatalog = "bsai.limits.catalogFileBytes"
)

// Limit is a cap on one read and the setting that changes it, which the
// error names so the user knows what to do.
type Limit struct {
	Bytes   int64
	Setting string
}

// Input is the default cap for inputs.
func Input() Limit { return Limit{Bytes: DefaultInputBytes, Setting: SettingInput} }

// Catalog is the default cap for catalog files.
func Catalog() Limit { return Limit{Bytes: DefaultCatalogBytes, Setting: SettingCatalog} }

func (l Limit) orDefault() Limit {
	if l.Bytes <= 0 {
		l.Bytes = DefaultInputBytes
	}
	if l.Setting == "" {
		l.Setting = SettingInput
	}
	return l
}

// Sentinels for errors.Is.
var (
	ErrTooLarge   = errors.New("over the size limit")
	ErrNotRegular = errors.New("not a regular file")
)

// chunk is how much is read between context checks.
const chunk = 256 << 10

// ReadFile reads the regular file at path, at most lim.Bytes of it. A path
// that is (or links to) a FIFO, device, socket or directory is refused
// before it is opened.
func ReadFile(ctx context.Context, path string, lim Limit) ([]byte, error) {
	lim = lim.orDefault()
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := regular(path, st); err != nil {
		return nil, err
	}
	if st.Size() > lim.Bytes {
		return nil, tooLarge(path, lim)
	}
	f, st, err := OpenRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Size is only a hint (files in /proc report 0), so the read is capped
	// on its own.
	return readCapped(ctx, f, path, lim, st.Size())
}

// OpenRegular opens path for reading when it is (or links to) a regular
// file: anything else is refused before it is opened, and a FIFO swapped
// in between that check and the open neither blocks the open
// (O_NONBLOCK) nor gets past the check of what was opened.
func OpenRegular(path string) (*os.File, fs.FileInfo, error) {
	if err := CheckRegular(path); err != nil {
		return nil, nil, err
	}
	f, err := openNoBlock(path)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err == nil {
		err = regular(path, st)
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, st, nil
}

// ReadAll reads r to the end, at most lim.Bytes. It returns ctx's error as
// soon as ctx is done, even while a Read blocks (a terminal or a pipe
// nobody writes to); the blocked Read then finishes in the background,
// which is fine for stdin in a process that is about to exit.
func ReadAll(ctx context.Context, r io.Reader, name string, lim Limit) ([]byte, error) {
	lim = lim.orDefault()
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := readCapped(ctx, r, name, lim, 0)
		done <- result{b, err}
	}()
	select {
	case res := <-done:
		return res.b, res.err
	case <-ctx.Done():
		return nil, fmt.Errorf("read %s: %w", name, ctx.Err())
	}
}

// CheckRegular returns an error unless path is (or links to) a regular
// file, for paths handed to code that opens them itself.
func CheckRegular(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	return regular(path, st)
}

// readCapped reads up to lim.Bytes+1 bytes in chunks, checking ctx between
// them; one byte over the cap is an error, so memory never exceeds the cap
// by more than the buffer's growth.
func readCapped(ctx context.Context, r io.Reader, name string, lim Limit, sizeHint int64) ([]byte, error) {
	capacity := sizeHint + 1
	if capacity < 512 {
		capacity = 512
	}
	if capacity > lim.Bytes+1 {
		capacity = lim.Bytes + 1
	}
	buf := make([]byte, 0, capacity)
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		if len(buf) == cap(buf) {
			grow := max(int64(cap(buf)), 512)
			grow = min(grow, chunk, lim.Bytes+1-int64(len(buf)))
			if grow <= 0 {
				return nil, tooLarge(name, lim)
			}
			buf = append(buf, make([]byte, grow)...)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > lim.Bytes {
			return nil, tooLarge(name, lim)
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func tooLarge(name string, lim Limit) error {
	size := humanize.IBytes(uint64(lim.Bytes))
	return &errs.Error{
		Kind: errs.KindUsage,
		Msg: fmt.Sprintf("%s is larger than the %s limit (%s); raise it with %s or APP_CONFIG_%s if the input is genuine",
			name, size, lim.Setting, lim.Setting, strings.ReplaceAll(lim.Setting, ".", "_")),
		Hint: fmt.Sprintf("set %s: 50MiB (bytes, or a size such as 50MiB) in app-config.yaml", lim.Setting),
		Err:  ErrTooLarge,
	}
}

func regular(path string, st fs.FileInfo) error {
	if st.Mode().IsRegular() {
		return nil
	}
	what := "not a regular file"
	switch m := st.Mode(); {
	case m.IsDir():
		what = "a directory"
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		what = "a character device"
	case m&fs.ModeDevice != 0:
		what = "a device"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	}
	return &errs.Error{
		Kind: errs.KindUsage,
		Msg:  fmt.Sprintf("%s is %s; only regular files are read", path, what),
		Hint: "point bsai at a regular file (use - to read a stream from stdin)",
		Err:  ErrNotRegular,
	}
}

// FormatSize prints a size the way the errors do (10 MiB).
func FormatSize(n int64) string { return humanize.IBytes(uint64(n)) }

// Package version implements `bsai version`.
package version

import (
	"fmt"
	"io"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/pkg/output"
)

// Options for `bsai version`.
type Options struct {
	IO      *factory.Factory
	Output  func() string
	Version string
	Commit  string
	Date    string
}

// Info is the JSON/YAML shape of `bsai version -o json`.
type Info struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Date    string `json:"date"`
	Go      string `json:"go"`
	OS      string `json:"os"`
	Arch    string `json:"arch"`
}

// NewCmdVersion prints version, commit and build date. It needs no config.
func NewCmdVersion(f *factory.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f}
	return &cobra.Command{
		Use:   "version",
		Short: "Print bsai's version, commit and build date",
		Example: `  bsai version
  bsai version -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Version, opts.Commit, opts.Date = f.AppVersion, f.Commit, f.Date
			if runF != nil {
				return runF(opts)
			}
			return run(opts)
		},
	}
}

func run(opts *Options) error {
	f := opts.IO
	format, err := output.ParseFormat(f.Globals.Output)
	if err != nil {
		return err
	}
	info := Info{Version: opts.Version, Commit: opts.Commit, Date: opts.Date, Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	return output.Print(f.IOStreams, format, info, func(w io.Writer, st *output.Styles) error {
		_, err := fmt.Fprintf(w, "bsai %s (commit %s, built %s, %s %s/%s)\n", info.Version, info.Commit, info.Date, info.Go, info.OS, info.Arch)
		return err
	})
}

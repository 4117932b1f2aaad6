package root

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/pkg/iostreams"
)

// BenchmarkCompleteToolNames is one `mcp call srv <TAB>`: cold starts the
// server and lists its tools, cached answers from the on-disk cache (the
// ratio of the two is what the cache buys per TAB).
func BenchmarkCompleteToolNames(b *testing.B) {
	for _, mode := range []string{"cold", "cached"} {
		b.Run(mode, func(b *testing.B) {
			dir := b.TempDir()
			b.Chdir(dir)
			b.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
			b.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
			exe, _ := os.Executable()
			cfg := "bsai:\n  mcp:\n    servers:\n      fake:\n        command: " + exe + "\n        env: {BSAI_ROOT_TEST_MCP: \"1\"}\n"
			if err := os.WriteFile("app-config.yaml", []byte(cfg), 0o644); err != nil {
				b.Fatal(err)
			}
			once := func() {
				f := factory.New("1", "c", "d")
				ios, _, out, _ := iostreams.Test()
				f.IOStreams = ios
				cmd := NewCmdRoot(f)
				cmd.SetArgs([]string{"__complete", "mcp", "call", "fake", ""})
				cmd.SetOut(out)
				cmd.SetErr(io.Discard)
				_ = cmd.ExecuteContext(context.Background())
				_ = f.Close()
			}
			once() // warm the build of everything but the cache
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if mode == "cold" {
					b.StopTimer()
					_ = os.RemoveAll(filepath.Join(dir, "cache"))
					b.StartTimer()
				}
				once()
			}
		})
	}
}

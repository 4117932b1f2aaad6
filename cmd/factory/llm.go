package factory

import (
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/llm"
)

// newLLM picks the provider for a command from bsai.ai config and the
// --provider/--model flags.
// TODO(issue 3): build providers from config.
func newLLM(f *Factory, command string) (llm.Provider, error) {
	if f.Globals.Offline {
		return nil, llm.ErrNoModel
	}
	if f.Globals.Provider != "" {
		return nil, errs.Config("provider %q: the provider layer is not implemented yet", f.Globals.Provider)
	}
	return nil, llm.ErrNoModel
}

package scaffolder

import (
	"cmp"
	"context"
	"errors"
	"io"
	"strings"

	"github.com/bsai-dev/bsai/pkg/backstage"
	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/llm"
)

// DefaultMaxRepairs bounds validator-driven repair rounds when neither the
// caller nor bsai.scaffolder.maxRepairs says.
const DefaultMaxRepairs = 2

// GenerateRequest is one `bsai template generate` or template_generate
// tool call of `bsai mcp serve`.
type GenerateRequest struct {
	Description string
	// Refs are reference template refs to fetch from the catalog.
	Refs  []string
	Owner string
	// MaxRepairs 0 means bsai.scaffolder.maxRepairs, else the default.
	MaxRepairs int
	// Actions is the action list: ActionsAuto, ActionsLive or ActionsBuiltin.
	Actions string
	// ShowPrompt, when set, receives the model request instead of a call
	// (Run then returns llm.ErrPromptShown).
	ShowPrompt io.Writer
}

// GenerateEnv is what a generation is wired from; the lazy functions are
// only called when needed.
type GenerateEnv struct {
	Config config.ScaffolderConfig
	// Offline (--offline) checks against the built-in catalogue unless the
	// live list is asked for explicitly.
	Offline bool
	// Source fetches --ref templates.
	Source func() (catalog.Source, error)
	// Catalog, when set, offers the catalog's templates as candidates for
	// the offline draft.
	Catalog   func(ctx context.Context) (*catalog.Graph, error)
	Backstage func() (*backstage.Client, error)
	// Provider returns the model; nil or llm.ErrNoModel drafts offline.
	Provider func() (llm.Provider, error)
	Warn     func(format string, args ...any)
	Verbosef func(format string, args ...any)
	Progress func(label string) (stop func())
}

// RunGenerate checks the request, resolves the action catalogue and the
// reference templates, and generates. The CLI and the MCP tool both call
// it; what happens with the result (written, dry-run, printed) is theirs.
func RunGenerate(ctx context.Context, env GenerateEnv, req GenerateRequest) (*GenerateResult, error) {
	if strings.TrimSpace(req.Description) == "" {
		return nil, errs.Usage("empty description").WithHint(`describe the template, e.g. bsai template generate "Go service with CI"`)
	}
	if req.Owner != "" {
		if _, err := catalog.ParseRef(req.Owner, "group", catalog.DefaultNamespace); err != nil {
			return nil, errs.Usage("invalid --owner: %v", err).WithHint("use an entity ref such as group:default/my-team")
		}
	}
	cat, err := ResolveCatalogue(ctx, req.Actions, env.Offline, env.Backstage, env.Config.Actions, env.Warn)
	if err != nil {
		return nil, err
	}
	v, err := NewValidator(cat)
	if err != nil {
		return nil, err
	}
	refs, err := fetchRefs(ctx, env.Source, req.Refs)
	if err != nil {
		return nil, err
	}
	var provider llm.Provider
	if env.Provider != nil {
		p, err := env.Provider()
		switch {
		case errors.Is(err, llm.ErrNoModel):
		case err != nil:
			return nil, err
		default:
			provider = p
		}
	}
	model := provider != nil
	if req.ShowPrompt != nil {
		provider = llm.NewPromptPrinter(req.ShowPrompt, provider)
	}
	gopts := GenerateOptions{Description: req.Description, Refs: refs, Owner: req.Owner, Provider: provider,
		MaxRepairs: cmp.Or(req.MaxRepairs, env.Config.MaxRepairs), Validator: v}
	templates, groups := catalogEntities(ctx, env)
	gopts.Groups = groups // a team the request names resolves to one
	if len(refs) == 0 {
		gopts.Candidates = templates
	}
	stop := func() {}
	if model && req.ShowPrompt == nil && env.Progress != nil {
		stop = env.Progress("generating the template")
	}
	defer stop()
	return Generate(ctx, gopts)
}

// ResolveCatalogue is the action list a command checks against: offline
// forces the built-in catalogue unless mode is ActionsLive; extra adds
// bsai.scaffolder.actions. An unclassified error is a usage error.
func ResolveCatalogue(ctx context.Context, mode string, offline bool, backend func() (*backstage.Client, error),
	extra []config.ScaffolderAction, warn func(format string, args ...any)) (*Catalogue, error) {
	if offline && mode != ActionsLive {
		mode = ActionsBuiltin
	}
	cat, err := LoadCatalogue(ctx, mode, backend, extra, func(msg string) {
		if warn != nil {
			warn("%s", msg)
		}
	})
	if err != nil {
		// Keep the kind of any classified cause (a 401 is exit 4, an
		// unreachable backend exit 1); only unclassified errors are usage.
		var ke *errs.Error
		if errors.As(err, &ke) {
			return nil, err
		}
		return nil, errs.Usage("%w", err)
	}
	return cat, nil
}

// fetchRefs loads reference templates from the catalog; each must be a
// Template.
func fetchRefs(ctx context.Context, source func() (catalog.Source, error), refs []string) ([]*catalog.Entity, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	if source == nil {
		return nil, errs.Config("no catalog to fetch reference templates from")
	}
	src, err := source()
	if err != nil {
		return nil, err
	}
	var out []*catalog.Entity
	for _, s := range refs {
		r, err := catalog.ParseRef(s, "template", catalog.DefaultNamespace)
		if err != nil {
			return nil, errs.Usage("invalid --ref %q: %v", s, err).WithHint("use a template ref such as template:default/NAME (bsai catalog list --kind template)")
		}
		e, err := src.Entity(ctx, r)
		if err != nil {
			if errs.KindOf(err) == errs.KindNotFound {
				return nil, errs.NotFound("reference template %s not found in the catalog", r.String()).
					WithHint("list templates with: bsai catalog list --kind template")
			}
			return nil, err
		}
		if e == nil {
			return nil, errs.NotFound("reference template %s not found in the catalog", r.String())
		}
		if !strings.EqualFold(e.Kind, "Template") {
			return nil, errs.Usage("--ref %s is a %s, not a Template", s, e.Kind).WithHint("pass template refs (bsai catalog list --kind template)")
		}
		out = append(out, e)
	}
	return out, nil
}

// catalogEntities lists the catalog's templates (reference candidates)
// and groups (owners a request may name); a catalog that cannot load just
// means none.
func catalogEntities(ctx context.Context, env GenerateEnv) (templates, groups []*catalog.Entity) {
	if env.Catalog == nil {
		return nil, nil
	}
	g, err := env.Catalog(ctx)
	if err != nil || g == nil {
		if err != nil && env.Verbosef != nil {
			env.Verbosef("no catalog templates or groups to start from: %v", err)
		}
		return nil, nil
	}
	return g.ByKind("Template"), g.ByKind("Group")
}

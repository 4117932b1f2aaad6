package config

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/bsai-dev/bsai/pkg/boundedio"
	"github.com/bsai-dev/bsai/pkg/errs"
)

// LoadOptions says which files to read and which environment to use.
type LoadOptions struct {
	// Files are read in order, later wins. Empty means the defaults (see
	// Discover): the user's $XDG_CONFIG_HOME/bsai/app-config.yaml, then
	// app-config.yaml and app-config.local.yaml in Dir, each if present.
	Files []string
	// Dir is the working directory for the defaults ("" = current).
	Dir string
	// Env is the environment as os.Environ() gives it ("KEY=value"). It is
	// the only environment the loader sees (${VAR}, $env, APP_CONFIG_*), so
	// nil means an empty environment and tests stay hermetic; the command
	// edge passes os.Environ().
	Env []string
	// ReadFile reads config, $file and $include files; nil means a bounded
	// read of regular files only (config is trusted, but a $file pointing
	// at a FIFO or /dev/zero must not hang bsai or fill its memory), capped
	// at bsai.limits.inputBytes as set by APP_CONFIG_bsai_limits_inputBytes
	// (config files are read before any config exists) or 10 MiB.
	ReadFile func(name string) ([]byte, error)
}

// DefaultFiles are read when no --config is given, as Backstage does.
var DefaultFiles = []string{"app-config.yaml", "app-config.local.yaml"}

// EnvPrefix marks environment variables that override config keys:
// APP_CONFIG_backend_baseUrl=http://x sets backend.baseUrl.
const EnvPrefix = "APP_CONFIG_"

var errNotExist = fs.ErrNotExist

// Load reads and merges config files with @backstage/config-loader
// semantics: each file is transformed on its own ($include/$file/$env
// directives, ${VAR} substitution), files are deep-merged in order (objects
// merge, lists and scalars are replaced, an explicit null clears), and
// APP_CONFIG_* environment overrides are applied last.
func Load(opts LoadOptions) (*Config, error) {
	readFile := opts.ReadFile
	if readFile == nil {
		lim := inputLimitFromEnv(envMap(opts.Env))
		readFile = func(p string) ([]byte, error) { return boundedio.ReadFile(context.Background(), p, lim) }
	}
	files := opts.Files
	if len(files) == 0 {
		o := opts
		o.ReadFile = readFile
		for _, s := range Discover(o) {
			if s.Found {
				files = append(files, s.Path)
			}
		}
	}
	env := envMap(opts.Env)
	var layers []*layer
	for _, f := range files {
		l, err := loadFile(f, env, readFile)
		if err != nil {
			return nil, err
		}
		layers = append(layers, l)
	}
	el, err := envLayer(opts.Env)
	if err != nil {
		return nil, err
	}
	if el != nil {
		layers = append(layers, el)
	}
	c := merged(layers)
	c.files = files
	if el != nil {
		for k := range el.sources {
			c.envVars = append(c.envVars, el.sources[k].Env)
		}
		sort.Strings(c.envVars)
	}
	return c, nil
}

// LoadBytes loads a single config document held in memory, as if read from
// a file called name (used by the fuzz target and by tests).
func LoadBytes(name string, data []byte, env []string) (*Config, error) {
	read := func(p string) ([]byte, error) {
		if p == name {
			return data, nil
		}
		return boundedio.ReadFile(context.Background(), p, inputLimitFromEnv(envMap(env)))
	}
	return Load(LoadOptions{Files: []string{name}, Env: env, ReadFile: read})
}

func envMap(env []string) map[string]string {
	m := make(map[string]string, len(env))
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			m[k] = v
		}
	}
	return m
}

func loadFile(file string, env map[string]string, readFile func(string) ([]byte, error)) (*layer, error) {
	b, err := readFile(file)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errs.Config("config file %s not found", file).
				WithHint("check the path given to --config or BSAI_CONFIG")
		}
		return nil, configErr(file, 0, "", "cannot read config: %s", readErrText(err))
	}
	root, err := parseYAML(file, b)
	if err != nil {
		return nil, err
	}
	l := newLayer()
	if root == nil {
		return l, nil
	}
	abs, aerr := filepath.Abs(file)
	if aerr != nil {
		abs = filepath.Clean(file)
	}
	t := &transformer{env: env, readFile: readFile, l: l, budget: maxNodes, aliasing: map[*yaml.Node]bool{}}
	fc := &fileCtx{file: file, dir: filepath.Dir(file), stack: []string{abs}}
	v, ok, err := t.walk(fc, root, "")
	if err != nil {
		return nil, err
	}
	if !ok || v == nil {
		// An empty file, or only comments, or a bare "~": nothing to merge.
		if deref(root).Kind == yaml.MappingNode || deref(root).ShortTag() == "!!null" {
			return l, nil
		}
	}
	m, isMap := v.(map[string]any)
	if !isMap {
		return nil, configErr(file, root.Line, "", "top level must be a mapping of keys, got %s", typeName(v)).
			WithHint("an app-config file looks like 'backend:\\n  baseUrl: http://localhost:7007'")
	}
	l.data = m
	return l, nil
}

// envKeyRe is Backstage's config key part rule (CONFIG_KEY_PART_PATTERN),
// minus '_', which separates parts in APP_CONFIG_ names.
var envKeyRe = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9]*(?:-[a-zA-Z][a-zA-Z0-9]*)*$`)

// envLayer turns APP_CONFIG_a_b_c=value variables into a layer. The value
// is parsed as JSON and falls back to a plain string, so
// APP_CONFIG_x_port=7007 is a number and APP_CONFIG_x='"7007"' a string.
func envLayer(env []string) (*layer, error) {
	var names []string
	vals := map[string]string{}
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(k, EnvPrefix) {
			continue
		}
		names = append(names, k)
		vals[k] = v
	}
	if len(names) == 0 {
		return nil, nil
	}
	sort.Strings(names)
	l := newLayer()
	for _, name := range names {
		parts := strings.Split(strings.TrimPrefix(name, EnvPrefix), "_")
		for _, p := range parts {
			if !envKeyRe.MatchString(p) {
				return nil, errs.Config("invalid environment override %s: each key part must be letters, digits and dashes starting with a letter", name).
					WithHint("APP_CONFIG_backend_baseUrl sets backend.baseUrl")
			}
		}
		var val any
		if err := json.Unmarshal([]byte(vals[name]), &val); err != nil {
			val = vals[name]
		}
		cur := l.data
		for i, p := range parts[:len(parts)-1] {
			next, exists := cur[p]
			if !exists {
				// Parents are merged into, not set, so they get no source.
				nm := map[string]any{}
				cur[p] = nm
				cur = nm
				continue
			}
			nm, isMap := next.(map[string]any)
			if !isMap {
				return nil, errs.Config("environment override %s conflicts with %s%s, which sets %s to a value", name, EnvPrefix, strings.Join(parts[:i+1], "_"), strings.Join(parts[:i+1], "."))
			}
			cur = nm
		}
		last := parts[len(parts)-1]
		if _, exists := cur[last]; exists {
			return nil, errs.Config("environment override %s conflicts with another APP_CONFIG_ variable for the same key", name)
		}
		cur[last] = val
		key := strings.Join(parts, ".")
		l.sources[key] = Source{Env: name}
		if secretName(name) {
			l.secrets[key] = true
		}
	}
	return l, nil
}

// merged deep-merges layers in order. Objects merge key by key; lists and
// scalars replace; nil (an explicit null) removes what lower layers set.
func merged(layers []*layer) *Config {
	data := map[string]any{}
	from := map[string]int{} // key path -> index of the layer that set it last
	for i, l := range layers {
		mergeInto(data, l.data)
		for k := range l.sources {
			from[k] = i
		}
	}
	// Sources and secret marks are kept only for keys that survived the
	// merge, and taken from the layer that supplied the surviving value, so
	// Origin never names a file whose value was replaced or cleared.
	live := map[string]bool{}
	collectPaths(data, "", live)
	sources := map[string]Source{}
	secrets := map[string]bool{}
	for p := range live {
		if i, ok := from[p]; ok {
			sources[p] = layers[i].sources[p]
		}
		if i, ok := owner(from, p); ok && layers[i].secrets[p] {
			secrets[p] = true
		}
	}
	return &Config{data: data, sources: sources, secrets: secrets}
}

// owner finds the layer that set p or its nearest parent key (list items
// have no entry of their own).
func owner(from map[string]int, p string) (int, bool) {
	for p != "" {
		if i, ok := from[p]; ok {
			return i, true
		}
		p = parentKey(p)
	}
	return 0, false
}

// parentKey strips the last ".key" or "[i]" from a key path.
func parentKey(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

func mergeInto(dst, src map[string]any) {
	for k, sv := range src {
		if sv == nil {
			delete(dst, k)
			continue
		}
		if sm, ok := sv.(map[string]any); ok {
			dm, ok := dst[k].(map[string]any)
			if !ok {
				dm = map[string]any{}
				dst[k] = dm
			}
			mergeInto(dm, sm)
			continue
		}
		dst[k] = stripNils(sv)
	}
}

// stripNils removes explicit nulls inside list items, which have nothing
// below them to clear.
func stripNils(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			if x != nil {
				m[k] = stripNils(x)
			}
		}
		return m
	case []any:
		a := make([]any, 0, len(t))
		for _, x := range t {
			if x != nil {
				a = append(a, stripNils(x))
			}
		}
		return a
	}
	return v
}

func collectPaths(v any, path string, out map[string]bool) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			p := joinKey(path, k)
			out[p] = true
			collectPaths(x, p, out)
		}
	case []any:
		for i, x := range t {
			p := path + "[" + strconv.Itoa(i) + "]"
			out[p] = true
			collectPaths(x, p, out)
		}
	}
}

package config

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/pkg/errs"
)

// writeTree writes files (slash paths relative to dir) and returns dir.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// parse turns a JSON literal into the tree shape Load produces (numbers
// compared through JSON so int/float differences don't matter).
func parse(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad want literal %s: %v", s, err)
	}
	return m
}

func normalize(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return parse(t, string(b))
}

type loadCase struct {
	name  string
	files map[string]string
	load  []string // files passed as --config, relative to the tree
	env   []string
	want  string // JSON of the merged tree
}

func runLoadCases(t *testing.T, cases []loadCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t, tc.files)
			var paths []string
			for _, f := range tc.load {
				paths = append(paths, filepath.Join(dir, f))
			}
			c, err := Load(LoadOptions{Files: paths, Dir: dir, Env: tc.env})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			got, want := normalize(t, c.Raw()), parse(t, tc.want)
			if !reflect.DeepEqual(got, want) {
				gb, _ := json.Marshal(got)
				t.Errorf("merged config\n got: %s\nwant: %s", gb, tc.want)
			}
		})
	}
}

func TestLoadMerge(t *testing.T) {
	runLoadCases(t, []loadCase{
		{
			name: "objects deep merge, later file wins",
			files: map[string]string{
				"a.yaml": "app:\n  title: A\n  baseUrl: http://a\nbackend:\n  baseUrl: http://b\n",
				"b.yaml": "app:\n  title: B\norganization:\n  name: Acme\n",
			},
			load: []string{"a.yaml", "b.yaml"},
			want: `{"app":{"title":"B","baseUrl":"http://a"},"backend":{"baseUrl":"http://b"},"organization":{"name":"Acme"}}`,
		},
		{
			name: "order matters: first file last means it wins",
			files: map[string]string{
				"a.yaml": "x: a\n",
				"b.yaml": "x: b\n",
			},
			load: []string{"b.yaml", "a.yaml"},
			want: `{"x":"a"}`,
		},
		{
			name: "arrays are replaced, not concatenated",
			files: map[string]string{
				"a.yaml": "list: [1, 2, 3]\nobj: {items: [a, b]}\n",
				"b.yaml": "list: [9]\nobj: {items: []}\n",
			},
			load: []string{"a.yaml", "b.yaml"},
			want: `{"list":[9],"obj":{"items":[]}}`,
		},
		{
			name: "scalar replaces object and object replaces scalar",
			files: map[string]string{
				"a.yaml": "a: {b: 1}\nc: 5\n",
				"b.yaml": "a: text\nc: {d: 2}\n",
			},
			load: []string{"a.yaml", "b.yaml"},
			want: `{"a":"text","c":{"d":2}}`,
		},
		{
			name: "explicit null clears a lower file's value",
			files: map[string]string{
				"a.yaml": "auth:\n  providers:\n    github: {clientId: x}\n    google: {clientId: y}\nkeep: 1\ngone: 2\n",
				"b.yaml": "auth:\n  providers:\n    google: null\ngone: ~\n",
			},
			load: []string{"a.yaml", "b.yaml"},
			want: `{"auth":{"providers":{"github":{"clientId":"x"}}},"keep":1}`,
		},
		{
			name: "a later file can set a key again after null cleared it",
			files: map[string]string{
				"a.yaml": "a: {b: 1, c: 2}\n",
				"b.yaml": "a: null\n",
				"c.yaml": "a: {d: 3}\n",
			},
			load: []string{"a.yaml", "b.yaml", "c.yaml"},
			want: `{"a":{"d":3}}`,
		},
		{
			name:  "null in a single file leaves the key absent; nulls in lists are dropped",
			files: map[string]string{"a.yaml": "a: null\nb: [1, null, 2]\nc: [{x: null, y: 1}]\n"},
			load:  []string{"a.yaml"},
			want:  `{"b":[1,2],"c":[{"y":1}]}`,
		},
		{
			name:  "scalars keep their YAML types; timestamps stay strings",
			files: map[string]string{"a.yaml": "i: 7007\nf: 1.5\nb: true\ns: '7007'\nd: 2024-01-02\nq: \"yes\"\n"},
			load:  []string{"a.yaml"},
			want:  `{"i":7007,"f":1.5,"b":true,"s":"7007","d":"2024-01-02","q":"yes"}`,
		},
		{
			name:  "anchors, aliases and merge keys",
			files: map[string]string{"a.yaml": "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\ncopy: *b\n"},
			load:  []string{"a.yaml"},
			want:  `{"base":{"x":1,"y":2},"use":{"x":1,"y":3},"copy":{"x":1,"y":2}}`,
		},
		{
			name:  "empty and comment-only files merge as nothing",
			files: map[string]string{"a.yaml": "x: 1\n", "b.yaml": "", "c.yaml": "# nothing yet\n", "d.yaml": "---\n"},
			load:  []string{"a.yaml", "b.yaml", "c.yaml", "d.yaml"},
			want:  `{"x":1}`,
		},
		{
			name:  "defaults: app-config.yaml then app-config.local.yaml",
			files: map[string]string{"app-config.yaml": "x: base\ny: base\n", "app-config.local.yaml": "y: local\n"},
			want:  `{"x":"base","y":"local"}`,
		},
		{
			name:  "defaults: local file is optional",
			files: map[string]string{"app-config.yaml": "x: base\n"},
			want:  `{"x":"base"}`,
		},
		{
			name:  "defaults: no files at all is an empty config",
			files: map[string]string{"other.yaml": "x: 1\n"},
			want:  `{}`,
		},
	})
}

func TestLoadSubstitution(t *testing.T) {
	env := []string{"HOST=backstage.example.com", "PORT=7007", "EMPTY=", "SPACED=  padded  ", "TOKEN=s3cr3t"}
	runLoadCases(t, []loadCase{
		{
			name:  "${VAR} inside strings",
			files: map[string]string{"a.yaml": "url: https://${HOST}:${PORT}/api\nwhole: ${PORT}\n"},
			load:  []string{"a.yaml"}, env: env,
			// A substituted value is always a string, as in Backstage.
			want: `{"url":"https://backstage.example.com:7007/api","whole":"7007"}`,
		},
		{
			name:  "unset variable makes the whole value absent",
			files: map[string]string{"a.yaml": "a: x-${MISSING}-y\nb: ${HOST} ${MISSING}\nlist:\n  - ${MISSING}\n  - ok\n"},
			load:  []string{"a.yaml"}, env: env,
			want: `{"list":["ok"]}`,
		},
		{
			name: "absent value lets the lower file's value show through (unlike null)",
			files: map[string]string{
				"a.yaml": "backend:\n  auth: {token: from-base}\n",
				"b.yaml": "backend:\n  auth: {token: \"${MISSING}\"}\n",
			},
			load: []string{"a.yaml", "b.yaml"}, env: env,
			want: `{"backend":{"auth":{"token":"from-base"}}}`,
		},
		{
			name:  "${VAR:-default} when unset, empty or set",
			files: map[string]string{"a.yaml": "unset: ${NOPE:-dflt}\nempty: ${EMPTY:-dflt}\nset: ${HOST:-dflt}\nblank: x${NOPE:-}y\nurl: http://${NOPE:-localhost}:${PORT:-1}\n"},
			load:  []string{"a.yaml"}, env: env,
			want: `{"unset":"dflt","empty":"dflt","set":"backstage.example.com","blank":"xy","url":"http://localhost:7007"}`,
		},
		{
			name:  "set but empty variable without default is an empty string",
			files: map[string]string{"a.yaml": "e: \"[${EMPTY}]\"\n"},
			load:  []string{"a.yaml"}, env: env,
			want: `{"e":"[]"}`,
		},
		{
			name:  "$${...} escapes to a literal ${...}",
			files: map[string]string{"a.yaml": "a: $${HOST}\nb: \"$${}\"\nc: $$${HOST}\nd: ${HOST} $${PORT}\ne: costs $5 and ${ PORT }\n"},
			load:  []string{"a.yaml"}, env: env,
			want: `{"a":"${HOST}","b":"${}","c":"$${HOST}","d":"backstage.example.com ${PORT}","e":"costs $5 and 7007"}`,
		},
		{
			name:  "empty ${} is absent; substituted values are trimmed",
			files: map[string]string{"a.yaml": "a: x${}\nb: \"[${SPACED}]\"\n"},
			load:  []string{"a.yaml"}, env: env,
			want: `{"b":"[padded]"}`,
		},
		{
			name:  "keys are never substituted",
			files: map[string]string{"a.yaml": "x-${HOST}: v\n"},
			load:  []string{"a.yaml"}, env: env,
			want: `{"x-${HOST}":"v"}`,
		},
	})
}

func TestLoadDirectives(t *testing.T) {
	env := []string{"HOST=h", "TOKEN=  t0k  ", "ENVNAME=prod"}
	runLoadCases(t, []loadCase{
		{
			name:  "$env reads a variable (trimmed); unset is absent",
			files: map[string]string{"a.yaml": "a: {$env: TOKEN}\nb: {$env: NOPE}\n"},
			load:  []string{"a.yaml"}, env: env,
			want: `{"a":"t0k"}`,
		},
		{
			name: "$file is relative to the config file and trimmed",
			files: map[string]string{
				"conf/app-config.yaml": "auth:\n  key:\n    $file: ./secrets/key.pem\n",
				"conf/secrets/key.pem": "\n-----BEGIN KEY-----\nabc\n-----END KEY-----\n\n",
			},
			load: []string{"conf/app-config.yaml"}, env: env,
			want: `{"auth":{"key":"-----BEGIN KEY-----\nabc\n-----END KEY-----"}}`,
		},
		{
			name: "$include a whole yaml file",
			files: map[string]string{
				"a.yaml":           "catalog:\n  $include: ./inc/catalog.yaml\n",
				"inc/catalog.yaml": "rules: [{allow: [Component]}]\nlocations: [{type: file, target: ./all.yaml}]\n",
			},
			load: []string{"a.yaml"}, env: env,
			want: `{"catalog":{"rules":[{"allow":["Component"]}],"locations":[{"type":"file","target":"./all.yaml"}]}}`,
		},
		{
			name: "$include with #dot.path selects a subtree",
			files: map[string]string{
				"a.yaml":      "backend:\n  database:\n    $include: ./shared.yaml#envs.prod.db\nport: {$include: ./shared.yaml#envs.prod.port}\nnone: {$include: ./shared.yaml#envs.staging}\n",
				"shared.yaml": "envs:\n  prod:\n    db: {client: pg, host: db.prod}\n    port: 5432\n",
			},
			load: []string{"a.yaml"}, env: env,
			want: `{"backend":{"database":{"client":"pg","host":"db.prod"}},"port":5432}`,
		},
		{
			name: "$include of json",
			files: map[string]string{
				"a.yaml": "x: {$include: ./x.json#a}\n",
				"x.json": "{\n\t\"a\": {\"b\": [1, 2], \"c\": \"d\"}\n}\n",
			},
			load: []string{"a.yaml"}, env: env,
			want: `{"x":{"b":[1,2],"c":"d"}}`,
		},
		{
			name: "nested $include and $file resolve relative to the included file",
			files: map[string]string{
				"a.yaml":         "x: {$include: ./one/b.yaml}\n",
				"one/b.yaml":     "y: {$include: ./two/c.yaml}\nz: {$file: ./two/z.txt}\n",
				"one/two/c.yaml": "deep: ${HOST}\n",
				"one/two/z.txt":  "zed\n",
			},
			load: []string{"a.yaml"}, env: env,
			want: `{"x":{"y":{"deep":"h"},"z":"zed"}}`,
		},
		{
			name: "directive values are substituted first",
			files: map[string]string{
				"a.yaml":    "x:\n  $include: ./${ENVNAME}.yaml\ny:\n  $include: ./${NOPE}.yaml\n",
				"prod.yaml": "env: production\n",
			},
			load: []string{"a.yaml"}, env: env,
			want: `{"x":{"env":"production"}}`,
		},
		{
			name: "the same file may be included twice (not a cycle)",
			files: map[string]string{
				"a.yaml": "x: {$include: ./s.yaml#a}\ny: {$include: ./s.yaml#b}\n",
				"s.yaml": "a: 1\nb: 2\n",
			},
			load: []string{"a.yaml"}, env: env,
			want: `{"x":1,"y":2}`,
		},
		{
			name: "directive in a later file overrides with merge semantics",
			files: map[string]string{
				"a.yaml":  "db: {host: localhost, port: 5432}\n",
				"b.yaml":  "db: {$include: ./db.yaml}\n",
				"db.yaml": "host: db.internal\n",
			},
			load: []string{"a.yaml", "b.yaml"}, env: env,
			want: `{"db":{"host":"db.internal","port":5432}}`,
		},
	})
}

func TestLoadEnvOverrides(t *testing.T) {
	runLoadCases(t, []loadCase{
		{
			name:  "APP_CONFIG_ values parse as JSON, else string, and win over files",
			files: map[string]string{"a.yaml": "backend:\n  baseUrl: http://file\n  listen: {port: 1}\nkeep: true\n"},
			load:  []string{"a.yaml"},
			env: []string{
				"APP_CONFIG_backend_baseUrl=http://env:7007",
				"APP_CONFIG_backend_listen_port=7007",
				"APP_CONFIG_flag=true",
				"APP_CONFIG_quoted=\"false\"",
				"APP_CONFIG_obj={\"a\":[1,2]}",
				"APP_CONFIG_notjson={oops",
				"OTHER_backend=ignored",
			},
			want: `{"backend":{"baseUrl":"http://env:7007","listen":{"port":7007}},"keep":true,"flag":true,"quoted":"false","obj":{"a":[1,2]},"notjson":"{oops"}`,
		},
		{
			name:  "APP_CONFIG_ null clears a file value",
			files: map[string]string{"a.yaml": "a: {b: 1, c: 2}\n"},
			load:  []string{"a.yaml"},
			env:   []string{"APP_CONFIG_a_b=null"},
			want:  `{"a":{"c":2}}`,
		},
		{
			name: "APP_CONFIG_ key parts may contain dashes",
			env:  []string{"APP_CONFIG_proxy_my-api_target=http://x"},
			want: `{"proxy":{"my-api":{"target":"http://x"}}}`,
		},
		{
			name: "APP_CONFIG_ values are not substituted",
			load: nil,
			env:  []string{"APP_CONFIG_x=${HOME}", "HOME=/root"},
			want: `{"x":"${HOME}"}`,
		},
	})
}

// wantErr runs Load and checks the error is a config error (exit 4) whose
// message holds every fragment.
func wantErr(t *testing.T, files map[string]string, load []string, env []string, fragments ...string) {
	t.Helper()
	dir := writeTree(t, files)
	var paths []string
	for _, f := range load {
		paths = append(paths, filepath.Join(dir, f))
	}
	_, err := Load(LoadOptions{Files: paths, Dir: dir, Env: env})
	if err == nil {
		t.Fatalf("Load succeeded, want an error containing %q", fragments)
	}
	if code := errs.ExitCode(err); code != errs.ExitConfig {
		t.Errorf("exit code %d, want %d (err: %v)", code, errs.ExitConfig, err)
	}
	msg := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "")
	for _, f := range fragments {
		if !strings.Contains(msg, f) {
			t.Errorf("error %q does not contain %q", msg, f)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("error is not one line: %q", msg)
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name      string
		files     map[string]string
		load      []string
		env       []string
		fragments []string
	}{
		{"missing --config file", nil, []string{"nope.yaml"}, nil,
			[]string{"config file", "nope.yaml", "not found"}},
		{"unreadable file (a directory)", map[string]string{"dir.yaml/x": ""}, []string{"dir.yaml"}, nil,
			[]string{"dir.yaml", "cannot read config"}},
		{"yaml syntax error names file and line", map[string]string{"a.yaml": "a: 1\nb:\n  c: 2\n d: [\n"}, []string{"a.yaml"}, nil,
			[]string{"a.yaml:", "yaml syntax error"}},
		{"yaml tab indentation", map[string]string{"a.yaml": "a:\n\tb: 1\n"}, []string{"a.yaml"}, nil,
			[]string{"a.yaml:2: yaml syntax error"}},
		{"syntax error in the second file names that file", map[string]string{"a.yaml": "a: 1\n", "b.yaml": "x: \"open\n"}, []string{"a.yaml", "b.yaml"}, nil,
			[]string{"b.yaml", "yaml syntax error"}},
		{"top level is a list", map[string]string{"a.yaml": "- a\n- b\n"}, []string{"a.yaml"}, nil,
			[]string{"a.yaml:1: top level must be a mapping", "a list"}},
		{"top level is a scalar", map[string]string{"a.yaml": "just text\n"}, []string{"a.yaml"}, nil,
			[]string{"a.yaml:1: top level must be a mapping", "a string"}},
		{"more than one document", map[string]string{"a.yaml": "a: 1\n---\nb: 2\n"}, []string{"a.yaml"}, nil,
			[]string{"a.yaml:2: more than one yaml document"}},
		{"duplicate key", map[string]string{"a.yaml": "a:\n  b: 1\n  b: 2\n"}, []string{"a.yaml"}, nil,
			[]string{"a.yaml:3: a.b: duplicate key"}},
		{"unknown directive names file, line and key", map[string]string{"a.yaml": "app:\n  secrets:\n    token:\n      $secret: X\n"}, []string{"a.yaml"}, nil,
			[]string{"a.yaml:4: app.secrets.token: unknown directive $secret"}},
		{"directive with sibling keys", map[string]string{"a.yaml": "a:\n  $env: X\n  other: 1\n"}, []string{"a.yaml"}, nil,
			[]string{"a.yaml:2: a: directive $env must be the only key"}},
		{"directive value must be a string", map[string]string{"a.yaml": "a: {$file: [x]}\n"}, []string{"a.yaml"}, nil,
			[]string{"a.yaml:1: a: $file value must be a string"}},
		{"missing $file", map[string]string{"conf/a.yaml": "x:\n  y: {$file: ./missing.txt}\n"}, []string{"conf/a.yaml"}, nil,
			[]string{"conf/a.yaml:2: x.y: $file ./missing.txt: no such file"}},
		{"missing $include", map[string]string{"a.yaml": "x: {$include: ./gone.yaml}\n"}, []string{"a.yaml"}, nil,
			[]string{"a.yaml:1: x: $include ./gone.yaml: no such file"}},
		{"$include of an unsupported type", map[string]string{"a.yaml": "x: {$include: ./x.txt}\n", "x.txt": "a"}, []string{"a.yaml"}, nil,
			[]string{"a.yaml:1: x: $include ./x.txt: only .yaml, .yml and .json"}},
		{"$include cycle", map[string]string{"a.yaml": "x: {$include: ./b.yaml}\n", "b.yaml": "y:\n  z: {$include: ./a.yaml}\n"}, []string{"a.yaml"}, nil,
			[]string{"b.yaml:2: x.y.z: $include cycle: a.yaml -> b.yaml -> a.yaml"}},
		{"$include of itself", map[string]string{"a.yaml": "x: {$include: ./a.yaml#x}\n"}, []string{"a.yaml"}, nil,
			[]string{"a.yaml:1: x: $include cycle: a.yaml -> a.yaml"}},
		{"$include path through a scalar", map[string]string{"a.yaml": "x: {$include: ./b.yaml#a.b.c}\n", "b.yaml": "a: {b: 5}\n"}, []string{"a.yaml"}, nil,
			[]string{"a.yaml:1: x:", `value at "a.b"`, "is not an object"}},
		{"syntax error inside an included file names that file", map[string]string{"a.yaml": "x: {$include: ./b.yaml}\n", "b.yaml": "a: [\n"}, []string{"a.yaml"}, nil,
			[]string{"b.yaml", "yaml syntax error"}},
		{"unknown directive inside an included file", map[string]string{"a.yaml": "x: {$include: ./b.yaml}\n", "b.yaml": "\nk: {$nope: 1}\n"}, []string{"a.yaml"}, nil,
			[]string{"b.yaml:2: x.k: unknown directive $nope"}},
		{"anchor that contains itself", map[string]string{"a.yaml": "a: &x [1, *x]\n"}, []string{"a.yaml"}, nil,
			[]string{"a.yaml:1:", "contains itself"}},
		{"APP_CONFIG_ with an invalid key part", nil, nil, []string{"APP_CONFIG_backend__x=1"},
			[]string{"APP_CONFIG_backend__x", "invalid environment override"}},
		{"APP_CONFIG_ conflicting variables", nil, nil, []string{"APP_CONFIG_a=1", "APP_CONFIG_a_b=2"},
			[]string{"APP_CONFIG_a_b", "conflicts"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantErr(t, tc.files, tc.load, tc.env, tc.fragments...)
		})
	}
}

func TestAliasBombFailsFast(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 10; i++ {
		prev := "*a" + string(rune('0'+i-1))
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(prev)
		}
		b.WriteString("]\n")
	}
	_, err := LoadBytes("bomb.yaml", []byte(b.String()), nil)
	if err == nil || !strings.Contains(err.Error(), "too many yaml aliases") {
		t.Fatalf("want alias bomb error, got %v", err)
	}
}

package archtest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/bsai-dev/bsai/"

// capabilities are the packages that do one user-facing job; mcpserve is
// the MCP front end over them. Every other package under pkg/ is shared
// (config, catalog, llm, mcp, retrieval, output, iostreams, errs, …) and
// must not import a capability. A new package is shared until listed here.
var capabilities = []string{"pkg/assistant", "pkg/scaffolder", "pkg/incident", "pkg/doctor", "pkg/mcpserve"}

// capabilityOf is the capability a package belongs to ("" for shared).
func capabilityOf(pkg string) string {
	for _, c := range capabilities {
		if pkg == c || strings.HasPrefix(pkg, c+"/") {
			return c
		}
	}
	return ""
}

type goFile struct {
	path    string // relative to the repo root, slash-separated
	pkg     string // its directory
	test    bool
	imports []string // module-relative for bsai packages, else full
}

func goFiles(t *testing.T) []goFile {
	t.Helper()
	var out []goFile
	fset := token.NewFileSet()
	for _, dir := range []string{"cmd", "pkg", "internal"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "testdata" {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(p, ".go") {
				return nil
			}
			f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			rel = filepath.ToSlash(rel)
			gf := goFile{path: rel, pkg: filepath.ToSlash(filepath.Dir(rel)), test: strings.HasSuffix(p, "_test.go")}
			for _, imp := range f.Imports {
				s, _ := strconv.Unquote(imp.Path.Value)
				gf.imports = append(gf.imports, strings.TrimPrefix(s, module))
			}
			out = append(out, gf)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(out) < 100 {
		t.Fatalf("only %d Go files found", len(out))
	}
	return out
}

// importViolations applies the import rules (DESIGN.md, "Direction of
// imports") to files and returns one line per broken rule.
func importViolations(files []goFile) []string {
	var bad []string
	for _, f := range files {
		for _, imp := range f.imports {
			if why := violation(f, imp); why != "" {
				bad = append(bad, f.path+" imports "+imp+": "+why)
			}
		}
	}
	return bad
}

func violation(f goFile, imp string) string {
	inCmd := strings.HasPrefix(f.pkg, "cmd/")
	switch {
	case (strings.HasPrefix(imp, "github.com/spf13/cobra") || strings.HasPrefix(imp, "github.com/spf13/viper")) && !inCmd:
		return "cobra and viper stay in cmd/; pkg/ gets typed config"
	case strings.HasPrefix(imp, "cmd/") && !inCmd:
		return "pkg/ never imports cmd/"
	case strings.HasPrefix(imp, "cmd/") && f.pkg == "cmd/factory":
		return "the factory imports no command"
	case strings.HasPrefix(imp, "cmd/") && !f.test && f.pkg != "cmd/root" && imp != "cmd/factory":
		// cmd/root wires the commands and every command may use the
		// shared factory; tests may drive the whole tree through root.
		return "a command never imports another command (move the shared code into pkg/ or cmd/factory)"
	case strings.HasPrefix(imp, "pkg/") && strings.HasPrefix(f.pkg, "pkg/"):
		from, to := capabilityOf(f.pkg), capabilityOf(imp)
		switch {
		case to == "" || from == to:
		case from == "":
			return "a shared package never imports a capability package"
		case from != "pkg/mcpserve":
			return "a capability package never imports another capability (only pkg/mcpserve serves them all)"
		}
	}
	if !f.test && (strings.HasPrefix(imp, "internal/") || isTestDouble(imp)) && !isTestDouble(f.pkg) {
		return "test helpers are imported by tests only"
	}
	return ""
}

// isTestDouble: pkg/llm/llmtest, pkg/catalog/catalogtest, … serve tests.
func isTestDouble(pkg string) bool {
	return strings.HasPrefix(pkg, "pkg/") && strings.HasSuffix(pkg, "test")
}

func TestImportRules(t *testing.T) {
	for _, v := range importViolations(goFiles(t)) {
		t.Error(v)
	}
}

// The rules themselves, on made-up files, so TestImportRules cannot pass
// by checking nothing.
func TestImportRulesCatchViolations(t *testing.T) {
	for _, tc := range []struct {
		file goFile
		bad  bool
	}{
		{goFile{pkg: "cmd/mcp", imports: []string{"cmd/ask"}}, true},
		{goFile{pkg: "cmd/mcp", test: true, imports: []string{"cmd/root"}}, false},
		{goFile{pkg: "cmd/mcp", imports: []string{"cmd/factory"}}, false},
		{goFile{pkg: "cmd/root", imports: []string{"cmd/mcp"}}, false},
		{goFile{pkg: "cmd/factory", imports: []string{"cmd/ask"}}, true},
		{goFile{pkg: "pkg/catalog", imports: []string{"github.com/spf13/viper"}}, true},
		{goFile{pkg: "pkg/llm", test: true, imports: []string{"github.com/spf13/cobra"}}, true},
		{goFile{pkg: "cmd/root", imports: []string{"github.com/spf13/cobra"}}, false},
		{goFile{pkg: "pkg/config", imports: []string{"pkg/incident/action"}}, true},
		{goFile{pkg: "pkg/retrieval", imports: []string{"pkg/assistant"}}, true},
		{goFile{pkg: "pkg/assistant", imports: []string{"pkg/retrieval"}}, false},
		{goFile{pkg: "pkg/incident", imports: []string{"pkg/incident/source"}}, false},
		{goFile{pkg: "pkg/incident", imports: []string{"pkg/scaffolder"}}, true},
		{goFile{pkg: "pkg/mcpserve", imports: []string{"pkg/scaffolder"}}, false},
		{goFile{pkg: "pkg/catalog", imports: []string{"cmd/factory"}}, true},
		{goFile{pkg: "pkg/catalog", imports: []string{"pkg/llm/llmtest"}}, true},
		{goFile{pkg: "pkg/catalog", test: true, imports: []string{"pkg/llm/llmtest", "internal/golden"}}, false},
		{goFile{pkg: "cmd/ask", imports: []string{"internal/golden"}}, true},
	} {
		got := importViolations([]goFile{tc.file})
		if (len(got) > 0) != tc.bad {
			t.Errorf("%+v: violations %v, want bad=%v", tc.file, got, tc.bad)
		}
	}
	if capabilityOf("pkg/incident/source") != "pkg/incident" || capabilityOf("pkg/incidents") != "" {
		t.Error("subpackages belong to their capability, and only they")
	}
}

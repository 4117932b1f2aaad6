package scaffolder

import (
	"regexp"
	"slices"
	"strings"
)

// This file reads a free-text request ("a Python FastAPI service on GitLab
// for the search team") into the facts a template is composed from. It
// works on word classes (languages, frameworks, hosting products, kinds of
// change, capabilities), never on whole phrases, so any wording that names
// the same things gets the same template.

// Change kinds.
const (
	KindNewRepo     = "new-repository" // fetch a skeleton, publish a new repository, register it
	KindRegister    = "register"       // register an existing repository's catalog-info.yaml
	KindPullRequest = "pull-request"   // change an existing repository through a PR/MR
	KindActionOnly  = "action"         // run actions only (e.g. send a notification)
)

// Request is what a description asks for.
type Request struct {
	Text string
	// Tags are stack tags (language first, then frameworks), in
	// catalog tag syntax.
	Tags []string
	// Language is the primary language tag ("" when none is named).
	Language string
	// Docs is set for documentation sites.
	Docs bool
	// Frontend is set for web front-ends.
	Frontend bool
	// Plugin is set for Backstage plugins.
	Plugin bool
	// Host is the product the repository lives on: github, gitlab,
	// bitbucketCloud, bitbucketServer, azure, gitea, gerrit.
	Host string
	// HostName is a host name given in the request (github.example.com).
	HostName string
	Kind     string
	// Capabilities are extra things asked for: argocd, helm, kubernetes,
	// sentry, pages, dispatch, notify (see capabilities).
	Capabilities []string
	// Form features.
	Secret          bool
	System          bool
	OptionalCatalog bool
	MultiPage       bool
	Cookiecutter    bool
}

// stackWords maps a lower-case word (or a joined pair such as
// "spring-boot") to the tags it implies, language first.
var stackWords = map[string][]string{
	"python": {"python"}, "fastapi": {"python", "fastapi"}, "django": {"python", "django"}, "flask": {"python", "flask"},
	"node": {"nodejs"}, "nodejs": {"nodejs"}, "node-js": {"nodejs"}, "express": {"nodejs", "express"}, "expressjs": {"nodejs", "express"},
	"nestjs": {"nodejs", "nestjs"}, "nextjs": {"react", "nextjs"}, "nuxt": {"vue", "nuxt"}, "nuxtjs": {"vue", "nuxt"},
	"vuejs": {"vue"}, "reactjs": {"react"},
	"java": {"java"}, "spring": {"java", "spring-boot"}, "spring-boot": {"java", "spring-boot"}, "springboot": {"java", "spring-boot"},
	"quarkus": {"java", "quarkus"}, "kotlin": {"kotlin"},
	"golang": {"go"},
	"dotnet": {"dotnet"}, "net": {"dotnet"}, "csharp": {"dotnet", "csharp"}, "asp-net": {"dotnet", "aspnet"},
	"react": {"react"}, "typescript": {"typescript"}, "javascript": {"javascript"}, "vue": {"vue"}, "angular": {"angular", "typescript"},
	"ruby": {"ruby"}, "rails": {"ruby", "rails"},
	"rust": {"rust"}, "php": {"php"}, "laravel": {"php", "laravel"},
	"grpc": {"grpc"},
}

// languageTags are the tags that name a language (the first one found is
// the primary language).
var languageTags = []string{"python", "nodejs", "java", "kotlin", "go", "dotnet", "typescript", "javascript", "ruby", "rust", "php"}

var (
	docsWords     = []string{"docs", "documentation", "techdocs", "mkdocs", "handbook", "runbook-site"}
	frontendWords = []string{"frontend", "front-end", "website", "web-app", "webapp", "spa", "ui"}
	// goNouns: lower-case "go" is a language only before one of these
	// (English uses "go" as a verb).
	goNouns = []string{"service", "microservice", "api", "backend", "app", "application", "module", "library", "cli", "server", "http", "grpc", "worker", "lambda", "function"}
)

var reHost = regexp.MustCompile(`\b[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+\b`)

// hostTLDs are endings that make a dotted word a host name rather than a
// file (catalog-info.yaml) or a product (node.js).
var hostTLDs = []string{"com", "org", "net", "io", "dev", "internal", "local", "corp", "cloud", "co", "app", "lan", "intra", "example"}

var notHosts = []string{"asp.net", "vue.js", "next.js", "node.js", "nest.js", "express.js"}

// words splits text into lower-case words, keeping dots and '#' inside
// words (node.js, c#) and turning everything else into separators.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '#' || r == '_' || r == '\'')
	})
}

// ParseRequest reads a description.
func ParseRequest(desc string) Request {
	r := Request{Text: desc}
	ws := words(desc)
	norm := make([]string, len(ws)) // without trailing punctuation and possessives
	for i, w := range ws {
		w = strings.TrimSuffix(strings.Trim(w, ".-_'"), "'s")
		norm[i] = w
	}
	has := func(list ...string) bool {
		for _, w := range norm {
			if slices.Contains(list, w) {
				return true
			}
		}
		return false
	}
	seq := func(a, b string) bool { // a followed by b
		for i := 0; i+1 < len(norm); i++ {
			if norm[i] == a && norm[i+1] == b {
				return true
			}
		}
		return false
	}
	addTags := func(ts ...string) {
		for _, t := range ts {
			if !slices.Contains(r.Tags, t) {
				r.Tags = append(r.Tags, t)
			}
		}
	}
	// Stack words; ".net", "node.js", "c#" and "spring boot" first.
	for i, w := range norm {
		switch {
		case w == "net" && strings.HasPrefix(ws[i], "."), w == "asp.net", w == "dotnet":
			addTags(stackWords["dotnet"]...)
			continue
		case w == "c#":
			addTags(stackWords["csharp"]...)
			continue
		case w == "net":
			continue // a plain "net" is not .NET
		case strings.HasSuffix(w, ".js"):
			// node.js, express.js, next.js …: the same words without ".js".
			if ts, ok := stackWords[strings.TrimSuffix(w, ".js")+"js"]; ok && w != "node.js" {
				addTags(ts...)
			} else if ts, ok := stackWords[strings.TrimSuffix(w, ".js")]; ok {
				addTags(ts...)
			}
			continue
		case w == "spring" && i+1 < len(norm) && norm[i+1] == "boot":
			addTags(stackWords["spring-boot"]...)
			continue
		case w == "go" && isLanguageGo(ws, norm, i, desc):
			addTags("go")
			continue
		}
		if ts, ok := stackWords[w]; ok {
			addTags(ts...)
		}
	}
	for _, t := range r.Tags {
		if slices.Contains(languageTags, t) {
			r.Language = t
			break
		}
	}
	r.Docs = has(docsWords...) || (seq("static", "site") || seq("static", "website")) && !has("react", "vue", "angular")
	r.Frontend = has(frontendWords...) || has("react", "vue", "angular")
	if r.Docs {
		addTags("docs")
		if has("techdocs", "mkdocs") || r.Language == "" {
			addTags("techdocs")
		}
	}
	r.Plugin = has("plugin")
	if r.Plugin && has("backstage") {
		addTags("backstage")
	}

	// Hosting: a host name given in the request, then product words.
	for _, h := range reHost.FindAllString(strings.ToLower(desc), -1) {
		if slices.Contains(notHosts, h) {
			continue
		}
		if tld := h[strings.LastIndex(h, ".")+1:]; slices.Contains(hostTLDs, tld) {
			r.HostName = h
			break
		}
	}
	server := has("server", "data-center", "datacenter", "self-hosted", "on-prem", "on-premises") || seq("data", "center")
	switch {
	case has("gitlab") || strings.Contains(r.HostName, "gitlab"):
		r.Host = "gitlab"
	case has("bitbucket", "bitbucket.org") || strings.Contains(r.HostName, "bitbucket"):
		r.Host = "bitbucketCloud"
		if r.HostName != "" && r.HostName != "bitbucket.org" || server && !has("cloud") {
			r.Host = "bitbucketServer"
		}
	case seq("azure", "devops") || seq("azure", "repos") || has("ado", "dev.azure.com") || strings.Contains(r.HostName, "azure"):
		r.Host = "azure"
	case has("gitea") || strings.Contains(r.HostName, "gitea"):
		r.Host = "gitea"
	case has("gerrit"):
		r.Host = "gerrit"
	default:
		r.Host = "github"
	}

	// Kind of change.
	prOrMR := seq("pull", "request") || seq("merge", "request") || has("pr", "mr", "pull-request", "merge-request")
	existing := has("existing")
	switch {
	case prOrMR:
		r.Kind = KindPullRequest
	case (has("register", "import", "onboard", "ingest") && (existing || has("catalog-info.yaml", "catalog-info"))) ||
		(existing && has("catalog", "catalog-info.yaml") && !has("new", "create")):
		r.Kind = KindRegister
	case has("notify", "notification", "announce") && !has(repoNouns...), startsWithOp(norm):
		r.Kind = KindActionOnly
	default:
		r.Kind = KindNewRepo
	}

	// Capabilities and form features.
	for _, c := range capabilities {
		if c.asked(norm, seq) {
			r.Capabilities = append(r.Capabilities, c.name)
		}
	}
	r.Secret = has("secret", "secrets", "password", "credential", "credentials") || (has("token", "key") && has("api", "deploy", "access"))
	r.System = has("system")
	r.OptionalCatalog = has("optional", "optionally") && has("catalog", "register", "registering", "registration")
	r.MultiPage = has("pages", "page", "steps", "wizard") || (has("first") && has("then"))
	r.Cookiecutter = has("cookiecutter")
	return r
}

// opVerbs start requests for an operation on something that exists (a
// runbook), not for a new repository.
var opVerbs = []string{"rollback", "roll", "revert", "restart", "scale", "rotate", "redeploy", "deploy", "promote", "purge", "flush",
	"decommission", "delete", "remove", "archive", "send", "notify", "announce", "trigger", "run", "restore", "backup", "drain", "failover"}

// startsWithOp: the request's first word is an operation ("roll back a
// release", "restart the worker pods"), unless it then asks for something new.
func startsWithOp(norm []string) bool {
	if len(norm) == 0 || !slices.Contains(opVerbs, norm[0]) {
		return false
	}
	return !slices.Contains(norm, "new") && !slices.Contains(norm, "create")
}

// repoNouns are words that mean the request produces a code repository.
var repoNouns = []string{"service", "microservice", "app", "application", "api", "site", "website", "repository", "repo", "library", "plugin", "frontend", "backend", "project", "component"}

// isLanguageGo tells the language "Go" from the verb: "Go" capitalised
// (outside a sentence start followed by a verb-ish word), or lower-case
// "go" before a noun such as service.
func isLanguageGo(ws, norm []string, i int, desc string) bool {
	next := ""
	if i+1 < len(norm) {
		next = norm[i+1]
	}
	if slices.Contains(goNouns, next) {
		return true
	}
	// Capitalised in the original text.
	for _, f := range strings.Fields(desc) {
		if strings.Trim(f, ".,;:()") == "Go" {
			return true
		}
	}
	return false
}

// capability is an extra the request may ask for, met by one of a family
// of actions when the backend has it.
type capability struct {
	name string
	// label names it in notes.
	label string
	// words: any of them asks for the capability; pairs: both adjacent.
	words []string
	pairs [][2]string
	// needAll: every word group must appear (e.g. trigger + workflow).
	needAll [][]string
	// actions are the ids (or prefixes ending in ':') that provide it, by
	// host product ("" = any host).
	actions map[string][]string
}

var capabilities = []capability{
	{name: "argocd", label: "Argo CD", words: []string{"argocd", "argo-cd", "gitops"}, pairs: [][2]string{{"argo", "cd"}}, actions: map[string][]string{"": {"argocd:create-resources", "argocd:"}}},
	{name: "helm", label: "Helm", words: []string{"helm"}, actions: map[string][]string{"": {"helm:"}}},
	{name: "kubernetes", label: "Kubernetes", words: []string{"kubernetes", "k8s"}, actions: map[string][]string{"": {"kubernetes:", "kube:"}}},
	{name: "sentry", label: "Sentry", words: []string{"sentry"}, actions: map[string][]string{"": {"sentry:project:create", "sentry:"}}},
	{name: "pages", label: "GitHub Pages", pairs: [][2]string{{"github", "pages"}}, actions: map[string][]string{"github": {"github:pages:enable"}}},
	{name: "dispatch", label: "a CI workflow run", needAll: [][]string{{"trigger", "triggers", "dispatch", "dispatches", "run", "runs", "start", "starts", "kick"}, {"workflow", "pipeline", "ci"}},
		actions: map[string][]string{"github": {"github:actions:dispatch"}, "azure": {"azure:pipeline:run"}, "gitlab": {"gitlab:pipeline:trigger"}, "bitbucketCloud": {"bitbucket:pipelines:run"}}},
	{name: "notify", label: "a notification", words: []string{"notify", "notification", "notifications"}, actions: map[string][]string{"": {"notification:send"}}},
}

func (c capability) asked(norm []string, seq func(a, b string) bool) bool {
	for _, w := range norm {
		if slices.Contains(c.words, w) {
			return true
		}
	}
	for _, p := range c.pairs {
		if seq(p[0], p[1]) {
			return true
		}
	}
	if len(c.needAll) == 0 {
		return false
	}
	for _, group := range c.needAll {
		found := false
		for _, w := range norm {
			if slices.Contains(group, w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// publishers maps a host product to its actions and default host.
var publishers = map[string]struct {
	publish, pullRequest, defaultHost, label string
}{
	"github":          {"publish:github", "publish:github:pull-request", "github.com", "GitHub"},
	"gitlab":          {"publish:gitlab", "publish:gitlab:merge-request", "gitlab.com", "GitLab"},
	"bitbucketCloud":  {"publish:bitbucketCloud", "publish:bitbucketCloud:pull-request", "bitbucket.org", "Bitbucket Cloud"},
	"bitbucketServer": {"publish:bitbucketServer", "publish:bitbucketServer:pull-request", "", "Bitbucket Server"},
	"azure":           {"publish:azure", "", "dev.azure.com", "Azure DevOps"},
	"gitea":           {"publish:gitea", "", "", "Gitea"},
	"gerrit":          {"publish:gerrit", "publish:gerrit:review", "", "Gerrit"},
}

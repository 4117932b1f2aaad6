package scaffolder

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bsai-dev/bsai/pkg/catalog"
)

// referenceFor picks the reference template that can lend conventions to
// this request: same kind of change, then same stack, then same host. It
// returns nil when none shares the kind of change; a reference is never a
// source of tags, names, owners or the publisher.
func referenceFor(r Request, pool []*catalog.Entity) *catalog.Entity {
	var best *catalog.Entity
	bestScore := 0
	for _, e := range pool {
		if e == nil || e.Kind != "Template" {
			continue
		}
		acts := actionsUsed(map[string]any{"spec": e.Spec})
		if refKind(acts) != r.Kind {
			continue
		}
		score := 1
		if sameStack(r, e) {
			score += 4
		}
		if slices.Contains(acts, publishers[r.Host].publish) || slices.Contains(acts, publishers[r.Host].pullRequest) {
			score += 2
		}
		if score > bestScore {
			best, bestScore = e, score
		}
	}
	return best
}

// refKind classifies a template by its actions.
func refKind(acts []string) string {
	pr, publish, fetch, register := false, false, false, false
	for _, a := range acts {
		switch {
		case strings.Contains(a, "pull-request") || strings.Contains(a, "merge-request") || a == "publish:gerrit:review":
			pr = true
		case strings.HasPrefix(a, "publish:"):
			publish = true
		case strings.HasPrefix(a, "fetch:"):
			fetch = true
		case a == "catalog:register":
			register = true
		}
	}
	switch {
	case pr:
		return KindPullRequest
	case publish:
		return KindNewRepo
	case register && !fetch:
		return KindRegister
	}
	return KindActionOnly
}

// sameStack: the reference is for the same language (or both are docs).
func sameStack(r Request, e *catalog.Entity) bool {
	tags := map[string]bool{}
	for _, t := range e.Metadata.Tags {
		for _, x := range ParseRequest(t).Tags {
			tags[x] = true
		}
		tags[strings.ToLower(t)] = true
	}
	for _, x := range ParseRequest(e.Metadata.Name + " " + e.Metadata.Title).Tags {
		tags[x] = true
	}
	// A front-end skeleton does not serve a back-end request, nor the reverse.
	about := ParseRequest(strings.Join(append([]string{e.Metadata.Name, e.Metadata.Title, e.Metadata.Description}, e.Metadata.Tags...), " "))
	refFrontend := about.Frontend || e.SpecString("type") == "website"
	if !r.Docs && refFrontend != r.Frontend {
		return false
	}
	switch {
	case r.Docs:
		return tags["docs"] || tags["techdocs"] || e.SpecString("type") == "documentation"
	case r.Language != "":
		if !tags[r.Language] {
			return false
		}
		// Frameworks named by both must agree (a Django request does not
		// take a FastAPI skeleton).
		for _, t := range r.Tags[1:] {
			if t != r.Language && stackWords[t] != nil && len(stackWords[t]) > 1 && !tags[t] && hasFramework(tags, r.Language) {
				return false
			}
		}
		return true
	}
	return false
}

// hasFramework reports whether tags name a framework of lang.
func hasFramework(tags map[string]bool, lang string) bool {
	for w, ts := range stackWords {
		if len(ts) > 1 && ts[0] == lang && tags[w] {
			return true
		}
	}
	return false
}

// refFetchURL is the reference's skeleton URL (its first fetch step's url).
func refFetchURL(e *catalog.Entity) string {
	for _, s := range asSlice(e.Spec["steps"]) {
		sm := asMap(s)
		if a := strOf(sm["action"]); a == "fetch:template" || a == "fetch:cookiecutter" || a == "fetch:plain" {
			return strOf(asMap(sm["input"])["url"])
		}
	}
	return ""
}

// skeletonURL is the reference's skeleton when it is for the same stack,
// else ./skeleton; both relative cases get a note.
func (c *composer) skeletonURL() string {
	if c.ref != nil && sameStack(c.req, c.ref) {
		if u := refFetchURL(c.ref); u != "" && !templated(u) {
			c.refUsed = true
			if strings.HasPrefix(u, ".") {
				c.note("the skeleton %s is relative to %s's folder: put this template next to a copy of it, or change the url", u, c.ref.Ref().String())
			} else {
				c.note("the skeleton comes from %s (%s)", c.ref.Ref().String(), u)
			}
			return u
		}
	}
	what := "the files of a new repository"
	if c.req.Kind == KindPullRequest {
		what = "the files the pull request adds"
	}
	c.note("steps fetch ./skeleton: create that folder next to the template with %s (values: name, description, owner), or change the url", what)
	return "./skeleton"
}

// refPickerOptions returns the ui:options of the reference's RepoUrlPicker
// when it allows host (so its allowedOwners apply to the same host).
func (c *composer) refPickerOptions(host string) map[string]any {
	if c.ref == nil || host == "" {
		return nil
	}
	var found map[string]any
	walkMaps(c.ref.Spec["parameters"], 0, func(m map[string]any) {
		if found == nil && m["ui:field"] == "RepoUrlPicker" {
			o := asMap(m["ui:options"])
			for _, h := range asSlice(o["allowedHosts"]) {
				if fmt.Sprint(h) == host {
					found = o
				}
			}
		}
	})
	return found
}

// refPublishInput is an input of the reference's step with action id
// (house conventions such as repoVisibility), when it is a literal.
func (c *composer) refPublishInput(action, key string) any {
	if c.ref == nil {
		return nil
	}
	for _, s := range asSlice(c.ref.Spec["steps"]) {
		sm := asMap(s)
		if strOf(sm["action"]) == action {
			v := asMap(sm["input"])[key]
			if s, ok := v.(string); ok && !templated(s) {
				return s
			}
		}
	}
	return nil
}

func walkMaps(v any, depth int, fn func(map[string]any)) {
	if depth > 30 {
		return
	}
	switch t := v.(type) {
	case map[string]any:
		fn(t)
		for _, k := range sortedKeys(t) {
			walkMaps(t[k], depth+1, fn)
		}
	case []any:
		for _, x := range t {
			walkMaps(x, depth+1, fn)
		}
	}
}

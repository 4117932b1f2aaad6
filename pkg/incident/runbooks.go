package incident

import (
	"cmp"
	"sort"
	"strings"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/incident/source"
)

// Runbook is written guidance the on-call should read: a runbook link or
// annotation on the alert, the alerting service, the suspect or their
// owners, or an AiResource of type rule or skill (Backstage RFC #33575,
// catalog-backend-module-ai-model) linked to the service. The plan cites
// them; their content stays where it is (the link or the resource's
// backstage.io/source-location).
type Runbook struct {
	Title string `json:"title"`
	URL   string `json:"url,omitempty"`
	// Source is alert, link, annotation, rule or skill.
	Source string `json:"source"`
	// Entity is where it was found (the AiResource itself for rule/skill).
	Entity      string `json:"entity,omitempty"`
	Why         string `json:"why"`
	Description string `json:"description,omitempty"`
	rank        int
}

// maxRunbooks keeps the plan readable when a catalog links many.
const maxRunbooks = 6

// AnnoSourceLocation is where an AiResource's content lives.
const AnnoSourceLocation = "backstage.io/source-location"

// FindRunbooks collects runbooks for an investigation of focus whose top
// suspect is suspect ("" or focus when the service itself is suspected).
func FindRunbooks(g *catalog.Graph, alert *source.Alert, focus, suspect string) []Runbook {
	var out []Runbook
	seen := map[string]bool{}
	add := func(rb Runbook) {
		key := strings.ToLower(cmp.Or(rb.URL, rb.Entity+"#"+rb.Title))
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, rb)
	}
	if alert != nil && alert.Runbook != "" {
		add(Runbook{Title: "runbook of alert " + source.Clip(alert.Name, 80), URL: alert.Runbook, Source: "alert", Why: "runbook_url annotation on the alert", rank: 0})
	}
	subjects := []string{focus}
	if suspect != "" && !strings.EqualFold(suspect, focus) {
		subjects = append(subjects, suspect)
	}
	for i, ref := range subjects {
		role := "the alerting service"
		if i > 0 {
			role = "the suspect"
		}
		for _, rb := range entityRunbooks(g, ref) {
			rb.Why += " (" + role + ")"
			rb.rank = 1 + i
			add(rb)
		}
		// The owning team's runbooks: only the direct owner, not the whole
		// parent-group chain.
		for _, o := range g.Related(ref, catalog.RelOwnedBy) {
			for _, rb := range entityRunbooks(g, o) {
				rb.Why += ", the owner of " + source.RefName(ref)
				rb.rank = 3 + i
				add(rb)
			}
		}
	}
	for _, rb := range aiResources(g, subjects) {
		add(rb)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].rank < out[j].rank })
	if len(out) > maxRunbooks {
		out = out[:maxRunbooks]
	}
	return out
}

// entityRunbooks are an entity's links titled or typed "runbook" and its
// annotations whose key names a runbook (runbook_url, runbook.url,
// pagerduty.com/runbook, …) with a URL value.
func entityRunbooks(g *catalog.Graph, ref string) []Runbook {
	e, ok := g.Get(ref)
	if !ok {
		return nil
	}
	var out []Runbook
	for _, l := range e.Metadata.Links {
		if isRunbookWord(l.Title) || isRunbookWord(l.Type) {
			out = append(out, Runbook{Title: cmp.Or(source.Clip(l.Title, 80), "runbook"), URL: l.URL, Source: "link", Entity: ref,
				Why: "link on " + ref})
		}
	}
	keys := make([]string, 0, len(e.Metadata.Annotations))
	for k := range e.Metadata.Annotations {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := strings.TrimSpace(e.Metadata.Annotations[k])
		if isRunbookWord(k) && (strings.HasPrefix(v, "https://") || strings.HasPrefix(v, "http://")) {
			out = append(out, Runbook{Title: "runbook (" + k + ")", URL: v, Source: "annotation", Entity: ref, Why: "annotation " + k + " on " + ref})
		}
	}
	return out
}

func isRunbookWord(s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(s, "runbook") || strings.Contains(s, "playbook")
}

// aiResources are the AiResource entities of type rule or skill linked to
// a subject: by a relation either way (dependsOn, …), by being part of
// the same system, or by sharing its owner, in that order of strength.
func aiResources(g *catalog.Graph, subjects []string) []Runbook {
	var out []Runbook
	systems := map[string]string{}
	owners := map[string]string{}
	for _, s := range subjects {
		for _, sys := range g.Related(s, catalog.RelPartOf) {
			if strings.HasPrefix(sys, "system:") {
				systems[sys] = s
			}
		}
		if e, ok := g.Get(s); ok {
			if sys := e.SpecString("system"); sys != "" {
				if r, err := catalog.ParseRef(sys, "system", e.Namespace()); err == nil {
					systems[r.String()] = s
				}
			}
		}
		for _, o := range g.Related(s, catalog.RelOwnedBy) {
			owners[o] = s
		}
	}
	for _, e := range g.ByKind("AiResource") {
		typ := strings.ToLower(e.SpecString("type"))
		if typ != "rule" && typ != "skill" {
			continue
		}
		ref := e.Ref().String()
		why, rank := "", 0
		for _, s := range subjects {
			if rel := relationBetween(g, s, ref); rel != "" {
				why, rank = "AiResource "+typ+" linked to "+s+" ("+rel+")", 5
				break
			}
		}
		if why == "" {
			for _, sys := range append(g.Related(ref, catalog.RelPartOf), specRef(e, "system", "system")) {
				if s, ok := systems[sys]; ok && sys != "" {
					why, rank = "AiResource "+typ+" in "+sys+", the system of "+s, 6
					break
				}
			}
		}
		if why == "" {
			for _, o := range append(g.Related(ref, catalog.RelOwnedBy), specRef(e, "owner", "group")) {
				if s, ok := owners[o]; ok && o != "" {
					why, rank = "AiResource "+typ+" owned by "+o+", the owner of "+s, 7
					break
				}
			}
		}
		if why == "" {
			continue
		}
		if typ == "rule" {
			rank-- // a rule constrains what to do; it comes before a skill
		}
		title := cmp.Or(e.Metadata.Title, e.Metadata.Name)
		u := strings.TrimPrefix(e.Metadata.Annotations[AnnoSourceLocation], "url:")
		if !strings.HasPrefix(u, "http") && len(e.Metadata.Links) > 0 {
			u = e.Metadata.Links[0].URL
		}
		desc := e.Metadata.Description
		if r := e.SpecString("rationale"); r != "" {
			desc = cmp.Or(desc+" — ", "") + r
		}
		out = append(out, Runbook{Title: source.Clip(title, 80), URL: u, Source: typ, Entity: ref, Why: why,
			Description: source.Clip(desc, 200), rank: rank})
	}
	return out
}

// relationBetween names a relation from a to b or from b to a, "" if none.
func relationBetween(g *catalog.Graph, a, b string) string {
	for _, r := range g.Relations(a) {
		if strings.EqualFold(r.TargetRef, b) {
			return r.Type
		}
	}
	for _, r := range g.Relations(b) {
		if strings.EqualFold(r.TargetRef, a) {
			return r.Type
		}
	}
	if e, ok := g.Get(a); ok {
		for _, d := range e.SpecStrings("dependsOn") {
			if r, err := catalog.ParseRef(d, "component", e.Namespace()); err == nil && strings.EqualFold(r.String(), b) {
				return "dependsOn"
			}
		}
	}
	return ""
}

func specRef(e *catalog.Entity, key, kind string) string {
	s := e.SpecString(key)
	if s == "" {
		return ""
	}
	r, err := catalog.ParseRef(s, kind, e.Namespace())
	if err != nil {
		return ""
	}
	return r.String()
}

// suspect is the top cause's entity when it clears the floor, "" otherwise.
func (r *Report) suspect() string {
	if len(r.Causes) == 0 || r.Causes[0].Kind == CauseNone || r.Causes[0].Score < ClearCause {
		return ""
	}
	return r.Causes[0].Entity
}

package assistant

import (
	"fmt"
	"strings"

	"github.com/bsai-dev/bsai/pkg/catalog"
)

// EstimateTokens approximates a text's token count as chars/4 (rounded up),
// the usual rule of thumb for English with BPE tokenisers. It is only used
// for budgeting and reporting; billing numbers come from the provider.
func EstimateTokens(s string) int { return (len(s) + 3) / 4 }

// maxRelList caps how many targets of one relation a card lists, so a
// group owning 400 entities does not eat the whole budget.
const maxRelList = 12

// cardRelations are the relation types a card spells out, in order, with
// the label the model sees.
var cardRelations = []struct{ typ, label string }{
	{catalog.RelOwnedBy, "owner"},
	{catalog.RelPartOf, "partOf"},
	{catalog.RelProvidesAPI, "providesApi"},
	{catalog.RelAPIProvidedBy, "providedBy"},
	{catalog.RelConsumesAPI, "consumesApi"},
	{catalog.RelAPIConsumedBy, "consumedBy"},
	{catalog.RelDependsOn, "dependsOn"},
	{catalog.RelDependencyOf, "dependencyOf"},
	{catalog.RelHasPart, "hasPart"},
	{catalog.RelOwnerOf, "ownerOf"},
	{catalog.RelMemberOf, "memberOf"},
	{catalog.RelHasMember, "members"},
	{catalog.RelChildOf, "parent"},
	{catalog.RelParentOf, "children"},
}

// Card renders an entity compactly for a model: only fields that carry
// meaning, relations spelled as refs, free text quoted (it is data, not
// instructions).
func Card(g *catalog.Graph, e *catalog.Entity) string {
	var b strings.Builder
	ref := e.Ref().String()
	fmt.Fprintf(&b, "[%s]", ref)
	if t := DisplayName(e); t != e.Metadata.Name {
		fmt.Fprintf(&b, " %s", quote(t))
	}
	b.WriteString("\n")
	kind := e.Kind
	if t := e.SpecString("type"); t != "" {
		kind += " (" + t + ")"
	}
	line := "kind: " + kind
	if l := e.SpecString("lifecycle"); l != "" {
		line += "; lifecycle: " + l
	}
	b.WriteString(line + "\n")
	if d := e.Metadata.Description; d != "" {
		fmt.Fprintf(&b, "description: %s\n", quote(d))
	}
	if p, ok := e.Spec["profile"].(map[string]any); ok {
		if s, _ := p["email"].(string); s != "" {
			fmt.Fprintf(&b, "email: %s\n", s)
		}
	}
	if len(e.Metadata.Tags) > 0 {
		fmt.Fprintf(&b, "tags: %s\n", strings.Join(e.Metadata.Tags, ", "))
	}
	for _, r := range cardRelations {
		ts := g.Related(ref, r.typ)
		if len(ts) == 0 {
			continue
		}
		more := ""
		if len(ts) > maxRelList {
			more = fmt.Sprintf(" (+%d more)", len(ts)-maxRelList)
			ts = ts[:maxRelList]
		}
		shown := make([]string, len(ts))
		for i, t := range ts {
			shown[i] = t
			if _, ok := g.Get(t); !ok {
				shown[i] = Absent(t) // never a ref the model could cite
			}
		}
		fmt.Fprintf(&b, "%s: %s%s\n", r.label, strings.Join(shown, ", "), more)
	}
	if oc := OnCall(e); oc != "" {
		fmt.Fprintf(&b, "oncall: %s\n", quote(oc))
	}
	if pd := e.Metadata.Annotations["pagerduty.com/service-id"]; pd != "" {
		fmt.Fprintf(&b, "pagerduty: %s\n", pd)
	}
	if s := e.Metadata.Annotations["github.com/project-slug"]; s != "" {
		fmt.Fprintf(&b, "repo: github.com/%s\n", s)
	}
	for _, l := range e.Metadata.Links {
		fmt.Fprintf(&b, "link: %s <%s>\n", quote(nonEmpty(l.Title, "link")), l.URL)
	}
	// What people look up beyond relations: SonarQube keys, namespaces,
	// image repositories; an AIResource's categories, an MCP API's remotes.
	if a := annotationText(e); a != "" {
		fmt.Fprintf(&b, "annotations: %s\n", quote(a))
	}
	for _, kv := range specExtras(e) {
		fmt.Fprintf(&b, "%s: %s\n", kv[0], quote(kv[1]))
	}
	return b.String()
}

// quote makes free text unmistakably data: one line, in double quotes, with
// anything that could close our delimiters neutralised.
func quote(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	s = strings.ReplaceAll(s, "</catalog>", "</ catalog>")
	return fmt.Sprintf("%q", s)
}

// BuildContext renders cards for refs in order until the token budget is
// spent (at least one card is always included). It returns the text, the
// refs included and its estimated tokens.
func BuildContext(g *catalog.Graph, refs []string, budget int) (string, []string, int) {
	return BuildContextExtra(g, refs, budget, nil)
}

// BuildContextExtra is BuildContext with extra lines appended to the cards
// of some refs (e.g. the indirect dependents of the entity a blast-radius
// question is about). Each extra text ends in a newline.
func BuildContextExtra(g *catalog.Graph, refs []string, budget int, extra map[string]string) (string, []string, int) {
	var b strings.Builder
	var used []string
	for _, r := range refs {
		e, ok := g.Get(r)
		if !ok {
			continue
		}
		c := Card(g, e) + extra[r]
		if len(used) > 0 && budget > 0 && EstimateTokens(b.String()+c) > budget {
			break
		}
		b.WriteString(c)
		b.WriteString("\n")
		used = append(used, r)
	}
	return b.String(), used, EstimateTokens(b.String())
}

// DisplayName is how people call an entity: title, profile display name,
// or its name.
func DisplayName(e *catalog.Entity) string {
	if e.Metadata.Title != "" {
		return e.Metadata.Title
	}
	if p, ok := e.Spec["profile"].(map[string]any); ok {
		if s, _ := p["displayName"].(string); s != "" {
			return s
		}
	}
	return e.Metadata.Name
}

// OnCall is an entity's on-call contact from its annotations ("" if none).
func OnCall(e *catalog.Entity) string {
	for _, k := range []string{"bsai.dev/oncall", "opsgenie.com/team", "slack.com/channel"} {
		if v := e.Metadata.Annotations[k]; v != "" {
			return v
		}
	}
	return ""
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

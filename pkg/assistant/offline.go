package assistant

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/retrieval"
)

// NoMatchAnswer is the answer when nothing in the catalog is about the
// question. It names no entity: any example would be one this catalog may
// not have.
const NoMatchAnswer = "That is not in the catalog: no entity matches the question. Try an entity's name or ref as `bsai catalog list` shows it."

// noMatch is NoMatchAnswer, led by "No." for a yes/no question.
func noMatch(question string) string {
	if retrieval.YesNo(question) {
		return "No. " + NoMatchAnswer
	}
	return NoMatchAnswer
}

// maxListed caps how many refs one sentence lists.
const maxListed = 8

// Offline builds the deterministic, extractive answer: sentences assembled
// from the entities the question names and the relations it asks about,
// every entity cited by ref. No model, so every fact is in the catalog.
func Offline(g *catalog.Graph, ix *retrieval.Index, res retrieval.Result) string {
	if res.KindFiltered != "" {
		// The question matched, but nothing of the kind asked for.
		return fmt.Sprintf("No %s in the catalog matches the question; entities of other kinds do (ask without the kind filter to see them).", strings.ToLower(res.KindFiltered))
	}
	if res.NoMatch || len(res.Hits) == 0 {
		return noMatch(res.Question)
	}
	w := &writer{g: g, question: res.Question}
	subjects := res.Focus
	if len(subjects) > 3 {
		subjects = subjects[:3]
	}
	if retrieval.YesNo(res.Question) {
		w.yesNo(ix, res, subjects)
	}
	if res.Owner != "" {
		// An owner defined outside this catalog: what it owns is here.
		var refs []string
		for _, h := range res.Hits {
			refs = append(refs, h.Ref)
		}
		if slices.Contains(res.Intents, retrieval.IntentMembers) {
			w.line("%s contains %s.", Absent(res.Owner), w.names(refs))
		} else {
			w.line("%s owns %s.", Absent(res.Owner), w.names(refs))
		}
		return w.String()
	}
	intents := res.Intents
	if slices.Contains(intents, retrieval.IntentList) || len(subjects) == 0 {
		w.list(ix, res)
		return w.String()
	}
	describe := slices.Contains(intents, retrieval.IntentDescribe)
	intents = slices.DeleteFunc(slices.Clone(intents), func(i retrieval.Intent) bool { return i == retrieval.IntentDescribe })
	if len(intents) == 0 || describe {
		for _, s := range subjects {
			w.describe(s)
		}
	}
	if len(intents) == 0 {
		return w.String()
	}
	before := w.Len()
	var reached []string
	pair := retrieval.YesNo(res.Question) && len(distinctNames(g, subjects)) >= 2
	for _, s := range subjects {
		for _, in := range intents {
			if pair && in != retrieval.IntentOwner {
				// "Is team-d part of box office?": only the sentences that
				// link the two named entities answer it.
				reached = append(reached, w.linking(s, in, subjects)...)
				continue
			}
			reached = append(reached, w.relation(s, in)...)
		}
	}
	if w.Len() == before {
		for _, n := range w.emptyInside {
			w.line("The catalog lists nothing inside %s.", n)
		}
	}
	if slices.Contains(intents, retrieval.IntentOwner) {
		w.owners(append(slices.Clone(subjects), reached...))
	}
	if w.Len() == before && !describe {
		for _, s := range subjects {
			w.describe(s)
		}
	}
	return w.String()
}

type writer struct {
	strings.Builder
	g        *catalog.Graph
	question string
	seen     map[string]bool
	// emptyInside are subjects of a "what is in X" question with nothing
	// inside, said only when no subject had anything.
	emptyInside []string
}

func plural(kind string, n int) string {
	name := map[string]string{"api": "API", "component": "component", "resource": "resource", "system": "system",
		"domain": "domain", "user": "user", "group": "group"}[kind]
	if name == "" {
		name = kind
	}
	if n == 1 {
		return name
	}
	return name + "s"
}

// line writes one sentence, never the same sentence twice (two subjects
// or two intents can reach the same owner).
func (w *writer) line(format string, args ...any) {
	l := fmt.Sprintf(format, args...)
	if w.seen == nil {
		w.seen = map[string]bool{}
	}
	if w.seen[l] && !strings.HasPrefix(l, "  ") {
		return
	}
	w.seen[l] = true
	w.WriteString(l + "\n")
}

// name is "Display name (`ref`)".
func (w *writer) name(ref string) string {
	if e, ok := w.g.Get(ref); ok {
		return fmt.Sprintf("%s (`%s`)", DisplayName(e), ref)
	}
	return Absent(ref)
}

// Absent names a relation target that is not an entity of the catalog
// ("backstage/maintainers (group, not in the catalog)"): never as a ref,
// which would read as a citation of something that does not exist.
func Absent(ref string) string {
	r, err := catalog.ParseRef(ref, "", catalog.DefaultNamespace)
	if err != nil {
		return ref + " (not in the catalog)"
	}
	name := r.Name
	if r.Namespace != catalog.DefaultNamespace {
		name = r.Namespace + "/" + r.Name
	}
	return fmt.Sprintf("%s (%s, not in the catalog)", name, strings.ToLower(r.Kind))
}

// names lists refs as "A (`a`), B (`b`) and C (`c`)", capped.
func (w *writer) names(refs []string) string {
	more := 0
	if len(refs) > maxListed {
		more = len(refs) - maxListed
		refs = refs[:maxListed]
	}
	parts := make([]string, len(refs))
	for i, r := range refs {
		parts[i] = w.name(r)
	}
	if more > 0 {
		return strings.Join(parts, ", ") + fmt.Sprintf(" and %d more", more)
	}
	return joinAnd(parts)
}

func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// summary is "production service in `system`, owned by `group`".
func (w *writer) summary(e *catalog.Entity) string {
	ref := e.Ref().String()
	var words []string
	if l := e.SpecString("lifecycle"); l != "" {
		words = append(words, l)
	}
	if t := e.SpecString("type"); t != "" {
		words = append(words, t)
	}
	words = append(words, strings.ToLower(e.Kind))
	s := strings.Join(words, " ")
	if sys := w.g.Related(ref, catalog.RelPartOf); len(sys) > 0 {
		s += " in " + w.names(sys)
	}
	if own := w.g.Related(ref, catalog.RelOwnedBy); len(own) > 0 {
		s += ", owned by " + w.names(own)
	}
	return s
}

// describe writes what the catalog says about one entity.
func (w *writer) describe(ref string) {
	e, ok := w.g.Get(ref)
	if !ok {
		return
	}
	if w.Len() > 0 {
		w.WriteString("\n")
	}
	w.line("%s: %s.", w.name(ref), w.summary(e))
	if d := strings.TrimSpace(e.Metadata.Description); d != "" {
		w.line("  %s", oneLine(d))
	}
	rel := func(label string, types ...string) {
		if ts := w.g.Related(ref, types...); len(ts) > 0 {
			w.line("  %s: %s.", label, w.names(ts))
		}
	}
	rel("Depends on", catalog.RelDependsOn)
	rel("Consumes", catalog.RelConsumesAPI)
	rel("Provides", catalog.RelProvidesAPI)
	rel("Provided by", catalog.RelAPIProvidedBy)
	if deps := w.dependents(ref); len(deps) > 0 {
		w.line("  Used by: %s.", w.names(deps))
	}
	rel("Contains", catalog.RelHasPart)
	rel("Members", catalog.RelHasMember)
	rel("Member of", catalog.RelMemberOf)
	rel("Owns", catalog.RelOwnerOf)
	rel("Parent group", catalog.RelChildOf)
	rel("Child groups", catalog.RelParentOf)
	if mail := email(e); mail != "" {
		w.line("  Email: %s", mail)
	}
	if oc, via := w.onCall(ref); oc != "" {
		if via != "" {
			w.line("  On call: %s (%s).", oc, DisplayName(mustGet(w.g, via)))
		} else {
			w.line("  On call: %s.", oc)
		}
	}
	if pd := e.Metadata.Annotations["pagerduty.com/service-id"]; pd != "" {
		w.line("  PagerDuty service: %s.", pd)
	}
	if slug := e.Metadata.Annotations["github.com/project-slug"]; slug != "" {
		w.line("  Repository: https://github.com/%s", slug)
	}
	if links := linkText(e); links != "" {
		w.line("  Links: %s", links)
	}
	if a := annotationText(e); a != "" {
		w.line("  Annotations: %s", a)
	}
	for _, kv := range specExtras(e) {
		w.line("  %s: %s", kv[0], kv[1])
	}
}

// list writes one line per plausible hit for questions that name no
// entity ("which services are deprecated?", "list all domains").
func (w *writer) list(ix *retrieval.Index, res retrieval.Result) {
	// Keep the hits that contain the most of the question's content words:
	// for "which services are deprecated?" that is the deprecated ones, not
	// every service. A list question's hits are already exactly that.
	all := slices.Contains(res.Intents, retrieval.IntentList)
	// "Which components are experimental?" lists components, not the
	// experimental API, when any hit has the asked-for kind.
	kind := retrieval.KindHint(res.Question)
	if !slices.ContainsFunc(res.Hits, func(h retrieval.Hit) bool { return strings.EqualFold(h.Entity.Kind, kind) }) {
		kind = ""
	}
	var keep []retrieval.Hit
	best := 0.0
	cov := make([]float64, len(res.Hits))
	for i, h := range res.Hits {
		if kind != "" && !strings.EqualFold(h.Entity.Kind, kind) {
			continue
		}
		if ix != nil && !all {
			cov[i] = ix.Coverage(h.Ref, res.Question)
		}
		best = max(best, cov[i])
	}
	for i, h := range res.Hits {
		if (kind == "" || strings.EqualFold(h.Entity.Kind, kind)) && cov[i] >= best {
			keep = append(keep, h)
		}
	}
	if !all && len(keep) <= 2 {
		// One or two entities match what the question describes ("the
		// MCP specification", "the Backstage Discord"): the answer is in
		// their details.
		for _, h := range keep {
			w.describe(h.Ref)
		}
		return
	}
	typ := ""
	if len(keep) > 0 {
		typ, _ = strings.CutPrefix(keep[0].Why, "list type ")
		if typ == keep[0].Why {
			typ = ""
		}
	}
	if all && kind != "" {
		w.line("%d %s:", len(keep), plural(kind, len(keep)))
	} else if all && typ != "" {
		w.line("%d %s:", len(keep), plural(typ, len(keep)))
	} else {
		w.line("Matching entities:")
	}
	for _, h := range keep {
		w.line("- %s: %s.", w.name(h.Ref), w.summary(h.Entity))
	}
}

// dependents are what stops working when ref goes down: entities that
// depend on it, consumers of it (an API), and consumers of the APIs it
// provides.
func (w *writer) dependents(ref string) []string {
	out := w.g.Related(ref, catalog.RelDependencyOf, catalog.RelAPIConsumedBy)
	for _, api := range w.g.Related(ref, catalog.RelProvidesAPI) {
		for _, c := range w.g.Related(api, catalog.RelAPIConsumedBy) {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// relation writes the sentence an intent asks for and returns the refs it
// reached (for multi-hop owner questions).
func (w *writer) relation(ref string, in retrieval.Intent) []string {
	e, ok := w.g.Get(ref)
	if !ok {
		return nil
	}
	n := w.name(ref)
	switch in {
	case retrieval.IntentDependents:
		// Direct dependents first (what an on-call engineer checks first),
		// then the bounded transitive blast radius with its paths.
		hops := retrieval.Dependents(w.g, ref, 0, 0)
		var direct, all []string
		for _, h := range hops {
			if h.Depth != 1 {
				continue
			}
			all = append(all, h.Ref)
			if h.API == "" {
				direct = append(direct, h.Ref)
			}
		}
		if len(direct) > 0 {
			w.line("If %s goes down, these depend on it: %s.", n, w.names(direct))
		}
		// Consumers of an API the subject provides, including those already
		// listed as dependsOn (the sentence names the API they use).
		for _, api := range w.g.Related(ref, catalog.RelProvidesAPI) {
			if cs := w.g.Related(api, catalog.RelAPIConsumedBy); len(cs) > 0 {
				w.line("%s provides %s, which is consumed by %s.", n, w.name(api), w.names(cs))
			}
		}
		if len(all) == 0 {
			w.line("Nothing in the catalog depends on %s.", n)
		}
		w.indirect("Indirectly affected", hops, true)
		return all
	case retrieval.IntentDependencies:
		deps := w.g.Related(ref, catalog.RelDependsOn)
		apis := w.g.Related(ref, catalog.RelConsumesAPI)
		if len(deps) > 0 {
			w.line("%s depends on %s.", n, w.names(deps))
		}
		var providers []string
		for _, a := range apis {
			providers = append(providers, w.g.Related(a, catalog.RelAPIProvidedBy)...)
		}
		if len(apis) > 0 {
			s := fmt.Sprintf("%s consumes %s", n, w.names(apis))
			if len(providers) > 0 {
				s += ", provided by " + w.names(uniq(providers))
			}
			w.line("%s.", s)
		}
		if len(deps)+len(apis) == 0 {
			w.line("The catalog lists no dependencies for %s.", n)
		}
		w.indirect("Indirectly, it needs", retrieval.Dependencies(w.g, ref, 0, 0), false)
		return append(deps, apis...)
	case retrieval.IntentProvides:
		if ps := w.g.Related(ref, catalog.RelAPIProvidedBy); len(ps) > 0 {
			w.line("%s is provided by %s.", n, w.names(ps))
			return ps
		}
		if as := w.g.Related(ref, catalog.RelProvidesAPI); len(as) > 0 {
			w.line("%s provides %s.", n, w.names(as))
			return as
		}
		if strings.EqualFold(e.Kind, "api") {
			w.line("The catalog names no component providing %s.", n)
		}
	case retrieval.IntentMembers:
		var got []string
		if ps := w.g.Related(ref, catalog.RelHasPart); len(ps) > 0 {
			w.line("%s contains %s.", n, w.names(ps))
			got = append(got, ps...)
		}
		if ms := w.g.Related(ref, catalog.RelHasMember); len(ms) > 0 {
			w.line("%s has %d %s: %s.", n, len(ms), pluralWord("member", len(ms)), w.names(ms))
			got = append(got, ms...)
		}
		if cs := w.g.Related(ref, catalog.RelParentOf); len(cs) > 0 {
			w.line("%s has %d child %s: %s.", n, len(cs), pluralWord("group", len(cs)), w.names(cs))
			got = append(got, cs...)
		}
		if len(got) == 0 {
			w.emptyInside = append(w.emptyInside, n)
		}
		return got
	case retrieval.IntentPartOf:
		var got []string
		if ps := w.g.Related(ref, catalog.RelPartOf); len(ps) > 0 {
			w.line("%s is part of %s.", n, w.names(ps))
			got = append(got, ps...)
		}
		if gs := w.g.Related(ref, catalog.RelMemberOf); len(gs) > 0 {
			w.line("%s is a member of %s.", n, w.names(gs))
			got = append(got, gs...)
		}
		if ps := w.g.Related(ref, catalog.RelChildOf); len(ps) > 0 {
			w.line("The parent group of %s is %s.", n, w.names(ps))
			got = append(got, ps...)
		}
		return got
	case retrieval.IntentOwned:
		os := w.g.Related(ref, catalog.RelOwnerOf)
		// "What does Lucy's team own?": a person's team owns things.
		if strings.EqualFold(e.Kind, "user") {
			var got []string
			if len(os) > 0 {
				got = append(got, w.owned(n, os)...)
			}
			if len(os) == 0 || askTeam(w.question) {
				for _, g := range w.g.Related(ref, catalog.RelMemberOf) {
					w.line("%s is a member of %s.", n, w.name(g))
					got = append(got, g)
					if gos := w.g.Related(g, catalog.RelOwnerOf); len(gos) > 0 {
						got = append(got, w.owned(w.name(g), gos)...)
					}
				}
			}
			if len(got) == 0 {
				w.line("The catalog lists nothing owned by %s.", n)
			}
			return got
		}
		if len(os) > 0 {
			return w.owned(n, os)
		}
		if strings.EqualFold(e.Kind, "group") {
			w.line("The catalog lists nothing owned by %s.", n)
		}
	case retrieval.IntentOwner:
		// Written once for all subjects by owners().
	}
	return nil
}

// linking writes the sentences of relation(ref, in) that name another of
// subjects, and returns what they reached.
func (w *writer) linking(ref string, in retrieval.Intent, subjects []string) []string {
	tmp := &writer{g: w.g, question: w.question}
	got := tmp.relation(ref, in)
	for _, l := range strings.Split(strings.TrimRight(tmp.String(), "\n"), "\n") {
		for _, s := range subjects {
			if s != ref && strings.Contains(l, "`"+s+"`") {
				w.line("%s", l)
				break
			}
		}
	}
	return got
}

// owned writes what owner n owns, only the kind asked for when the
// question names one ("Which APIs does team C own?").
func (w *writer) owned(n string, os []string) []string {
	if kind := retrieval.KindHint(w.question, "group", "user"); kind != "" {
		var only []string
		for _, o := range os {
			if e, ok := w.g.Get(o); ok && strings.EqualFold(e.Kind, kind) {
				only = append(only, o)
			}
		}
		if len(only) > 0 {
			w.line("%s owns %d %s: %s.", n, len(only), plural(kind, len(only)), w.names(only))
			return only
		}
	}
	w.line("%s owns %s.", n, w.names(os))
	return os
}

func askTeam(q string) bool {
	for _, w := range strings.Fields(strings.ToLower(q)) {
		switch strings.Trim(w, "?!.,'\"") {
		case "team", "team's", "teams", "group", "group's", "department":
			return true
		}
	}
	return false
}

func pluralWord(w string, n int) string {
	if n == 1 {
		return w
	}
	return w + "s"
}

// email is a group's or user's profile email.
func email(e *catalog.Entity) string {
	if p, ok := e.Spec["profile"].(map[string]any); ok {
		if mail, _ := p["email"].(string); mail != "" {
			return mail
		}
	}
	return ""
}

// owners writes who owns refs, grouped by owner, then how to reach each
// owner: the nearest on-call contact up the org, PagerDuty and members.
func (w *writer) owners(refs []string) {
	var order []string
	owned := map[string][]string{}
	var users []string
	for _, r := range uniq(refs) {
		e, ok := w.g.Get(r)
		if !ok {
			continue
		}
		if strings.EqualFold(e.Kind, "user") {
			users = append(users, r)
			continue
		}
		if strings.EqualFold(e.Kind, "group") && len(w.g.Related(r, catalog.RelOwnedBy)) == 0 {
			// "How do I reach the Backstage group?": the group is the contact.
			if !slices.Contains(order, r) {
				order = append(order, r)
			}
			continue
		}
		for _, o := range w.g.Related(r, catalog.RelOwnedBy) {
			if _, seen := owned[o]; !seen {
				order = append(order, o)
			}
			owned[o] = append(owned[o], r)
		}
	}
	for _, u := range users {
		if gs := w.g.Related(u, catalog.RelMemberOf); len(gs) > 0 {
			w.line("%s is a member of %s.", w.name(u), w.names(gs))
			order = append(order, gs...)
		}
	}
	for _, o := range order {
		if len(owned[o]) > 0 {
			w.line("%s owns %s.", w.name(o), w.names(owned[o]))
		}
	}
	for _, o := range uniq(order) {
		w.contact(o)
	}
	if len(order) == 0 {
		w.line("The catalog names no owner for %s.", w.names(refs))
	}
}

// contact writes how to reach a group: on-call channel (walking up parent
// groups until one has it), PagerDuty, members.
func (w *writer) contact(group string) {
	var parts []string
	for _, g := range append([]string{group}, w.g.Owners(group)...) {
		if e, ok := w.g.Get(g); ok {
			if oc := OnCall(e); oc != "" {
				s := "on call " + oc
				if g != group {
					s += " (via " + w.name(g) + ")"
				}
				parts = append(parts, s)
				break
			}
		}
	}
	e, ok := w.g.Get(group)
	if !ok {
		w.line("Contact %s: the catalog has no entity for it, so no contact details.", Absent(group))
		return
	}
	if pd := e.Metadata.Annotations["pagerduty.com/service-id"]; pd != "" {
		parts = append(parts, "PagerDuty "+pd)
	}
	if mail := email(e); mail != "" {
		parts = append(parts, "email "+mail)
	}
	if ms := w.g.Related(group, catalog.RelHasMember); len(ms) > 0 {
		parts = append(parts, "members "+w.names(ms))
	}
	if len(parts) > 0 {
		w.line("Contact %s: %s.", DisplayName(e), strings.Join(parts, "; "))
	}
}

// onCall is ref's on-call contact: its own annotation, else the nearest
// owner up the org that has one (returned as via).
func (w *writer) onCall(ref string) (contact, via string) {
	if e, ok := w.g.Get(ref); ok {
		if oc := OnCall(e); oc != "" {
			return oc, ""
		}
	}
	for _, o := range w.g.Owners(ref) {
		if e, ok := w.g.Get(o); ok {
			if oc := OnCall(e); oc != "" {
				return oc, o
			}
		}
	}
	return "", ""
}

func mustGet(g *catalog.Graph, ref string) *catalog.Entity {
	if e, ok := g.Get(ref); ok {
		return e
	}
	return &catalog.Entity{Metadata: catalog.Metadata{Name: ref}}
}

func linkText(e *catalog.Entity) string {
	var ps []string
	for _, l := range e.Metadata.Links {
		ps = append(ps, fmt.Sprintf("%s <%s>", nonEmpty(l.Title, "link"), l.URL))
	}
	return strings.Join(ps, ", ")
}

// shownAnnotations are rendered on their own lines by describe.
var shownAnnotations = map[string]bool{
	"pagerduty.com/service-id": true, "github.com/project-slug": true,
	"bsai.dev/oncall": true, "opsgenie.com/team": true, "slack.com/channel": true,
}

// annotationText lists the annotations people look up (SonarQube key,
// Kubernetes namespace, image repository), not the catalog's plumbing.
func annotationText(e *catalog.Entity) string {
	var keys []string
	for k, v := range e.Metadata.Annotations {
		if v != "" && !shownAnnotations[k] && !retrieval.PlumbingAnnotation(k) && len(v) <= 300 {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + " " + e.Metadata.Annotations[k]
	}
	return strings.Join(parts, "; ")
}

// structuralSpec are spec fields describe renders as relations or in the
// summary; the rest (categories, agents, remotes) are shown as they are.
var structuralSpec = map[string]bool{
	"type": true, "lifecycle": true, "owner": true, "system": true, "domain": true, "parent": true,
	"children": true, "members": true, "memberOf": true, "profile": true, "definition": true,
	"providesApis": true, "consumesApis": true, "dependsOn": true, "dependencyOf": true,
	"subcomponentOf": true, "subdomainOf": true, "target": true, "targets": true,
}

// specExtras are the other spec fields of e as label/value pairs, values
// flattened to their short strings ("remotes: streamable-http
// https://…").
func specExtras(e *catalog.Entity) [][2]string {
	var keys []string
	for k := range e.Spec {
		if !structuralSpec[k] {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out [][2]string
	for _, k := range keys {
		var vals []string
		flatten(e.Spec[k], 0, func(s string) { vals = append(vals, s) })
		if len(vals) > 0 {
			out = append(out, [2]string{k, strings.Join(vals, ", ")})
		}
	}
	return out
}

func flatten(v any, depth int, fn func(string)) {
	if depth > 3 {
		return
	}
	switch t := v.(type) {
	case string:
		if len(t) <= 300 {
			fn(t)
		}
	case bool, int, int64, float64:
		fn(fmt.Sprint(t))
	case []any:
		for _, x := range t {
			flatten(x, depth+1, fn)
		}
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			flatten(t[k], depth+1, fn)
		}
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func uniq(xs []string) []string {
	var out []string
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

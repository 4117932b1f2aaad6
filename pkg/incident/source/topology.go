package source

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/bsai-dev/bsai/pkg/catalog"
)

// Annotations read from the catalog.
const (
	AnnoPagerDuty  = "pagerduty.com/service-id"
	AnnoOnCall     = "bsai.dev/oncall"
	AnnoPrometheus = "prometheus.io/service"
	AnnoLoki       = "loki.grafana.com/service"
)

// Topology is the focus entity's neighbourhood: who it depends on (causes
// can come from there) and who depends on it (the blast radius).
type Topology struct {
	Focus        string
	System       string
	Dependencies []string // direct, then transitive (bounded), deduplicated
	Direct       map[string]bool
	Dependents   []string // direct and transitive (bounded)
	Owners       []string
	OnCall       []OnCall
	// Edges maps the focus and each dependency to its own direct
	// dependencies, so the engine can follow a failure down a chain.
	Edges map[string][]string
	// Owner is the first owner of the focus and of each dependency (the team
	// to page when that entity is the suspect).
	Owner map[string]string
	// Aliases maps a lower-case name an error message may use for an entity
	// in scope (its label name, its metadata name, an API it provides) to the
	// entity's ref.
	Aliases map[string]string
}

// ResolveFocus finds the entity an alert or --service names. It tries the
// ref as given, then the PagerDuty service id and the prometheus.io/service
// annotation, preferring Components when a name is ambiguous.
func ResolveFocus(g *catalog.Graph, service string, alert *Alert) (string, error) {
	try := []string{}
	if service != "" {
		try = append(try, service)
	} else if alert != nil && alert.Service != "" {
		try = append(try, alert.Service)
	}
	for _, s := range try {
		if ref := pick(g.Lookup(s)); ref != "" {
			return ref, nil
		}
		for _, e := range g.ByKind("Component") {
			if e.Metadata.Annotations[AnnoPrometheus] == s || e.Metadata.Annotations[AnnoLoki] == s {
				return e.Ref().String(), nil
			}
		}
	}
	if alert != nil && alert.ServiceID != "" {
		for _, e := range g.All() {
			if e.Metadata.Annotations[AnnoPagerDuty] == alert.ServiceID && !strings.EqualFold(e.Kind, "group") {
				return e.Ref().String(), nil
			}
		}
	}
	if len(try) == 0 {
		return "", fmt.Errorf("no service to investigate: give --service or an alert with a service label")
	}
	return "", fmt.Errorf("service %q is not in the catalog", try[0])
}

func pick(es []*catalog.Entity) string {
	if len(es) == 0 {
		return ""
	}
	for _, e := range es {
		if strings.EqualFold(e.Kind, "component") {
			return e.Ref().String()
		}
	}
	return es[0].Ref().String()
}

// BuildTopology walks the graph around focus. It uses computed relations
// when the source provides them and falls back to spec fields (dependsOn,
// consumesApis/providesApis), so a catalog loaded without relations still
// yields a blast radius.
func BuildTopology(g *catalog.Graph, focus string) Topology {
	t := Topology{Focus: focus, Direct: map[string]bool{}}
	if e, ok := g.Get(focus); ok {
		if sys := e.SpecString("system"); sys != "" {
			if r, err := catalog.ParseRef(sys, "system", e.Namespace()); err == nil {
				t.System = r.String()
			}
		}
	}
	deps := dependencies(g, focus)
	for _, d := range deps {
		t.Direct[d] = true
	}
	t.Dependencies = bfs(g, focus, dependencies, 3)
	t.Dependents = bfs(g, focus, dependents, 2)
	t.Edges, t.Owner, t.Aliases = map[string][]string{}, map[string]string{}, map[string]string{}
	inScope := append([]string{focus}, t.Dependencies...)
	names := ScopeNames(g, inScope)
	for _, r := range inScope {
		var ds []string
		for _, d := range dependencies(g, r) {
			if slices.Contains(inScope, d) {
				ds = append(ds, d)
			}
		}
		t.Edges[r] = ds
		if o := owners(g, r); len(o) > 0 {
			t.Owner[r] = o[0]
		}
		t.Aliases[strings.ToLower(RefName(r))] = r
		t.Aliases[strings.ToLower(names[r])] = r
	}
	// An error naming an API ("billing-api returned 500") names its provider.
	for _, r := range inScope {
		for _, api := range providedAPIs(g, r) {
			if n := strings.ToLower(RefName(api)); t.Aliases[n] == "" {
				t.Aliases[n] = r
			}
		}
	}
	t.Owners = owners(g, focus)
	for _, o := range t.Owners {
		oc := OnCall{Owner: o}
		if e, ok := g.Get(o); ok {
			oc.PagerDuty = e.Metadata.Annotations[AnnoPagerDuty]
			oc.Contact = e.Metadata.Annotations[AnnoOnCall]
		}
		if o == t.Owners[0] || oc.PagerDuty != "" || oc.Contact != "" {
			t.OnCall = append(t.OnCall, oc)
		}
	}
	if e, ok := g.Get(focus); ok && e.Metadata.Annotations[AnnoPagerDuty] != "" {
		t.OnCall = append([]OnCall{{Owner: focus, PagerDuty: e.Metadata.Annotations[AnnoPagerDuty],
			Contact: e.Metadata.Annotations[AnnoOnCall]}}, t.OnCall...)
	}
	return t
}

func bfs(g *catalog.Graph, start string, next func(*catalog.Graph, string) []string, depth int) []string {
	seen := map[string]bool{start: true}
	var out []string
	level := []string{start}
	for d := 0; d < depth && len(level) > 0; d++ {
		var nl []string
		for _, cur := range level {
			for _, n := range next(g, cur) {
				if !seen[n] {
					seen[n] = true
					out = append(out, n)
					nl = append(nl, n)
				}
			}
		}
		level = nl
	}
	return out
}

// dependencies of ref: dependsOn, the providers of consumed APIs, and the
// component's own subcomponents (a part that fails takes its whole down).
func dependencies(g *catalog.Graph, ref string) []string {
	set := map[string]bool{}
	for _, r := range g.Related(ref, catalog.RelDependsOn) {
		set[r] = true
	}
	for _, r := range subcomponents(g, ref) {
		set[r] = true
	}
	apis := g.Related(ref, catalog.RelConsumesAPI)
	if e, ok := g.Get(ref); ok {
		for _, s := range e.SpecStrings("dependsOn") {
			if r, err := catalog.ParseRef(s, "component", e.Namespace()); err == nil {
				set[r.String()] = true
			}
		}
		for _, s := range e.SpecStrings("consumesApis") {
			if r, err := catalog.ParseRef(s, "api", e.Namespace()); err == nil {
				apis = append(apis, r.String())
			}
		}
	}
	for _, api := range apis {
		for _, p := range providers(g, api) {
			if p != ref {
				set[p] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// subcomponents of a Component: the Components whose spec.subcomponentOf
// names it (hasPart also links systems to their members, which are not parts
// in this sense).
func subcomponents(g *catalog.Graph, ref string) []string {
	e, ok := g.Get(ref)
	if !ok || !strings.EqualFold(e.Kind, "component") {
		return nil
	}
	set := map[string]bool{}
	for _, r := range g.Related(ref, catalog.RelHasPart) {
		if strings.HasPrefix(r, "component:") {
			set[r] = true
		}
	}
	for _, c := range g.ByKind("Component") {
		if s := c.SpecString("subcomponentOf"); s != "" {
			if r, err := catalog.ParseRef(s, "component", c.Namespace()); err == nil && r.String() == ref {
				set[c.Ref().String()] = true
			}
		}
	}
	delete(set, ref)
	return slices.Sorted(maps.Keys(set))
}

// providedAPIs of ref, from relations and spec.providesApis.
func providedAPIs(g *catalog.Graph, ref string) []string {
	set := map[string]bool{}
	for _, r := range g.Related(ref, catalog.RelProvidesAPI) {
		set[r] = true
	}
	if e, ok := g.Get(ref); ok {
		for _, s := range e.SpecStrings("providesApis") {
			if r, err := catalog.ParseRef(s, "api", e.Namespace()); err == nil {
				set[r.String()] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(set))
}

func providers(g *catalog.Graph, api string) []string {
	set := map[string]bool{}
	for _, r := range g.Related(api, catalog.RelAPIProvidedBy) {
		set[r] = true
	}
	for _, e := range g.ByKind("Component") {
		for _, s := range e.SpecStrings("providesApis") {
			if r, err := catalog.ParseRef(s, "api", e.Namespace()); err == nil && r.String() == api {
				set[e.Ref().String()] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// dependents of ref: who dependsOn it, and consumers of the APIs it provides.
func dependents(g *catalog.Graph, ref string) []string {
	set := map[string]bool{}
	for _, r := range g.Related(ref, catalog.RelDependencyOf) {
		set[r] = true
	}
	provided := map[string]bool{}
	for _, r := range g.Related(ref, catalog.RelProvidesAPI) {
		provided[r] = true
	}
	if e, ok := g.Get(ref); ok {
		for _, s := range e.SpecStrings("providesApis") {
			if r, err := catalog.ParseRef(s, "api", e.Namespace()); err == nil {
				provided[r.String()] = true
			}
		}
	}
	for api := range provided {
		for _, c := range g.Related(api, catalog.RelAPIConsumedBy) {
			set[c] = true
		}
	}
	for _, e := range g.ByKind("Component") {
		me := e.Ref().String()
		if me == ref {
			continue
		}
		for _, s := range e.SpecStrings("dependsOn") {
			if r, err := catalog.ParseRef(s, "component", e.Namespace()); err == nil && r.String() == ref {
				set[me] = true
			}
		}
		for _, s := range e.SpecStrings("consumesApis") {
			if r, err := catalog.ParseRef(s, "api", e.Namespace()); err == nil && provided[r.String()] {
				set[me] = true
			}
		}
	}
	delete(set, ref)
	return slices.Sorted(maps.Keys(set))
}

// owners uses the graph's ownedBy walk, falling back to spec.owner.
func owners(g *catalog.Graph, ref string) []string {
	if o := g.Owners(ref); len(o) > 0 {
		return o
	}
	e, ok := g.Get(ref)
	if !ok || e.SpecString("owner") == "" {
		return nil
	}
	r, err := catalog.ParseRef(e.SpecString("owner"), "group", e.Namespace())
	if err != nil {
		return nil
	}
	out := []string{r.String()}
	// Walk parents via spec.parent when relations are absent.
	for i := 0; i < 5; i++ {
		pe, ok := g.Get(out[len(out)-1])
		if !ok || pe.SpecString("parent") == "" {
			break
		}
		pr, err := catalog.ParseRef(pe.SpecString("parent"), "group", pe.Namespace())
		if err != nil {
			break
		}
		out = append(out, pr.String())
	}
	return out
}

// CatalogSource turns the topology into evidence: owners/on-call and the
// dependency picture, so the report and the model can cite them.
type CatalogSource struct {
	Graph *catalog.Graph
	Topo  Topology
}

func (c *CatalogSource) Name() string { return "catalog" }

func (c *CatalogSource) Collect(ctx context.Context, s Scope) ([]Evidence, error) {
	var out []Evidence
	for _, oc := range c.Topo.OnCall {
		d := "owner " + oc.Owner
		if oc.PagerDuty != "" {
			d += ", PagerDuty service " + oc.PagerDuty
		}
		if oc.Contact != "" {
			d += ", on-call " + oc.Contact
		}
		out = append(out, Evidence{Source: "catalog", Kind: KindOwner, Entity: oc.Owner, Detail: d, Link: oc.Owner})
	}
	if len(c.Topo.Dependencies) > 0 {
		out = append(out, Evidence{Source: "catalog", Kind: KindTopology, Entity: s.Focus, Link: s.Focus,
			Detail: fmt.Sprintf("%s depends on %s", s.Focus, strings.Join(c.Topo.Dependencies, ", "))})
	}
	if len(c.Topo.Dependents) > 0 {
		out = append(out, Evidence{Source: "catalog", Kind: KindTopology, Entity: s.Focus, Link: s.Focus,
			Detail: fmt.Sprintf("blast radius: %s", strings.Join(c.Topo.Dependents, ", "))})
	}
	return out, nil
}

// ScopeNames maps each ref to its metric/log label name.
func ScopeNames(g *catalog.Graph, refs []string) map[string]string {
	m := map[string]string{}
	for _, r := range refs {
		name := RefName(r)
		if e, ok := g.Get(r); ok {
			name = cmp.Or(e.Metadata.Annotations[AnnoPrometheus], e.Metadata.Name)
		}
		m[r] = name
	}
	return m
}

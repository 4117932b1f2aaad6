package catalog

import (
	"strings"
	"testing"
)

func TestParseRef(t *testing.T) {
	cases := []struct {
		in, kind, ns string
		want         string // "" = error
	}{
		{"component:default/foo", "", "", "component:default/foo"},
		{"Component:Default/Foo", "", "", "component:default/foo"},
		{"foo", "Group", "", "group:default/foo"},
		{"foo", "Group", "team-ns", "group:team-ns/foo"},
		{"other/foo", "Group", "team-ns", "group:other/foo"},
		{"user:foo", "Group", "team-ns", "user:team-ns/foo"},
		{"  api:bar  ", "", "", "api:default/bar"},
		// A "/" before the ":" means no kind: the colon is part of the name.
		{"ns/foo:bar", "Component", "", "component:ns/foo:bar"},
		// The name is everything after the namespace separator, as upstream.
		{"a:b/c/d", "", "", "a:b/c/d"},
		{"foo", "", "", ""},   // kind required
		{"", "Group", "", ""}, // empty
		{":foo", "Group", "", ""},
		{"group:/foo", "", "", ""},
		{"group:ns/", "", "", ""},
		{"group:", "", "", ""},
		{"/foo", "Group", "", ""},
	}
	for _, c := range cases {
		r, err := ParseRef(c.in, c.kind, c.ns)
		if c.want == "" {
			if err == nil {
				t.Errorf("ParseRef(%q, %q, %q) = %v, want error", c.in, c.kind, c.ns, r)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseRef(%q, %q, %q): %v", c.in, c.kind, c.ns, err)
			continue
		}
		if got := r.String(); got != c.want {
			t.Errorf("ParseRef(%q, %q, %q) = %s, want %s", c.in, c.kind, c.ns, got, c.want)
		}
	}
}

func FuzzParseRef(f *testing.F) {
	for _, s := range []string{"component:default/foo", "foo", "a/b", "a:b", "x:y/z/w", ":", "/", "ns/a:b", "ü:ö/ä"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRef(s, "Component", "")
		if err != nil {
			return
		}
		if r.Kind == "" || r.Namespace == "" || r.Name == "" {
			t.Fatalf("ParseRef(%q) = %+v with an empty part", s, r)
		}
		// A parsed ref with valid parts survives a round trip.
		if ValidateRef(r) == nil {
			r2, err := ParseRef(r.String(), "", "")
			if err != nil || r2.String() != r.String() {
				t.Fatalf("round trip of %q: %v, %v", r.String(), r2, err)
			}
		}
	})
}

func TestValidators(t *testing.T) {
	names := map[string]bool{
		"a": true, "foo-bar": true, "foo_bar.baz": true, "Foo": true, "a--b": true, "9lives": true,
		"": false, "-a": false, "a-": false, "a b": false, "a/b": false, strings.Repeat("a", 63): true, strings.Repeat("a", 64): false,
	}
	for s, want := range names {
		if IsValidName(s) != want {
			t.Errorf("IsValidName(%q) = %v, want %v", s, !want, want)
		}
	}
	nss := map[string]bool{"default": true, "team-a": true, "a1": true, "Team": false, "a--b": false, "a_b": false, "-a": false, "": false}
	for s, want := range nss {
		if IsValidNamespace(s) != want {
			t.Errorf("IsValidNamespace(%q) = %v, want %v", s, !want, want)
		}
	}
	kinds := map[string]bool{"Component": true, "API": true, "x1": true, "1x": false, "a-b": false, "": false}
	for s, want := range kinds {
		if IsValidKind(s) != want {
			t.Errorf("IsValidKind(%q) = %v, want %v", s, !want, want)
		}
	}
	versions := map[string]bool{"backstage.io/v1alpha1": true, "v1": true, "a/b/c": false, "Backstage.io/v1": false, "backstage.io/": false}
	for s, want := range versions {
		if IsValidAPIVersion(s) != want {
			t.Errorf("IsValidAPIVersion(%q) = %v, want %v", s, !want, want)
		}
	}
	keys := map[string]bool{"backstage.io/techdocs-ref": true, "simple": true, "a/b/c": false, "Bad_Prefix/x": false}
	for s, want := range keys {
		if IsValidAnnotationKey(s) != want {
			t.Errorf("IsValidAnnotationKey(%q) = %v, want %v", s, !want, want)
		}
	}
	tags := map[string]bool{"java": true, "c++": true, "c#": true, "go-lang": true, "Java": false, "a b": false, "": false}
	for s, want := range tags {
		if IsValidTag(s) != want {
			t.Errorf("IsValidTag(%q) = %v, want %v", s, !want, want)
		}
	}
}

func TestValidateEntity(t *testing.T) {
	good := Entity{APIVersion: "backstage.io/v1alpha1", Kind: "Component",
		Metadata: Metadata{Name: "svc", Tags: []string{"go"}},
		Spec:     map[string]any{"type": "service", "lifecycle": "production", "owner": "team-a"}}
	if errs := ValidateEntity(&good); len(errs) != 0 {
		t.Fatalf("valid entity: %v", errs)
	}
	cases := map[string]func(e *Entity){
		"apiVersion is required":       func(e *Entity) { e.APIVersion = "" },
		`invalid metadata.name "-svc"`: func(e *Entity) { e.Metadata.Name = "-svc" },
		"invalid metadata.namespace":   func(e *Entity) { e.Metadata.Namespace = "Prod" },
		"spec.owner is required":       func(e *Entity) { delete(e.Spec, "owner") },
		`invalid tag "Go"`:             func(e *Entity) { e.Metadata.Tags = []string{"Go"} },
		`must be spelled "Component"`:  func(e *Entity) { e.Kind = "component" },
		"spec.dependsOn must be":       func(e *Entity) { e.Spec["dependsOn"] = map[string]any{"a": 1} },
	}
	for want, mutate := range cases {
		e := good
		e.Spec = map[string]any{}
		for k, v := range good.Spec {
			e.Spec[k] = v
		}
		mutate(&e)
		errs := ValidateEntity(&e)
		joined := ""
		for _, err := range errs {
			joined += err.Error() + "\n"
		}
		if !strings.Contains(joined, want) {
			t.Errorf("%s: got %q", want, joined)
		}
	}
	// Unknown kinds from plugins are fine.
	ai := Entity{APIVersion: "backstage.io/v1alpha1", Kind: "AiResource", Metadata: Metadata{Name: "x"}}
	if errs := ValidateEntity(&ai); len(errs) != 0 {
		t.Errorf("unknown kind: %v", errs)
	}
}

func TestFilter(t *testing.T) {
	e := Entity{APIVersion: "backstage.io/v1alpha1", Kind: "Component",
		Metadata:  Metadata{Name: "svc", Tags: []string{"go", "pci"}, Annotations: map[string]string{"backstage.io/techdocs-ref": "dir:."}},
		Spec:      map[string]any{"type": "Service", "owner": "team-a", "nested": map[string]any{"x": "y"}},
		Relations: []Relation{{Type: RelOwnedBy, TargetRef: "group:default/team-a"}}}
	match := []string{"kind=component", "spec.type=service", "metadata.tags=pci", "relations.ownedby=group:default/team-a",
		"metadata.namespace=default", "spec.nested.x=Y", "metadata.annotations.backstage.io/techdocs-ref", "kind=component,spec.type=service"}
	for _, f := range match {
		m, err := ParseFilter(f)
		if err != nil {
			t.Fatal(err)
		}
		if !MatchFilter(&e, m) {
			t.Errorf("%s should match", f)
		}
	}
	for _, f := range []string{"kind=api", "spec.type=website", "metadata.tags=java", "spec.missing", "kind=component,spec.type=website"} {
		m, _ := ParseFilter(f)
		if MatchFilter(&e, m) {
			t.Errorf("%s should not match", f)
		}
	}
	if _, err := ParseFilter("=x"); err == nil {
		t.Error("ParseFilter(=x) should fail")
	}
	if got := FilterString(map[string]string{"spec.type": "service", "kind": "component"}); got != "kind=component,spec.type=service" {
		t.Errorf("FilterString = %q", got)
	}
}

// Package catalog reads a Backstage catalog from a backend's REST API or
// from local catalog-info.yaml files and holds it as one in-memory graph.
package catalog

import (
	"context"
	"fmt"
	"strings"
)

// Entity is a Backstage catalog entity (backstage.io/v1alpha1 envelope).
type Entity struct {
	APIVersion string         `json:"apiVersion" yaml:"apiVersion"`
	Kind       string         `json:"kind" yaml:"kind"`
	Metadata   Metadata       `json:"metadata" yaml:"metadata"`
	Spec       map[string]any `json:"spec,omitempty" yaml:"spec,omitempty"`
	Relations  []Relation     `json:"relations,omitempty" yaml:"relations,omitempty"`
}

// Metadata is the entity's metadata block.
type Metadata struct {
	Name        string            `json:"name" yaml:"name"`
	Namespace   string            `json:"namespace,omitempty" yaml:"namespace,omitempty"`
	Title       string            `json:"title,omitempty" yaml:"title,omitempty"`
	Description string            `json:"description,omitempty" yaml:"description,omitempty"`
	Labels      map[string]string `json:"labels,omitempty" yaml:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty" yaml:"annotations,omitempty"`
	Tags        []string          `json:"tags,omitempty" yaml:"tags,omitempty"`
	Links       []Link            `json:"links,omitempty" yaml:"links,omitempty"`
	UID         string            `json:"uid,omitempty" yaml:"uid,omitempty"`
	Etag        string            `json:"etag,omitempty" yaml:"etag,omitempty"`
}

// Link is an entry of metadata.links.
type Link struct {
	URL   string `json:"url" yaml:"url"`
	Title string `json:"title,omitempty" yaml:"title,omitempty"`
	Icon  string `json:"icon,omitempty" yaml:"icon,omitempty"`
	Type  string `json:"type,omitempty" yaml:"type,omitempty"`
}

// Relation is a computed edge; TargetRef is a stringified ref.
type Relation struct {
	Type      string `json:"type" yaml:"type"`
	TargetRef string `json:"targetRef" yaml:"targetRef"`
}

// Relation types, as Backstage names them.
const (
	RelOwnedBy       = "ownedBy"
	RelOwnerOf       = "ownerOf"
	RelPartOf        = "partOf"
	RelHasPart       = "hasPart"
	RelDependsOn     = "dependsOn"
	RelDependencyOf  = "dependencyOf"
	RelProvidesAPI   = "providesApi"
	RelAPIProvidedBy = "apiProvidedBy"
	RelConsumesAPI   = "consumesApi"
	RelAPIConsumedBy = "apiConsumedBy"
	RelMemberOf      = "memberOf"
	RelHasMember     = "hasMember"
	RelChildOf       = "childOf"
	RelParentOf      = "parentOf"
)

// Ref identifies an entity. Its String form is lower-case kind:namespace/name.
type Ref struct {
	Kind, Namespace, Name string
}

// DefaultNamespace is used when a ref or entity gives none.
const DefaultNamespace = "default"

// String is the canonical, lower-case stringified ref.
func (r Ref) String() string {
	ns := r.Namespace
	if ns == "" {
		ns = DefaultNamespace
	}
	// One allocation: this runs several times per entity when loading.
	b := make([]byte, 0, len(r.Kind)+len(ns)+len(r.Name)+2)
	b = appendLower(b, r.Kind)
	b = append(b, ':')
	b = appendLower(b, ns)
	b = append(b, '/')
	b = appendLower(b, r.Name)
	return string(b)
}

func appendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return append(b, strings.ToLower(s[i:])...)
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// ParseRef parses [kind:][namespace/]name the way Backstage's parseEntityRef
// does: a "/" before the first ":" means there is no kind (the colon belongs
// to the name), and the name is everything after the namespace separator.
// defaultKind is used when the ref has no kind (e.g. "group" for
// spec.owner); an empty defaultKind makes the kind required. An empty
// defaultNamespace means "default". ParseRef does not check the character
// rules of each part; see ValidateRef for that.
func ParseRef(s, defaultKind, defaultNamespace string) (Ref, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Ref{}, fmt.Errorf("empty entity ref")
	}
	colon := strings.IndexByte(s, ':')
	slash := strings.IndexByte(s, '/')
	if slash != -1 && slash < colon {
		colon = -1
	}
	var r Ref
	hasKind, hasNS := colon != -1, slash != -1
	if hasKind {
		r.Kind = s[:colon]
	}
	if hasNS {
		r.Namespace = s[colon+1 : slash]
	}
	r.Name = s[max(colon+1, slash+1):]
	if (hasKind && r.Kind == "") || (hasNS && r.Namespace == "") || r.Name == "" {
		return Ref{}, fmt.Errorf("invalid entity ref %q: not on the form [<kind>:][<namespace>/]<name>", s)
	}
	if !hasKind {
		r.Kind = defaultKind
	}
	if !hasNS {
		r.Namespace = defaultNamespace
	}
	if r.Namespace == "" {
		r.Namespace = DefaultNamespace
	}
	if r.Kind == "" {
		return Ref{}, fmt.Errorf("invalid entity ref %q: kind is required (e.g. component:%s)", s, s)
	}
	return r, nil
}

// Ref returns the entity's ref.
func (e *Entity) Ref() Ref {
	return Ref{Kind: e.Kind, Namespace: e.Namespace(), Name: e.Metadata.Name}
}

// Namespace returns metadata.namespace or "default".
func (e *Entity) Namespace() string {
	if e.Metadata.Namespace == "" {
		return DefaultNamespace
	}
	return e.Metadata.Namespace
}

// SpecString returns spec[key] as a string ("" if absent or not a string).
func (e *Entity) SpecString(key string) string {
	s, _ := e.Spec[key].(string)
	return s
}

// SpecStrings returns spec[key] as a list of strings (a lone string counts).
func (e *Entity) SpecStrings(key string) []string {
	switch v := e.Spec[key].(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return v
	}
	return nil
}

// Query narrows what a Source returns. Filter keys are dot paths as in
// Backstage's filter parameter (kind, spec.type, metadata.namespace...).
type Query struct {
	Filter map[string]string
	// Fields limits the returned fields (server-side where supported).
	Fields []string
}

// Source is where entities come from: a Backstage backend or files.
type Source interface {
	// Entities returns all entities matching q, paging under the hood.
	Entities(ctx context.Context, q Query) ([]Entity, error)
	// Entity returns one entity, or an errs.NotFound error.
	Entity(ctx context.Context, ref Ref) (*Entity, error)
}

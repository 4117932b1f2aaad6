package catalog

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// MatchFilter reports whether e matches every key=value of filter the way
// Backstage's by-query filter does: keys are dot paths into the entity
// (kind, spec.type, metadata.tags, relations.ownedBy ...), keys and values
// compare case-insensitively, a list matches when any element does, and an
// empty value means "the key exists".
func MatchFilter(e *Entity, filter map[string]string) bool {
	if len(filter) == 0 {
		return true
	}
	idx := SearchIndex(e)
	for k, v := range filter {
		vals, ok := idx[strings.ToLower(k)]
		if !ok {
			return false
		}
		if v == "" {
			continue
		}
		want := strings.ToLower(v)
		found := false
		for _, x := range vals {
			if x == want {
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

// SearchIndex flattens an entity into lower-case dot-path keys and values,
// like the catalog's search table: metadata.namespace is always present,
// and relations appear as relations.<type> -> target refs.
func SearchIndex(e *Entity) map[string][]string {
	idx := map[string][]string{}
	add := func(k, v string) { idx[strings.ToLower(k)] = append(idx[strings.ToLower(k)], strings.ToLower(v)) }
	add("apiVersion", e.APIVersion)
	add("kind", e.Kind)
	m := &e.Metadata
	add("metadata.name", m.Name)
	add("metadata.namespace", e.Namespace())
	if m.Title != "" {
		add("metadata.title", m.Title)
	}
	if m.Description != "" {
		add("metadata.description", m.Description)
	}
	if m.UID != "" {
		add("metadata.uid", m.UID)
	}
	for k, v := range m.Labels {
		add("metadata.labels."+k, v)
	}
	for k, v := range m.Annotations {
		add("metadata.annotations."+k, v)
	}
	for _, t := range m.Tags {
		add("metadata.tags", t)
	}
	for _, l := range m.Links {
		add("metadata.links.url", l.URL)
	}
	flatten("spec", e.Spec, add)
	for _, r := range e.Relations {
		add("relations."+r.Type, r.TargetRef)
	}
	return idx
}

func flatten(prefix string, v any, add func(k, v string)) {
	switch t := v.(type) {
	case nil:
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(t)) {
			flatten(prefix+"."+k, t[k], add)
		}
	case []any:
		for _, x := range t {
			flatten(prefix, x, add)
		}
	case []string:
		for _, x := range t {
			add(prefix, x)
		}
	case string:
		add(prefix, t)
	default:
		add(prefix, fmt.Sprint(t))
	}
}

// ParseFilter parses Backstage's filter syntax "kind=component,spec.type=service"
// (and repeated k=v flags) into a map.
func ParseFilter(parts ...string) (map[string]string, error) {
	out := map[string]string{}
	for _, p := range parts {
		for _, kv := range strings.Split(p, ",") {
			kv = strings.TrimSpace(kv)
			if kv == "" {
				continue
			}
			k, v, _ := strings.Cut(kv, "=")
			k = strings.TrimSpace(k)
			if k == "" {
				return nil, fmt.Errorf("invalid filter %q: want key=value, e.g. spec.type=service", kv)
			}
			out[k] = strings.TrimSpace(v)
		}
	}
	return out, nil
}

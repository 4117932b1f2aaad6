package catalog

import (
	"fmt"
	"regexp"
	"strings"
)

// The validators below mirror @backstage/catalog-model's
// KubernetesValidatorFunctions and CommonValidatorFunctions, so an entity
// bsai accepts from files is one a Backstage backend accepts too.
var (
	reKind    = regexp.MustCompile(`^[a-zA-Z][a-z0-9A-Z]*$`)
	reVersion = regexp.MustCompile(`^[a-z0-9A-Z]+$`)
	reTag     = regexp.MustCompile(`^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$`)
)

// IsValidName reports whether s is a valid metadata.name: 1-63 characters
// of [a-zA-Z0-9] separated by single or repeated "-", "_" or ".".
func IsValidName(s string) bool {
	if len(s) < 1 || len(s) > 63 || !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// IsValidKind reports whether s is a valid kind: a letter then letters or
// digits, at most 63 characters.
func IsValidKind(s string) bool {
	return len(s) >= 1 && len(s) <= 63 && reKind.MatchString(s)
}

// IsValidNamespace reports whether s is a valid namespace (an RFC 1123 DNS
// label: lower-case letters, digits and single dashes, at most 63).
func IsValidNamespace(s string) bool { return isDNSLabel(s) }

func isDNSLabel(s string) bool {
	if len(s) < 1 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '-' {
			if s[i-1] == '-' {
				return false
			}
			continue
		}
		if !(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func isDNSSubdomain(s string) bool {
	if len(s) < 1 || len(s) > 253 {
		return false
	}
	for _, p := range strings.Split(s, ".") {
		if !isDNSLabel(p) {
			return false
		}
	}
	return true
}

// prefixSuffix checks "<suffix>" or "<prefix>/<suffix>".
func prefixSuffix(s string, prefix, suffix func(string) bool) bool {
	parts := strings.Split(s, "/")
	switch len(parts) {
	case 1:
		return suffix(parts[0])
	case 2:
		return prefix(parts[0]) && suffix(parts[1])
	}
	return false
}

// IsValidAPIVersion reports whether s is like "backstage.io/v1alpha1".
func IsValidAPIVersion(s string) bool {
	return prefixSuffix(s, isDNSSubdomain, func(v string) bool {
		return len(v) >= 1 && len(v) <= 63 && reVersion.MatchString(v)
	})
}

// IsValidLabelKey reports whether s is a valid label or annotation key
// ("[dns-subdomain/]name").
func IsValidLabelKey(s string) bool { return prefixSuffix(s, isDNSSubdomain, IsValidName) }

// IsValidLabelValue reports whether s is a valid label value (empty or a name).
func IsValidLabelValue(s string) bool { return s == "" || IsValidName(s) }

// IsValidAnnotationKey reports whether s is a valid annotation key.
func IsValidAnnotationKey(s string) bool { return IsValidLabelKey(s) }

// IsValidTag reports whether s is a valid metadata.tags entry.
func IsValidTag(s string) bool { return len(s) >= 1 && len(s) <= 63 && reTag.MatchString(s) }

// ValidateRef checks each part of a parsed ref against the rules above.
func ValidateRef(r Ref) error {
	switch {
	case !IsValidKind(r.Kind):
		return fmt.Errorf("invalid kind %q", r.Kind)
	case !IsValidNamespace(r.Namespace):
		return fmt.Errorf("invalid namespace %q: use lower-case letters, digits and dashes", r.Namespace)
	case !IsValidName(r.Name):
		return fmt.Errorf("invalid name %q: use at most 63 letters, digits and -_. separators", r.Name)
	}
	return nil
}

// builtinKinds maps lower-case kinds to their canonical spelling.
var builtinKinds = map[string]string{
	"component": "Component", "api": "API", "resource": "Resource", "system": "System",
	"domain": "Domain", "group": "Group", "user": "User", "location": "Location",
}

// kindRules lists the spec fields each built-in kind requires (from the
// catalog-model JSON schemas) and the fields that hold refs.
var kindRules = map[string]struct {
	required []string
	refs     []string
}{
	"component": {[]string{"type", "lifecycle", "owner"}, []string{"owner", "system", "subcomponentOf", "providesApis", "consumesApis", "dependsOn", "dependencyOf"}},
	"api":       {[]string{"type", "lifecycle", "owner"}, []string{"owner", "system"}},
	"resource":  {[]string{"type", "owner"}, []string{"owner", "system", "dependsOn", "dependencyOf"}},
	"system":    {[]string{"owner"}, []string{"owner", "domain"}},
	"domain":    {[]string{"owner"}, []string{"owner", "subdomainOf"}},
	"group":     {[]string{"type"}, []string{"parent", "children", "members"}},
	"user":      {nil, []string{"memberOf"}},
	"location":  {nil, nil},
}

// EntityWarnings are problems a strict schema rejects but real catalogs
// ship, so the entity loads and the problem is reported: Backstage's demo
// catalog has an API of type mcp-server with remotes and no
// spec.definition, and vanishing from every answer helps nobody.
func EntityWarnings(e *Entity) []string {
	var out []string
	if e.Kind == "API" {
		if v, ok := e.Spec["definition"]; !ok || v == nil || v == "" {
			out = append(out, "spec.definition is missing (required by the API schema); loaded without one")
		}
	}
	return out
}

// ValidateEntity checks the envelope, metadata and, for the built-in kinds,
// the required spec fields. It returns every problem found (nil when
// valid). Unknown kinds are accepted: plugins add their own.
func ValidateEntity(e *Entity) []error {
	var out []error
	add := func(format string, args ...any) { out = append(out, fmt.Errorf(format, args...)) }
	if e.APIVersion == "" {
		add("apiVersion is required")
	} else if !IsValidAPIVersion(e.APIVersion) {
		add("invalid apiVersion %q", e.APIVersion)
	}
	if e.Kind == "" {
		add("kind is required")
	} else if !IsValidKind(e.Kind) {
		add("invalid kind %q", e.Kind)
	}
	m := &e.Metadata
	if m.Name == "" {
		add("metadata.name is required")
	} else if !IsValidName(m.Name) {
		add("invalid metadata.name %q: use at most 63 letters, digits and -_. separators", m.Name)
	}
	if m.Namespace != "" && !IsValidNamespace(m.Namespace) {
		add("invalid metadata.namespace %q: use lower-case letters, digits and dashes", m.Namespace)
	}
	for k, v := range m.Labels {
		if !IsValidLabelKey(k) {
			add("invalid label key %q", k)
		} else if !IsValidLabelValue(v) {
			add("invalid value %q for label %q", v, k)
		}
	}
	for k := range m.Annotations {
		if !IsValidAnnotationKey(k) {
			add("invalid annotation key %q", k)
		}
	}
	for _, t := range m.Tags {
		if !IsValidTag(t) {
			add("invalid tag %q: use lower-case letters, digits, dashes and :+#", t)
		}
	}
	for i, l := range m.Links {
		if strings.TrimSpace(l.URL) == "" {
			add("metadata.links[%d].url is required", i)
		}
	}
	rules, builtin := kindRules[strings.ToLower(e.Kind)]
	if !builtin {
		return out
	}
	if want := builtinKinds[strings.ToLower(e.Kind)]; e.Kind != want {
		// Backstage's kind validators compare case-sensitively, so a
		// "component" would be rejected by a real backend.
		add("kind %q must be spelled %q", e.Kind, want)
	}
	for _, f := range rules.required {
		if v, ok := e.Spec[f]; !ok || v == nil || v == "" {
			add("spec.%s is required for kind %s", f, e.Kind)
		}
	}
	for _, f := range rules.refs {
		switch v := e.Spec[f].(type) {
		case nil, string:
		case []any:
			for i, x := range v {
				if s, ok := x.(string); !ok || s == "" {
					add("spec.%s[%d] must be a non-empty entity ref", f, i)
				}
			}
		default:
			add("spec.%s must be an entity ref or a list of them", f)
		}
	}
	if strings.EqualFold(e.Kind, "location") && e.SpecString("target") == "" && len(e.SpecStrings("targets")) == 0 {
		add("spec.target or spec.targets is required for kind Location")
	}
	if strings.EqualFold(e.Kind, "group") {
		if _, ok := e.Spec["children"].([]any); !ok {
			if _, ok := e.Spec["children"].([]string); !ok {
				add("spec.children is required for kind Group (use [] for none)")
			}
		}
	}
	return out
}

package scaffolder

import (
	"fmt"
	"slices"
	"strings"
)

// This file fills the inputs of the steps compose adds: each required
// input of an action's schema gets a value from the form, an earlier step,
// or a form field of its own.

// actionStep builds a step whose input fills each required input of the
// action's schema: well-known inputs from the form or earlier steps, the
// rest as form fields of their own (typed from the schema).
func (c *composer) actionStep(id, label string) map[string]any {
	in := map[string]any{}
	a, _ := c.cat.Lookup(id)
	var schema map[string]any
	if a != nil {
		schema = a.Schema.Input
	}
	props := asMap(schema["properties"])
	for _, r := range asSlice(schema["required"]) {
		k, _ := asString(r)
		if k == "" {
			continue
		}
		in[k] = c.inputValue(id, k, asMap(props[k]))
	}
	step := map[string]any{"id": stepID(id, c.steps), "name": strings.ToUpper(label[:1]) + label[1:], "action": id}
	if len(in) > 0 {
		step["input"] = in
	}
	return step
}

func stepID(action string, steps []any) string {
	parts := strings.Split(action, ":")
	base := parts[0]
	if len(parts) > 1 {
		base = parts[len(parts)-1]
		if base == "create" || base == "run" || base == "send" || base == "enable" || base == "trigger" {
			base = parts[0] + "-" + base
		}
	}
	id := kebab(base)
	for n := 2; ; n++ {
		taken := false
		for _, s := range steps {
			if strOf(asMap(s)["id"]) == id {
				taken = true
			}
		}
		if !taken {
			return id
		}
		id = fmt.Sprintf("%s-%d", kebab(base), n)
	}
}

// inputValue picks a value for a required action input.
func (c *composer) inputValue(action, key string, prop map[string]any) any {
	lk := strings.ToLower(key)
	hostAction := strings.HasPrefix(action, "publish:") || strings.HasPrefix(action, "github:") || strings.HasPrefix(action, "gitlab:") ||
		strings.HasPrefix(action, "bitbucket:") || strings.HasPrefix(action, "azure:") || strings.HasPrefix(action, "gitea:")
	switch {
	case lk == "repourl" && hostAction && c.hasParam("repoUrl"):
		return "${{ parameters.repoUrl }}"
	case lk == "repourl" && c.publishID != "":
		return "${{ steps['" + c.publishID + "'].output.remoteUrl }}"
	case (lk == "name" || lk == "appname" || lk == "projectname" || lk == "slug") && c.hasParam("name"):
		return "${{ parameters.name }}"
	case lk == "title" && c.hasParam("name"):
		return "${{ parameters.name }}"
	case lk == "recipients" && len(asSlice(prop["enum"])) > 0 && slices.Contains(asSlice(prop["enum"]), any("entity")):
		c.entityRecipients()
		return "entity"
	}
	if enum := asSlice(prop["enum"]); len(enum) == 1 {
		return enum[0]
	}
	// A form field of its own.
	name := key
	if c.hasParam(name) {
		return "${{ parameters." + name + " }}"
	}
	f := map[string]any{"title": humanize(key)}
	switch t := prop["type"].(type) {
	case string:
		f["type"] = t
	default:
		f["type"] = "string"
	}
	if d := strOf(prop["description"]); d != "" {
		f["description"] = d
	}
	if e := prop["enum"]; e != nil {
		f["enum"] = deepCopy(e)
	}
	if d, ok := prop["default"]; ok {
		f["default"] = deepCopy(d)
	} else if lk == "branchortagname" || lk == "branch" || lk == "targetbranch" {
		f["default"] = "main"
	}
	addProp(c.extra, name, f, true)
	return "${{ parameters." + name + " }}"
}

// entityRecipients adds the recipients picker notification:send reads.
func (c *composer) entityRecipients() {
	if c.hasParam("recipients") {
		return
	}
	addProp(c.details, "recipients", map[string]any{"title": "Recipients", "type": "array", "description": "Groups or users to notify",
		"items": map[string]any{"type": "string"}, "ui:field": "MultiEntityPicker",
		"ui:options": map[string]any{"catalogFilter": map[string]any{"kind": []any{"Group", "User"}}}}, true)
}

func (c *composer) hasParam(name string) bool {
	for _, p := range []map[string]any{c.details, c.repo, c.extra} {
		if _, ok := asMap(p["properties"])[name]; ok {
			return true
		}
	}
	return false
}

// setIfDeclared sets in[key] when the action's schema declares key (so no
// action-input-unknown warning is made up).
func (c *composer) setIfDeclared(action string, in map[string]any, key string, v any) {
	a, ok := c.cat.Lookup(action)
	if !ok {
		return
	}
	props := asMap(a.Schema.Input["properties"])
	if props == nil || props[key] != nil {
		in[key] = v
	}
}

func humanize(key string) string {
	var sb strings.Builder
	for i, r := range key {
		if i > 0 && r >= 'A' && r <= 'Z' {
			sb.WriteByte(' ')
		}
		sb.WriteRune(r)
	}
	s := sb.String()
	return strings.ToUpper(s[:1]) + strings.ToLower(s[1:])
}

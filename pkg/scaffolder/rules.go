package scaffolder

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/bsai-dev/bsai/pkg/catalog"
)

// Rule ids are stable: CI configs and SARIF consumers key on them.
const (
	RuleYAML          = "yaml"
	RuleSchema        = "schema"
	RuleName          = "metadata-name"
	RuleNamespace     = "metadata-namespace"
	RuleTag           = "metadata-tag"
	RuleOwner         = "owner-ref"
	RuleStepID        = "step-id-duplicate"
	RuleStepRef       = "step-ref"
	RuleParamRef      = "parameter-ref"
	RuleParamRequired = "parameter-required"
	RuleEachRef       = "each-ref"
	RuleVariable      = "expression-variable"
	RuleExprSyntax    = "expression-syntax"
	RuleActionUnknown = "action-unknown"
	RuleActionInput   = "action-input"
	RuleInputUnknown  = "action-input-unknown"
	RuleStepOrder     = "step-order"
	RuleOutputRef     = "output-ref"
)

// RuleDescriptions documents every rule (SARIF rule metadata, README).
var RuleDescriptions = map[string]string{
	RuleYAML:          "The file is not valid YAML.",
	RuleSchema:        "The document does not match the Template v1beta3 JSON Schema (with the catalog Entity schema).",
	RuleName:          "metadata.name must be 1-63 characters of [a-zA-Z0-9] separated by [-_.], as the catalog requires.",
	RuleNamespace:     "metadata.namespace must be a DNS label: lower-case [a-z0-9] separated by '-', at most 63 characters.",
	RuleTag:           "Tags must be 1-63 characters of [a-z0-9:+#] separated by '-'.",
	RuleOwner:         "spec.owner must be an entity reference such as group:default/my-team.",
	RuleStepID:        "Step ids must be unique.",
	RuleStepRef:       "A step may only use the output of a step declared before it.",
	RuleParamRef:      "${{ parameters.x }} must name a property declared in some parameters page.",
	RuleParamRequired: "A parameters page lists a required property it never declares, so the form cannot be completed.",
	RuleEachRef:       "each.value / each.key only exist inside a step with `each`.",
	RuleVariable:      "The expression reads a variable the scaffolder does not provide.",
	RuleExprSyntax:    "${{ }} expressions must be balanced and parse as nunjucks expressions.",
	RuleActionUnknown: "The action is not registered (an error with a live action list, a warning against the built-in catalogue).",
	RuleActionInput:   "A step's literal input does not match the action's input schema (required keys, types, enums).",
	RuleInputUnknown:  "A step passes an input key the action does not declare; the action ignores or rejects it.",
	RuleStepOrder:     "Step order looks wrong: publish before any fetch, or catalog:register before the publish it registers.",
	RuleOutputRef:     "spec.output refers to a step or parameter that does not exist, so the link or text renders empty.",
}

var (
	reName      = regexp.MustCompile(`^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`)
	reNamespace = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	reTag       = regexp.MustCompile(`^[a-z0-9:+#]+(\-[a-z0-9:+#]+)*$`)
)

// ValidName, ValidNamespace and ValidTag are the catalog-model rules
// (KubernetesValidatorFunctions / isValidTag); pkg/catalog has no
// validators, so they live here.
func ValidName(s string) bool      { return len(s) >= 1 && len(s) <= 63 && reName.MatchString(s) }
func ValidNamespace(s string) bool { return len(s) >= 1 && len(s) <= 63 && reNamespace.MatchString(s) }
func ValidTag(s string) bool       { return len(s) >= 1 && len(s) <= 63 && reTag.MatchString(s) }

// knownRoots are the variables the scaffolder's templater provides.
var knownRoots = map[string]bool{"parameters": true, "steps": true, "each": true, "user": true, "secrets": true, "context": true}

// check holds the state of one template's semantic validation.
type check struct {
	d      *Doc
	cat    *Catalogue
	out    []Finding
	params map[string]bool
	// paramSchemas holds every schema declaring a top-level parameter, to
	// check one level of nesting (parameters.x.y).
	paramSchemas map[string][]map[string]any
	paramsOK     bool // false when parameters are too dynamic to judge refs
	stepIdx      map[string]int
}

func (c *check) add(sev Severity, rule string, path []any, format string, args ...any) *Finding {
	line, col := c.d.Pos(path)
	c.out = append(c.out, Finding{Severity: sev, Rule: rule, Message: fmt.Sprintf(format, args...), Path: jsonPath(path), Line: line, Column: col, segs: path})
	return &c.out[len(c.out)-1]
}

// fixed records a did-you-mean and the edit that applies it.
func (f *Finding) fixed(suggestion, old, new string) {
	f.Suggestion = suggestion
	if old != "" && old != new {
		f.Fix = &Fix{Old: old, New: new}
	}
}

func asMap(v any) map[string]any    { m, _ := v.(map[string]any); return m }
func asSlice(v any) []any           { a, _ := v.([]any); return a }
func asString(v any) (string, bool) { s, ok := v.(string); return s, ok }

// semantic runs every rule except the schema on a Template document.
func semantic(d *Doc, cat *Catalogue) []Finding {
	root := asMap(d.Value)
	if root == nil {
		return nil
	}
	c := &check{d: d, cat: cat, stepIdx: map[string]int{}}
	c.metadata(asMap(root["metadata"]))
	spec := asMap(root["spec"])
	if spec == nil {
		return c.out
	}
	c.owner(spec["owner"])
	c.collectParams(spec["parameters"])
	steps := asSlice(spec["steps"])
	c.steps(steps)
	c.output(spec["output"])
	c.order(steps)
	return c.out
}

func (c *check) metadata(md map[string]any) {
	if md == nil {
		return
	}
	if name, ok := asString(md["name"]); ok && name != "" && !ValidName(name) {
		c.add(SevError, RuleName, []any{"metadata", "name"}, "invalid name %q: use 1-63 characters [a-zA-Z0-9] separated by [-_.], e.g. %q", name, kebab(name))
	}
	if ns, ok := asString(md["namespace"]); ok && ns != "" && !ValidNamespace(ns) {
		c.add(SevError, RuleNamespace, []any{"metadata", "namespace"}, "invalid namespace %q: use lower-case letters, digits and '-'", ns)
	}
	for i, t := range asSlice(md["tags"]) {
		if s, ok := asString(t); ok && s != "" && !ValidTag(s) {
			c.add(SevError, RuleTag, []any{"metadata", "tags", i}, "invalid tag %q: use 1-63 characters [a-z0-9:+#] separated by '-'", s)
		}
	}
}

func (c *check) owner(v any) {
	s, ok := asString(v)
	if !ok || s == "" || templated(s) {
		return
	}
	path := []any{"spec", "owner"}
	r, err := catalog.ParseRef(s, "group", catalog.DefaultNamespace)
	if err != nil {
		c.add(SevError, RuleOwner, path, "invalid owner %q: %v", s, err)
		return
	}
	if !ValidName(r.Name) || !ValidNamespace(r.Namespace) {
		// The catalog still ingests the template (parseEntityRef does not
		// check characters), but the ownedBy relation points at an entity
		// that can never exist, so ownership is silently lost.
		c.add(SevWarning, RuleOwner, path, "owner %q is not a valid entity reference, so the template ends up with no owner (use e.g. group:default/my-team)", s)
	}
}

// collectParams gathers every property name a form page can produce:
// properties at the page level and in dependencies, allOf/oneOf/anyOf and
// if/then/else branches (conditional fields still land in parameters).
func (c *check) collectParams(v any) {
	c.params = map[string]bool{}
	c.paramSchemas = map[string][]map[string]any{}
	c.paramsOK = true
	var pages []any
	switch t := v.(type) {
	case nil:
		return
	case []any:
		pages = t
	case map[string]any:
		pages = []any{t}
	default:
		c.paramsOK = false
		return
	}
	for i, p := range pages {
		pm := asMap(p)
		if pm == nil {
			continue
		}
		pagePath := []any{"spec", "parameters"}
		if _, isList := v.([]any); isList {
			pagePath = child(pagePath, i)
		}
		names := map[string]bool{}
		collectNames(pm, names, c.paramSchemas, 0)
		for n := range names {
			c.params[n] = true
		}
		for j, r := range asSlice(pm["required"]) {
			if s, ok := asString(r); ok && !names[s] {
				c.add(SevError, RuleParamRequired, child(child(pagePath, "required"), j),
					"required property %q is not declared in this page's properties, so the form can never be submitted", s)
			}
		}
	}
}

func collectNames(s map[string]any, into map[string]bool, schemas map[string][]map[string]any, depth int) {
	if s == nil || depth > 20 {
		return
	}
	props := asMap(s["properties"])
	for k, ps := range props {
		into[k] = true
		schemas[k] = append(schemas[k], asMap(ps))
	}
	for _, dep := range asMap(s["dependencies"]) {
		collectNames(asMap(dep), into, schemas, depth+1)
	}
	for _, kw := range []string{"allOf", "oneOf", "anyOf"} {
		for _, b := range asSlice(s[kw]) {
			collectNames(asMap(b), into, schemas, depth+1)
		}
	}
	for _, kw := range []string{"if", "then", "else"} {
		collectNames(asMap(s[kw]), into, schemas, depth+1)
	}
}

// nestedDeclared reports whether parameters.name.field can exist: false
// only when every declaration of name is a plain object schema with a fixed
// property list (no custom field, no additionalProperties) that lacks field.
func (c *check) nestedDeclared(name, field string) bool {
	schemas := c.paramSchemas[name]
	if len(schemas) == 0 {
		return true
	}
	for _, s := range schemas {
		props := asMap(s["properties"])
		if s == nil || strOf(s["type"]) != "object" || props == nil || s["ui:field"] != nil ||
			s["additionalProperties"] != nil || s["patternProperties"] != nil ||
			s["dependencies"] != nil || s["allOf"] != nil || s["oneOf"] != nil || s["anyOf"] != nil || s["then"] != nil {
			return true
		}
		if _, ok := props[field]; ok {
			return true
		}
	}
	return false
}

// steps checks ids, actions, inputs and every expression in each step.
func (c *check) steps(steps []any) {
	for i, s := range steps {
		sm := asMap(s)
		if sm == nil {
			continue
		}
		path := []any{"spec", "steps", i}
		if id, ok := asString(sm["id"]); ok && id != "" {
			if prev, dup := c.stepIdx[id]; dup {
				c.add(SevError, RuleStepID, child(path, "id"), "duplicate step id %q (first used by step %d)", id, prev+1)
			} else {
				c.stepIdx[id] = i
			}
		}
		_, hasEach := sm["each"]
		ctx := exprCtx{stepIndex: i, stepID: strOf(sm["id"]), inEach: hasEach}
		for _, k := range sortedKeys(sm) {
			if k == "action" {
				continue
			}
			kctx := ctx
			if k == "each" {
				kctx.inEach = false // the each expression itself runs outside the loop
			}
			c.exprs(sm[k], child(path, k), kctx)
		}
		c.action(sm, path)
	}
}

func strOf(v any) string { s, _ := asString(v); return s }

// exprCtx says where an expression sits, which decides what it may read.
type exprCtx struct {
	stepIndex int // -1 in spec.output
	stepID    string
	inEach    bool
	output    bool
}

// exprs walks a value and checks every ${{ }} in its strings.
func (c *check) exprs(v any, path []any, ctx exprCtx) {
	switch t := v.(type) {
	case string:
		if !strings.Contains(t, "${{") {
			return
		}
		bodies, err := splitExprs(t)
		if err != nil {
			c.add(SevError, RuleExprSyntax, path, "%v", err)
		}
		sev, stepRule, paramRule := SevError, RuleStepRef, RuleParamRef
		if ctx.output {
			sev, stepRule, paramRule = SevWarning, RuleOutputRef, RuleOutputRef
		}
		for _, b := range bodies {
			if id := dashedStepRef(b, c.d.Value); id != "" {
				c.add(sev, stepRule, path, "${{%s}} reads steps.%s as steps.%s minus %s; ids with '-' need brackets: steps['%s']", clipExpr(b), id, id[:strings.Index(id, "-")], id[strings.Index(id, "-")+1:], id).
					fixed("steps['"+id+"']", "steps."+id, "steps['"+id+"']")
				continue
			}
			if name := dashedParamRef(b, c.params); name != "" {
				c.add(sev, paramRule, path, "${{%s}} reads parameters.%s as a subtraction; names with '-' need brackets: parameters['%s']", clipExpr(b), name, name).
					fixed("parameters['"+name+"']", "parameters."+name, "parameters['"+name+"']")
				continue
			}
			refs, err := parseExpr(b)
			if err != nil {
				c.add(SevError, RuleExprSyntax, path, "cannot parse ${{%s}}: %v", clipExpr(b), err)
				continue
			}
			for _, r := range refs {
				c.ref(r, path, ctx)
			}
		}
	case map[string]any:
		for _, k := range sortedKeys(t) {
			c.exprs(t[k], child(path, k), ctx)
		}
	case []any:
		for i, x := range t {
			c.exprs(x, child(path, i), ctx)
		}
	}
}

func (c *check) ref(r exprRef, path []any, ctx exprCtx) {
	if r.Call {
		return
	}
	sev, rule := SevError, ""
	if ctx.output {
		sev, rule = SevWarning, RuleOutputRef
	}
	pick := func(def string) string {
		if rule != "" {
			return rule
		}
		return def
	}
	switch r.Root {
	case "steps":
		if len(r.Segs) == 0 {
			return // steps as a whole (e.g. dumped for debugging)
		}
		id := r.Segs[0]
		idx, ok := c.stepIdx[id]
		if !ok {
			idx, ok = c.laterStep(id)
			if ok && !ctx.output {
				c.add(sev, pick(RuleStepRef), path, "step %q is referenced before it runs (it is step %d; this is step %d)", id, idx+1, ctx.stepIndex+1)
				return
			}
			if !ok {
				f := c.add(sev, pick(RuleStepRef), path, "unknown step %q in ${{ steps.%s… }}%s", id, id, c.dashHint(id))
				if best := closestName(id, c.stepsBefore(ctx)); best != "" {
					old := refForm(strOf(valueAt(c.d.Value, path)), "steps", id)
					f.Message += fmt.Sprintf(" (did you mean %q?)", best)
					f.fixed(best, old, rewriteRef(old, "steps", id, best))
				}
			}
			return
		}
		if !ctx.output && idx >= ctx.stepIndex {
			c.add(sev, pick(RuleStepRef), path, "step %q reads its own output, which does not exist yet", id)
		}
	case "parameters":
		if len(r.Segs) == 0 || !c.paramsOK {
			return
		}
		if !c.params[r.Segs[0]] {
			f := c.add(sev, pick(RuleParamRef), path, "parameter %q is not declared in any parameters page", r.Segs[0])
			if best := closestName(r.Segs[0], sortedKeys(c.params)); best != "" {
				old := refForm(strOf(valueAt(c.d.Value, path)), "parameters", r.Segs[0])
				f.Message += fmt.Sprintf(" (did you mean %q?)", best)
				f.fixed(best, old, rewriteRef(old, "parameters", r.Segs[0], best))
			}
		} else if len(r.Segs) > 1 && !c.nestedDeclared(r.Segs[0], r.Segs[1]) {
			c.add(SevWarning, pick(RuleParamRef), path, "parameter %q has no property %q, so parameters.%s.%s is always empty", r.Segs[0], r.Segs[1], r.Segs[0], r.Segs[1])
		}
	case "each":
		if !ctx.inEach {
			c.add(sev, pick(RuleEachRef), path, "each.%s is only defined inside a step with `each`", strings.Join(r.Segs, "."))
		}
	default:
		if !knownRoots[r.Root] {
			c.add(SevWarning, RuleVariable, path, "unknown variable %q: the scaffolder provides parameters, steps, user, secrets, context and each", r.Root)
		}
	}
}

// stepsBefore lists the step ids an expression at ctx may read.
func (c *check) stepsBefore(ctx exprCtx) []string {
	var out []string
	for id, i := range c.stepIdx {
		if ctx.output || i < ctx.stepIndex {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// refForm finds how s writes root's segment name: root['name'],
// root["name"] or root.name (not followed by more of an identifier); ""
// when none is there.
func refForm(s, root, name string) string {
	for _, f := range []string{root + "['" + name + "']", root + "[\"" + name + "\"]"} {
		if strings.Contains(s, f) {
			return f
		}
	}
	dotted := root + "." + name
	for i := 0; ; {
		j := strings.Index(s[i:], dotted)
		if j < 0 {
			return ""
		}
		end := i + j + len(dotted)
		if end >= len(s) || !(isIdentByte(s[end]) || s[end] == '-') {
			return dotted
		}
		i = end
	}
}

func isIdentByte(b byte) bool {
	return b == '_' || b == '$' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// rewriteRef is old (a form refForm found) naming new instead; a name that
// is not an identifier needs brackets.
func rewriteRef(old, root, name, new string) string {
	if old == "" {
		return ""
	}
	if strings.HasPrefix(old, root+".") {
		if isIdent(new) {
			return root + "." + new
		}
		return root + "['" + new + "']"
	}
	return strings.Replace(old, name, new, 1)
}

// valueAt follows path segments into a decoded document.
func valueAt(v any, path []any) any {
	for _, seg := range path {
		switch s := seg.(type) {
		case string:
			v = asMap(v)[s]
		case int:
			a := asSlice(v)
			if s < 0 || s >= len(a) {
				return nil
			}
			v = a[s]
		}
	}
	return v
}

// laterStep finds a step id declared anywhere (a forward reference).
func (c *check) laterStep(id string) (int, bool) {
	root := asMap(c.d.Value)
	for i, s := range asSlice(asMap(root["spec"])["steps"]) {
		if strOf(asMap(s)["id"]) == id {
			return i, true
		}
	}
	return 0, false
}

func (c *check) output(v any) {
	m := asMap(v)
	if m == nil {
		return
	}
	c.exprs(m, []any{"spec", "output"}, exprCtx{stepIndex: -1, output: true})
}

// order warns about step sequences that cannot work: a publish with nothing
// fetched into the workspace, or registering before publishing.
func (c *check) order(steps []any) {
	seenContent := false
	registerAt := -1
	for i, s := range steps {
		sm := asMap(s)
		action := strOf(sm["action"])
		path := []any{"spec", "steps", i, "action"}
		switch {
		case strings.HasPrefix(action, "publish:") || action == "github:repo:push" || action == "gitlab:repo:push":
			if !seenContent {
				c.add(SevWarning, RuleStepOrder, path, "%s runs before any fetch:* step, so it would publish an empty workspace", action)
			}
			if registerAt >= 0 {
				c.add(SevWarning, RuleStepOrder, path, "catalog:register (step %d) runs before this publish step; register the published repository after publishing", registerAt+1)
			}
		case action == "catalog:register":
			if registerAt < 0 {
				registerAt = i
			}
		case strings.HasPrefix(action, "fetch:") || strings.HasPrefix(action, "fs:") || action == "catalog:write":
			seenContent = true
		default:
			// Plugin actions may write to the workspace; don't guess.
			if a, ok := c.cat.Lookup(action); !ok || a.Source != "builtin" {
				seenContent = true
			}
		}
	}
}

// dashHint explains the classic mistake steps.fetch-base.output: nunjucks
// reads it as steps.fetch minus base.output.
func (c *check) dashHint(id string) string {
	// Steps in declaration order, so the hint is deterministic.
	root := asMap(c.d.Value)
	for _, s := range asSlice(asMap(root["spec"])["steps"]) {
		if other := strOf(asMap(s)["id"]); strings.HasPrefix(other, id+"-") {
			return fmt.Sprintf("; ids with '-' need brackets: steps['%s']", other)
		}
	}
	return ""
}

var reDashedStep = regexp.MustCompile(`steps\.([A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)+)`)

// dashedStepRef finds steps.some-id where some-id is a declared step: valid
// YAML, parseable nunjucks, and always wrong (it is a subtraction).
func dashedStepRef(body string, doc any) string {
	m := reDashedStep.FindAllStringSubmatch(body, -1)
	if m == nil {
		return ""
	}
	ids := map[string]bool{}
	for _, s := range asSlice(asMap(asMap(doc)["spec"])["steps"]) {
		ids[strOf(asMap(s)["id"])] = true
	}
	for _, x := range m {
		// The longest declared id that the dashed run starts with.
		parts := strings.Split(x[1], "-")
		for n := len(parts); n >= 2; n-- {
			if id := strings.Join(parts[:n], "-"); ids[id] {
				return id
			}
		}
	}
	return ""
}

var reDashedParam = regexp.MustCompile(`parameters\.([A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)+)`)

// dashedParamRef is dashedStepRef for parameters.some-name.
func dashedParamRef(body string, params map[string]bool) string {
	for _, x := range reDashedParam.FindAllStringSubmatch(body, -1) {
		parts := strings.Split(x[1], "-")
		for n := len(parts); n >= 2; n-- {
			if name := strings.Join(parts[:n], "-"); params[name] {
				return name
			}
		}
	}
	return ""
}

package scaffolder

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bsai-dev/bsai/pkg/catalog"
)

// placeholderOwner is spec.owner when neither --owner nor the request names
// an owner that exists: a valid ref, plainly a placeholder, with a note.
const placeholderOwner = "group:default/template-owners"

// composer builds a template from a Request with the actions the catalogue
// really has. Reference templates contribute conventions only (skeleton
// URL for the same stack and host, allowedOwners, repoVisibility), never
// tags, names, owners or the publisher.
type composer struct {
	req   Request
	cat   *Catalogue
	ref   *catalog.Entity
	notes []string
	// pages of the form: details, then repository (new repos).
	details, repo map[string]any
	extra         map[string]any // inputs that actions need and nothing else provides
	steps         []any
	publishID     string // the publish step's id, "" when none
	// adopted is a reference runbook's spec taken whole (parameters,
	// steps, output) for an operation no capability covers.
	adopted map[string]any
	// refUsed is set when the reference contributed something (it is
	// cited only then).
	refUsed bool
}

func newPage(title string) map[string]any {
	return map[string]any{"title": title, "required": []any{}, "properties": map[string]any{}}
}

func addProp(page map[string]any, name string, schema map[string]any, required bool) {
	asMap(page["properties"])[name] = schema
	if required {
		page["required"] = append(asSlice(page["required"]), name)
	}
}

func (c *composer) note(format string, args ...any) {
	c.notes = append(c.notes, fmt.Sprintf(format, args...))
}

// have reports whether an action exists in the catalogue.
func (c *composer) have(id string) bool {
	if id == "" {
		return false
	}
	_, ok := c.cat.Lookup(id)
	return ok
}

// pick returns the first available id: exact ids, or the first catalogue
// action under a prefix ending in ':'.
func (c *composer) pick(ids ...string) string {
	for _, id := range ids {
		if strings.HasSuffix(id, ":") {
			for _, a := range c.cat.IDs() {
				if strings.HasPrefix(a, id) {
					return a
				}
			}
			continue
		}
		if c.have(id) {
			return id
		}
	}
	return ""
}

// compose builds the whole template.
func compose(desc string, opts GenerateOptions) (map[string]any, []string, *catalog.Entity) {
	req := ParseRequest(desc)
	c := &composer{req: req, cat: opts.Validator.Actions, details: newPage("Details"), repo: newPage("Repository location"), extra: newPage("Settings")}
	pool := opts.Refs
	if len(pool) == 0 {
		pool = opts.Candidates
	}
	c.ref = referenceFor(req, pool)

	owner, ownerNote := c.owner(desc, opts)
	name := map[string]any{"title": "Name", "type": "string", "description": "Name of the change"}
	if req.Kind == KindNewRepo {
		name = map[string]any{"title": "Name", "type": "string", "description": "Unique name of the component", "ui:field": "EntityNamePicker", "ui:autofocus": true}
	}
	addProp(c.details, "name", name, true)
	addProp(c.details, "description", map[string]any{"title": "Description", "type": "string", "description": "What it is for"}, false)

	switch req.Kind {
	case KindRegister:
		c.register()
	case KindPullRequest:
		c.pullRequest()
	case KindActionOnly:
		c.actionsOnly(pool)
	default:
		c.newRepository(owner)
	}
	if ownerNote != "" {
		c.notes = append(c.notes, ownerNote)
	}

	var pages []any
	for _, p := range []map[string]any{c.details, c.repo, c.extra} {
		if len(asMap(p["properties"])) == 0 {
			continue
		}
		if len(asSlice(p["required"])) == 0 {
			delete(p, "required")
		}
		pages = append(pages, p)
	}
	if req.Kind != KindNewRepo && !req.MultiPage && len(pages) > 1 {
		pages = mergePages(pages)
	}
	spec := map[string]any{
		"owner":      owner,
		"type":       templateType(req),
		"parameters": pages,
		"steps":      c.steps,
	}
	if out := c.output(); out != nil {
		spec["output"] = out
	}
	if c.adopted != nil {
		for _, k := range []string{"parameters", "steps", "output", "type"} {
			if v, ok := c.adopted[k]; ok {
				spec[k] = v
			} else if k != "type" {
				delete(spec, k)
			}
		}
	}
	md := map[string]any{
		"name":        draftName(desc),
		"title":       draftTitle(desc),
		"description": strings.TrimSpace(desc),
	}
	if len(req.Tags) > 0 {
		tags := make([]any, 0, len(req.Tags))
		for _, t := range req.Tags {
			if ValidTag(t) {
				tags = append(tags, t)
			}
		}
		md["tags"] = tags
	}
	tpl := map[string]any{
		"apiVersion": "scaffolder.backstage.io/v1beta3",
		"kind":       "Template",
		"metadata":   md,
		"spec":       spec,
	}
	if !c.refUsed {
		return tpl, c.notes, nil
	}
	return tpl, c.notes, c.ref
}

// mergePages folds every page into the first (short forms read better on
// one page).
func mergePages(pages []any) []any {
	first := asMap(pages[0])
	for _, p := range pages[1:] {
		pm := asMap(p)
		for k, v := range asMap(pm["properties"]) {
			asMap(first["properties"])[k] = v
		}
		if req := asSlice(pm["required"]); len(req) > 0 {
			first["required"] = append(asSlice(first["required"]), req...)
		}
	}
	return []any{first}
}

func templateType(r Request) string {
	switch {
	case r.Docs:
		return "documentation"
	case r.Plugin:
		return "plugin"
	case r.Frontend:
		return "website"
	case r.Kind == KindActionOnly:
		return "action"
	}
	return "service"
}

// owner decides spec.owner: --owner, else the team the request names when
// it is a Group in the catalog, else a placeholder (with a did-you-mean
// note when the named team is close to a Group).
func (c *composer) owner(desc string, opts GenerateOptions) (string, string) {
	m := resolveTeam(desc, opts.Groups)
	if opts.Owner != "" {
		return opts.Owner, ""
	}
	if m != nil && m.Ref != "" {
		return m.Ref, ""
	}
	if m != nil {
		return placeholderOwner, m.note()
	}
	return placeholderOwner, fmt.Sprintf("spec.owner is the placeholder %s: pass --owner or name the owning team in the request", placeholderOwner)
}

// repoPicker adds the repository location field for the request's host.
func (c *composer) repoPicker(page map[string]any, title string) {
	opts := map[string]any{}
	host := c.req.HostName
	if host == "" {
		host = publishers[c.req.Host].defaultHost
	}
	if host != "" {
		opts["allowedHosts"] = []any{host}
	} else {
		c.note("%s is self-hosted and the request names no host: set ui:options.allowedHosts of repoUrl to your server", publishers[c.req.Host].label)
	}
	// House convention from a reference on the same host: allowedOwners.
	if ro := c.refPickerOptions(host); ro != nil {
		if ao := ro["allowedOwners"]; ao != nil {
			opts["allowedOwners"] = deepCopy(ao)
			c.refUsed = true
		}
	}
	f := map[string]any{"title": title, "type": "string", "ui:field": "RepoUrlPicker"}
	if len(opts) > 0 {
		f["ui:options"] = opts
	}
	addProp(page, "repoUrl", f, true)
}

func (c *composer) ownerPicker(page map[string]any, def string) {
	f := map[string]any{"title": "Owner", "type": "string", "description": "Owner of the component", "ui:field": "OwnerPicker",
		"ui:options": map[string]any{"catalogFilter": map[string]any{"kind": []any{"Group", "User"}}}}
	if def != "" && def != placeholderOwner {
		f["default"] = def
	}
	addProp(page, "owner", f, true)
}

// newRepository: fetch the skeleton, publish, the extras, register.
func (c *composer) newRepository(owner string) {
	r := c.req
	c.ownerPicker(c.details, owner)
	if r.System {
		addProp(c.details, "system", map[string]any{"title": "System", "type": "string", "description": "System the component belongs to", "ui:field": "EntityPicker",
			"ui:options": map[string]any{"catalogFilter": map[string]any{"kind": "System"}}}, false)
	}
	if r.Secret {
		addProp(c.details, "apiToken", map[string]any{"title": "API token", "type": "string", "description": "Kept secret: read it in steps as ${{ secrets.apiToken }}", "ui:field": "Secret", "ui:widget": "password"}, false)
	}
	c.repoPicker(c.repo, "Repository location")

	values := map[string]any{"name": "${{ parameters.name }}", "description": "${{ parameters.description }}", "owner": "${{ parameters.owner }}"}
	if r.System {
		values["system"] = "${{ parameters.system }}"
	}
	fetch := "fetch:template"
	if r.Cookiecutter {
		if id := c.pick("fetch:cookiecutter"); id != "" {
			fetch = id
		} else {
			c.note("the request asks for a cookiecutter skeleton, but fetch:cookiecutter is not available on %s; used fetch:template", c.cat.Origin)
		}
	}
	c.steps = append(c.steps, map[string]any{"id": "fetch", "name": "Fetch skeleton", "action": fetch,
		"input": map[string]any{"url": c.skeletonURL(), "values": values}})

	pub := publishers[r.Host]
	if c.have(pub.publish) {
		c.publishID = "publish"
		in := map[string]any{"repoUrl": "${{ parameters.repoUrl }}"}
		c.setIfDeclared(pub.publish, in, "description", "${{ parameters.description }}")
		if v := c.refPublishInput(pub.publish, "repoVisibility"); v != nil {
			c.setIfDeclared(pub.publish, in, "repoVisibility", v)
			c.refUsed = true
		}
		c.steps = append(c.steps, map[string]any{"id": "publish", "name": "Publish to " + pub.label, "action": pub.publish, "input": in})
	} else {
		c.missing(pub.publish, "publishing to "+pub.label)
	}
	c.extras()
	if c.publishID != "" && c.have("catalog:register") {
		step := map[string]any{"id": "register", "name": "Register in the catalog", "action": "catalog:register",
			"input": map[string]any{"repoContentsUrl": "${{ steps['publish'].output.repoContentsUrl }}", "catalogInfoPath": "/catalog-info.yaml"}}
		if r.OptionalCatalog {
			addProp(c.details, "registerInCatalog", map[string]any{"title": "Register in the catalog", "type": "boolean", "default": true}, false)
			step["if"] = "${{ parameters.registerInCatalog }}"
		}
		c.steps = append(c.steps, step)
	}
}

// register: no skeleton, no publish; catalog:register with catalogInfoUrl.
func (c *composer) register() {
	delete(asMap(c.details["properties"]), "name")
	delete(asMap(c.details["properties"]), "description")
	c.details["required"] = []any{}
	c.details["title"] = "Repository"
	hint := "URL of catalog-info.yaml in the repository"
	if h := c.req.HostName; h != "" {
		hint += ", e.g. https://" + h + "/org/repo/blob/main/catalog-info.yaml"
	} else if h := publishers[c.req.Host].defaultHost; h != "" {
		hint += ", e.g. https://" + h + "/org/repo/blob/main/catalog-info.yaml"
	}
	addProp(c.details, "catalogInfoUrl", map[string]any{"title": "catalog-info.yaml URL", "type": "string", "description": hint, "pattern": "^https?://"}, true)
	if !c.have("catalog:register") {
		c.missing("catalog:register", "registering a repository")
		return
	}
	c.steps = append(c.steps, map[string]any{"id": "register", "name": "Register in the catalog", "action": "catalog:register",
		"input": map[string]any{"catalogInfoUrl": "${{ parameters.catalogInfoUrl }}"}})
	c.extras()
}

// pullRequest: fetch the change's files, open a PR/MR on the host.
func (c *composer) pullRequest() {
	r := c.req
	pub := publishers[r.Host]
	id := pub.pullRequest
	c.repoPicker(c.details, "Repository to change")
	addProp(c.details, "branchName", map[string]any{"title": "Branch", "type": "string", "description": "Branch the change is pushed to (default: add-NAME)"}, false)
	c.steps = append(c.steps, map[string]any{"id": "fetch", "name": "Fetch the change", "action": "fetch:template",
		"input": map[string]any{"url": c.skeletonURL(), "values": map[string]any{"name": "${{ parameters.name }}", "description": "${{ parameters.description }}"}}})
	if !c.have(id) {
		c.missing(id, "a pull request on "+pub.label)
		return
	}
	c.publishID = "publish"
	in := map[string]any{"repoUrl": "${{ parameters.repoUrl }}"}
	branch := "${{ parameters.branchName or ('add-' + parameters.name) }}"
	for _, k := range []string{"branchName", "sourceBranch"} {
		c.setIfDeclared(id, in, k, branch)
	}
	c.setIfDeclared(id, in, "title", "${{ parameters.description or ('Add ' + parameters.name) }}")
	c.setIfDeclared(id, in, "description", "${{ parameters.description }}")
	c.steps = append(c.steps, map[string]any{"id": "publish", "name": "Open the pull request", "action": id, "input": in})
	c.extras()
}

// actionsOnly: the capabilities alone (e.g. send a notification). An
// operation no capability covers (a rollback runbook) is what a reference
// runbook is for: its form and steps are taken when one shares words with
// the request, else a log step stands in, with a note.
func (c *composer) actionsOnly(pool []*catalog.Entity) {
	c.extras()
	if len(c.steps) > 0 {
		return
	}
	var runbooks []*catalog.Entity
	for _, e := range pool {
		if e != nil && e.Kind == "Template" && refKind(actionsUsed(map[string]any{"spec": e.Spec})) == KindActionOnly {
			runbooks = append(runbooks, e)
		}
	}
	if ref := closestByWords(c.req.Text, runbooks); ref != nil {
		c.ref, c.refUsed = ref, true
		spec := asMap(deepCopy(ref.Spec))
		c.adopted = spec
		c.note("no action matches the request itself: the form and steps come from %s; check they do what you asked", ref.Ref().String())
		return
	}
	c.steps = append(c.steps, map[string]any{"id": "log", "name": "Log", "action": "debug:log",
		"input": map[string]any{"message": "${{ parameters.name }}: ${{ parameters.description }}"}})
	c.note("no available action does what the request asks; drafted a debug:log step to replace with the real one")
}

// closestByWords is the template sharing most words with the request (at
// least one), for runbooks whose purpose is in their name and description.
func closestByWords(desc string, pool []*catalog.Entity) *catalog.Entity {
	if best := closest(desc, pool); best != nil {
		want := tokens(desc)
		have := tokens(strings.Join(append([]string{best.Metadata.Name, best.Metadata.Title, best.Metadata.Description}, best.Metadata.Tags...), " "))
		for t := range want {
			if have[t] {
				return best
			}
		}
	}
	return nil
}

// extras adds a step per capability the request asks for, or says why not.
func (c *composer) extras() {
	for _, name := range c.req.Capabilities {
		var capa capability
		for _, x := range capabilities {
			if x.name == name {
				capa = x
			}
		}
		if name == "kubernetes" && (slices.Contains(c.req.Capabilities, "argocd") || slices.Contains(c.req.Capabilities, "helm")) {
			continue // deploying to Kubernetes is what those do
		}
		ids := append(append([]string{}, capa.actions[c.req.Host]...), capa.actions[""]...)
		id := c.pick(ids...)
		if id == "" {
			want := strings.Join(ids, ", ")
			if want == "" {
				want = "an action"
			}
			c.note("the request asks for %s, but no action for it is available on %s (looked for %s); left it out: %s",
				capa.label, c.cat.Origin, strings.ReplaceAll(want, ":,", ":*,"), c.installHint())
			continue
		}
		c.steps = append(c.steps, c.actionStep(id, capa.label))
	}
}

// missing reports a needed action the catalogue lacks.
func (c *composer) missing(id, what string) {
	if id == "" {
		c.note("the request asks for %s, which no built-in action provides; left it out", what)
		return
	}
	c.note("the request asks for %s, but %s is not available on %s; left it out: %s", what, id, c.cat.Origin, c.installHint())
}

// installHint says how to make a missing action available.
func (c *composer) installHint() string {
	if c.cat.Live {
		return "install the scaffolder module that provides it in the backend"
	}
	return "if your backend has it, list it under bsai.scaffolder.actions, or check against the backend with --actions live"
}

// output links to what the steps made.
func (c *composer) output() map[string]any {
	var links []any
	for _, s := range c.steps {
		sm := asMap(s)
		switch id, action := strOf(sm["id"]), strOf(sm["action"]); {
		case id == c.publishID && c.req.Kind == KindPullRequest:
			key := "remoteUrl"
			if strings.Contains(action, "merge-request") {
				key = "mergeRequestUrl"
			}
			links = append(links, map[string]any{"title": "Pull request", "url": "${{ steps['" + id + "'].output." + key + " }}"})
		case id == c.publishID:
			links = append(links, map[string]any{"title": "Repository", "url": "${{ steps['" + id + "'].output.remoteUrl }}"})
		case action == "catalog:register":
			links = append(links, map[string]any{"title": "Open in catalog", "icon": "catalog", "entityRef": "${{ steps['" + id + "'].output.entityRef }}"})
		}
	}
	if len(links) == 0 {
		return nil
	}
	return map[string]any{"links": links}
}

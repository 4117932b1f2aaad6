package retrieval

import (
	"slices"
	"strings"
)

// Intent is what a question asks about an entity, read deterministically
// from its wording. It decides which relations retrieval walks from the
// entities the question names.
type Intent string

const (
	// IntentOwner: "who owns X", "which team is on call for X".
	IntentOwner Intent = "owner"
	// IntentOwned: "what does team X own", "what is owned by X".
	IntentOwned Intent = "owned"
	// IntentDependents: "what breaks if X goes down", "who uses X".
	IntentDependents Intent = "dependents"
	// IntentDependencies: "what does X depend on", "which APIs does X consume".
	IntentDependencies Intent = "dependencies"
	// IntentProvides: "which service provides the X API", "what API does X expose".
	IntentProvides Intent = "provides"
	// IntentMembers: "which systems are in domain X", "who is in team X".
	IntentMembers Intent = "members"
	// IntentPartOf: "what system is X part of", "which domain does X belong to".
	IntentPartOf Intent = "partOf"
	// IntentList: "list all domains", "which teams exist", "which APIs are
	// in production" — every entity of a kind, filtered by the other words.
	IntentList Intent = "list"
	// IntentDescribe: "what does X do and who owns it", "tell me about X".
	IntentDescribe Intent = "describe"
)

// attributeWords ask for a field of an entity, not a relation: "what email
// does team X use" is not about X's dependencies.
var attributeWords = setOf("email", "mail", "address", "link", "links", "url", "urls", "docs", "documentation",
	"namespace", "key", "slug", "channel", "dashboard", "website", "readme", "spec", "specification",
	"source", "repo", "repository", "agents", "agent", "discipline", "disciplines", "categories", "category",
	"endpoint", "image", "quay", "discord", "jira", "sonarqube")

// YesNo reports a question answered by yes or no ("Is X deprecated?",
// "Does team C own X?").
func YesNo(question string) bool {
	ws := words(question)
	if len(ws) == 0 {
		return false
	}
	switch ws[0] {
	case "is", "are", "does", "do", "did", "can", "has", "have", "was", "were":
		return true
	}
	return false
}

// Existence reports a yes/no question about whether something exists at
// all ("Is there a Redis cache?", "Do we have an MCP server?").
func Existence(question string) bool {
	j := " " + strings.Join(words(question), " ") + " "
	for _, p := range []string{" is there ", " are there ", " do we have ", " do you have ", " does the catalog have "} {
		if strings.HasPrefix(j, p) {
			return true
		}
	}
	return false
}

// DetectIntents returns the intents of a question in a fixed order. It
// looks at plain lower-case words (before stemming and stopword removal)
// because the little words carry the direction: "what does X depend on"
// asks for X's dependencies, "what depends on X" for its dependents.
func DetectIntents(question string) []Intent {
	ws := words(question)
	has := func(xs ...string) bool {
		for _, w := range ws {
			if slices.Contains(xs, w) {
				return true
			}
		}
		return false
	}
	// idx returns the position of the first word with one of the prefixes.
	idx := func(prefixes ...string) int {
		for i, w := range ws {
			for _, p := range prefixes {
				if strings.HasPrefix(w, p) {
					return i
				}
			}
		}
		return -1
	}
	if len(ws) == 0 {
		return nil
	}
	joined := " " + strings.Join(ws, " ") + " "
	phrase := func(ps ...string) bool {
		for _, p := range ps {
			if strings.Contains(joined, " "+p+" ") {
				return true
			}
		}
		return false
	}
	// An auxiliary before the verb with words in between means the named
	// entity is the subject: "what does X use" (X's dependencies) vs
	// "which services use X" or "what is using X" (X's dependents).
	auxBefore := func(verb int) bool {
		for i := 0; i < verb-1; i++ {
			switch ws[i] {
			case "does", "do", "did", "is", "are":
				return true
			}
		}
		return false
	}
	// verb finds the first dependency verb, skipping "on call".
	verb := func() int {
		for i, w := range ws {
			if verbLike(w) && !(w == "call" && i > 0 && ws[i-1] == "on") {
				return i
			}
		}
		return -1
	}

	var out []Intent
	add := func(in Intent) {
		if !slices.Contains(out, in) {
			out = append(out, in)
		}
	}

	// Dependency direction.
	switch {
	case has("dependents", "consumers", "callers", "downstream", "breaks", "break", "broken", "outage", "impact", "impacted", "affected", "affect", "affects", "fails", "fail") ||
		phrase("goes down", "go down", "is down", "blast radius", "used by", "consumed by", "called by", "depended on", "relies on it"):
		add(IntentDependents)
	case has("dependencies", "upstream", "prerequisites"):
		add(IntentDependencies)
	case has(attributeWordsList...) || phrase("we use", "i use", "you use", "we need", "i need", "i talk", "we talk", "talk about"):
		// "what email does team X use", "what do we use for single
		// sign-on", "who do I talk to about X": not dependency questions.
	default:
		if v := verb(); v >= 0 {
			// "what does X depend on", "what does X use", "X uses what".
			if auxBefore(v) || v == len(ws)-1 || (ws[v+1] == "on" && v+2 == len(ws)) {
				add(IntentDependencies)
			} else {
				add(IntentDependents)
			}
		}
	}

	// Ownership, on-call and contacts.
	yesNo := YesNo(question)
	switch v := idx("own", "owns"); {
	case v > 0 && ws[v-1] == "who", (v >= 0 || phrase("owned by")) && yesNo:
		// "what is X and who owns it"; "does team C own X?" checks X's owner.
		add(IntentOwner)
	case phrase("owned by") && ws[0] != "who":
		add(IntentOwned)
	case v >= 0 && (ws[v] == "own" || ws[v] == "owns") && auxBefore(v) && ws[0] != "who":
		add(IntentOwned)
	case idx("own") >= 0:
		add(IntentOwner)
	}
	// "page" is a verb in "who should I page" and a noun in "home page".
	paging := ws[0] == "page" || phrase("i page", "we page", "to page", "should page", "do i page", "can i page")
	if paging || has("responsible", "maintains", "maintainer", "maintainers", "oncall", "contact", "escalate", "pager", "pagerduty") ||
		phrase("on call", "which team", "what team", "who runs", "who maintains", "who do i", "who can i", "who should i",
			"ask about", "i talk to", "we talk to", "reach", "who can help", "in charge", "who leads", "looks after", "look after") {
		add(IntentOwner)
	}

	if has("provides", "provide", "provided", "exposes", "expose", "exposed", "serves", "implements", "implement", "offers", "backs") {
		add(IntentProvides)
	}
	// Up the hierarchy: "what system is X part of", "which domain does X
	// belong to", "which team is Sam a member of".
	if phrase("part of", "belong to", "belongs to", "member of", "belong", "belongs", "report to", "reports to") ||
		has("parent", "parents") || (has("in", "on") && !phrase("on call") && has("domain", "department", "organization", "organisation") && !has("system", "systems", "components", "apis", "resources", "teams", "groups")) {
		add(IntentPartOf)
	}
	// Down: "which systems are in the commerce domain", "who is in team X",
	// "child groups", "sub-departments", "what is X made of".
	if (phrase("in the", "inside", "members of", "who is in", "who are in", "who is on", "who are on", "who works", "who work",
		"people in", "people are in", "people on", "people work", "part of the", "made of", "teams under", "groups under", "under the", "are under", "is under", "sit under") &&
		has("system", "systems", "domain", "domains", "team", "group", "members", "components", "apis", "resources", "teams", "groups", "people", "works", "work", "made", "under") &&
		!phrase("on call")) || has("contains", "contain", "members", "consist", "consists", "child", "children", "subcomponents", "subgroups", "subteams", "departments") ||
		phrase("how many people", "sub departments") {
		add(IntentMembers)
	}
	// "Which domain is the podcast system in?", "what team is Eva on?":
	// a singular container kind asked for, so up the hierarchy.
	if (ws[0] == "which" || ws[0] == "what") && len(ws) > 2 && has("in", "on", "under", "of") && !phrase("on call") {
		switch ws[1] {
		case "domain", "system", "department", "organization", "organisation", "group", "team":
			if ws[2] == "is" || ws[2] == "does" {
				add(IntentPartOf)
				out = slices.DeleteFunc(out, func(i Intent) bool { return i == IntentMembers })
			}
		}
	}
	// "what system is X part of" asks up; "which APIs are part of system X"
	// (a kind word before "part of") asks down.
	if slices.Contains(out, IntentPartOf) && slices.Contains(out, IntentMembers) {
		if p := idx("part", "belong", "parent", "report"); p >= 0 && kindBefore(ws[:p]) {
			out = slices.DeleteFunc(out, func(i Intent) bool { return i == IntentPartOf })
		} else {
			out = slices.DeleteFunc(out, func(i Intent) bool { return i == IntentMembers })
		}
	}
	if len(out) == 0 && listQuestion(ws, joined) {
		add(IntentList)
	}
	if phrase("tell me about", "describe", "what is", "what's", "what are") && (phrase("and who", "and its owner", "tell me about")) ||
		(ws[0] == "what" && (ws[len(ws)-1] == "do" || phrase("do and"))) {
		add(IntentDescribe)
	}
	return out
}

var attributeWordsList = func() []string {
	var out []string
	for w := range attributeWords {
		out = append(out, w)
	}
	return out
}()

// ListByType reports a list question whose kind word is a type the
// caller knows (isType, e.g. the catalog's spec.type values: "what skills
// exist?"), and returns that word's position.
func ListByType(question string, isType func(string) bool) (string, bool) {
	ws := words(question)
	if len(ws) < 2 {
		return "", false
	}
	joined := " " + strings.Join(ws, " ") + " "
	for i, w := range ws[:min(len(ws), 5)] {
		if t := Stem(w); isType(t) && listWording(ws, joined, i) {
			return t, true
		}
	}
	return "", false
}

// kindBefore reports a kind word among ws ("which APIs are part of ...").
func kindBefore(ws []string) bool {
	for _, w := range ws {
		if _, ok := kindWords[w]; ok && w != "team" && w != "group" {
			return true
		}
	}
	return false
}

// listQuestion: "list all X", "which X exist", "what X do we have",
// "which X are in production", "show me all X" — asks for every entity of
// a kind (KindHint) the other words allow.
func listQuestion(ws []string, joined string) bool {
	if len(ws) < 2 {
		return false
	}
	kind := -1
	for i, w := range ws {
		if _, ok := kindWords[w]; ok {
			kind = i
			break
		}
	}
	if kind < 0 {
		return false
	}
	return listWording(ws, joined, kind)
}

// listWording: the words of a question asking for every entity of the
// kind (or type) named at index kind.
func listWording(ws []string, joined string, kind int) bool {
	switch {
	case ws[0] == "list" || ws[0] == "show" || strings.Contains(joined, " all ") || strings.Contains(joined, " every "):
		return true
	case strings.Contains(joined, " exist ") || strings.Contains(joined, " do we have ") || strings.Contains(joined, " are there "):
		return true
	case (ws[0] == "which" || ws[0] == "what") && kind <= 3 && kind+1 < len(ws) && ws[kind+1] == "are" && strings.HasSuffix(ws[kind], "s"):
		// "which APIs are gRPC?", "which services are written in Go?"
		return true
	case strings.HasPrefix(joined, " how many "):
		return true
	}
	return false
}

// verbLike keeps "user" and "usage" from reading as "use", "relational" as "rely".
func verbLike(w string) bool {
	switch w {
	case "depend", "depends", "depending", "depended",
		"use", "uses", "using", "used",
		"consume", "consumes", "consuming", "consumed",
		"call", "calls", "calling", "called",
		"rely", "relies", "relying",
		"need", "needs", "talk", "talks":
		return true
	}
	return false
}

// kindWords map question words to the entity kind they name.
var kindWords = map[string]string{
	"component": "component", "components": "component", "service": "component", "services": "component",
	"website": "component", "websites": "component", "library": "component", "libraries": "component",
	"api": "api", "apis": "api",
	"resource": "resource", "resources": "resource", "database": "resource", "databases": "resource",
	"system": "system", "systems": "system",
	"domain": "domain", "domains": "domain",
	"team": "group", "teams": "group", "group": "group", "groups": "group",
	"user": "user", "users": "user", "people": "user", "person": "user",
}

// KindHint returns the one entity kind a question asks for ("which APIs
// are gRPC?" → "api"), or "" when it names none or several. Kinds in
// ignore do not count ("which services does the checkout team own?" asks
// for components when "group" is ignored).
func KindHint(question string, ignore ...string) string {
	kind := ""
	for _, w := range words(question) {
		if k, ok := kindWords[w]; ok && !slices.Contains(ignore, k) {
			if kind != "" && kind != k {
				return ""
			}
			kind = k
		}
	}
	return kind
}

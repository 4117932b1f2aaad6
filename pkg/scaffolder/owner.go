package scaffolder

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/textdist"
)

// teamMention is a team the request names, resolved against the catalog.
type teamMention struct {
	// Ref is the Group's ref when it exists ("" otherwise).
	Ref string
	// Said is what the request said ("identiy" in "the identiy team").
	Said string
	// Suggest is the closest Group when Ref is empty.
	Suggest string
}

// ownerFillers are words between "the" and "team" that name no team.
var ownerFillers = []string{"the", "a", "an", "our", "my", "your", "their", "this", "that", "same", "whole", "new", "for", "by", "of", "to", "on", "dev", "development"}

// resolveTeam finds a team named in the request ("for the search team",
// "owned by team-x", "the Data Platform team") among the catalog's Groups
// (name, title, profile.displayName). A multi-word group name written out
// ("team-x", "web-team") matches anywhere; a one-word core ("search"
// of group search, "web" of web-team) needs "team" next to it
// or "owned by" before it, so words such as "backstage" in "our Backstage
// repository" are not read as owners. When a mention matches no Group, the
// closest Group name (edit distance) is suggested.
func resolveTeam(desc string, groups []*catalog.Entity) *teamMention {
	ws := words(desc)
	for i, w := range ws {
		ws[i] = strings.Trim(w, ".,;:'")
	}
	type cand struct {
		ref   string
		names [][]string // word sequences that name it
		cores [][]string
	}
	var cands []cand
	for _, g := range groups {
		if g == nil || !strings.EqualFold(g.Kind, "Group") {
			continue
		}
		c := cand{ref: g.Ref().String()}
		for _, n := range []string{g.Metadata.Name, g.Metadata.Title, displayName(g)} {
			if n == "" {
				continue
			}
			seq := strings.Split(kebab(n), "-")
			c.names = append(c.names, seq)
			var core []string
			for _, w := range seq {
				if w != "team" && w != "group" && w != "squad" {
					core = append(core, w)
				}
			}
			if len(core) > 0 {
				c.cores = append(c.cores, core)
			}
		}
		cands = append(cands, c)
	}
	// Written-out multi-word names first (team-x, web-team).
	flat := strings.Split(kebab(strings.Join(ws, " ")), "-")
	for _, c := range cands {
		for _, n := range c.names {
			if len(n) > 1 && containsSeq(flat, n) {
				return &teamMention{Ref: c.ref, Said: strings.Join(n, "-")}
			}
		}
	}
	// "<core> team", "team <core>", "owned by <core>".
	mentions := teamPhrases(ws)
	for _, m := range mentions {
		mk := strings.Split(kebab(m), "-")
		for _, c := range cands {
			for _, core := range c.cores {
				if slices.Equal(core, mk) || slices.Equal(c.names[0], mk) {
					return &teamMention{Ref: c.ref, Said: m}
				}
			}
		}
	}
	// Named but unknown: suggest the closest group.
	for _, m := range mentions {
		best, bestD := "", 1<<30
		for _, c := range cands {
			for _, core := range append(append([][]string{}, c.cores...), c.names...) {
				d := textdist.Levenshtein(kebab(m), strings.Join(core, "-"))
				if d < bestD {
					best, bestD = c.ref, d
				}
			}
		}
		if best != "" && bestD <= max(2, len(m)/4) {
			return &teamMention{Said: m, Suggest: best}
		}
		if best == "" || bestD > max(2, len(m)/4) {
			return &teamMention{Said: m}
		}
	}
	return nil
}

// teamPhrases returns what stands where a team name would: the one or two
// words before "team" (without fillers), the word after "team" when it is
// not a filler, and the words after "owned by".
func teamPhrases(ws []string) []string {
	var out []string
	for i, w := range ws {
		switch {
		case w == "team" || w == "team's" || w == "squad":
			var pre []string
			for j := i - 1; j >= 0 && j >= i-2; j-- {
				if slices.Contains(ownerFillers, ws[j]) || slices.Contains(repoNouns, ws[j]) {
					break
				}
				pre = append([]string{ws[j]}, pre...)
			}
			// Longest first, then the word right before "team".
			if len(pre) > 0 {
				out = append(out, strings.Join(pre, " "))
				if len(pre) > 1 {
					out = append(out, pre[len(pre)-1])
				}
			}
			if i+1 < len(ws) && !slices.Contains(ownerFillers, ws[i+1]) && len(pre) == 0 {
				out = append(out, ws[i+1])
			}
		case w == "owned" && i+2 < len(ws) && ws[i+1] == "by":
			j := i + 2
			if slices.Contains(ownerFillers, ws[j]) && j+1 < len(ws) {
				j++
			}
			out = append(out, ws[j])
		}
	}
	return out
}

func containsSeq(hay, needle []string) bool {
	for i := 0; i+len(needle) <= len(hay); i++ {
		if slices.Equal(hay[i:i+len(needle)], needle) {
			return true
		}
	}
	return false
}

func displayName(e *catalog.Entity) string {
	p, _ := e.Spec["profile"].(map[string]any)
	s, _ := p["displayName"].(string)
	return s
}

func (m *teamMention) note() string {
	switch {
	case m == nil || m.Ref != "":
		return ""
	case m.Suggest != "":
		return fmt.Sprintf("the request names team %q, which is not a Group in the catalog; did you mean %s? (spec.owner left as a placeholder; pass --owner %s)", m.Said, m.Suggest, m.Suggest)
	}
	return fmt.Sprintf("the request names team %q, which is not a Group in the catalog (spec.owner left as a placeholder; pass --owner)", m.Said)
}

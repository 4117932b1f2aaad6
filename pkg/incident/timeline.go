package incident

import (
	"cmp"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/bsai-dev/bsai/pkg/incident/source"
)

// TimelineEntry is one moment of the incident, in time order: the changes
// in the window, the first occurrence of each new error, metric breaches,
// the onset and the alert.
type TimelineEntry struct {
	Time time.Time `json:"time"`
	// Kind is deploy, config, infra, error, metric, onset or alert.
	Kind     string `json:"kind"`
	Entity   string `json:"entity,omitempty"`
	Text     string `json:"text"`
	Evidence string `json:"evidence,omitempty"`
}

// Timeline limits: the changes nearest the onset and the first new errors
// of a few entities tell the story; the evidence list has the rest.
const (
	timelineChanges = 8
	timelineErrors  = 4
	timelineMetrics = 4
	// newErrorQuiet is how long a log template must be absent from the
	// start of the window to count as a new error.
	newErrorQuiet = 10 * time.Minute
)

func buildTimeline(r *Report) []TimelineEntry {
	var changes, errors, metrics, marks []TimelineEntry
	firstErr := map[string]bool{}
	// Evidence is sorted by time so "first new error per entity" is the
	// earliest one.
	ev := append([]source.Evidence(nil), r.Evidence...)
	sort.SliceStable(ev, func(i, j int) bool { return evTime(ev[i]).Before(evTime(ev[j])) })
	for _, e := range ev {
		switch {
		case e.Change != nil:
			c := e.Change
			if c.Time.Before(r.Window.Start) || c.Time.After(r.Window.End) {
				continue
			}
			kind := cmp.Or(c.Kind, source.KindDeploy)
			text := source.RefName(c.Entity)
			if c.Version != "" {
				text += " " + c.Version
			}
			if c.Previous != "" {
				text += " (was " + c.Previous + ")"
			}
			if c.Author != "" {
				text += " by " + c.Author
			}
			if c.Description != "" {
				text += ": " + c.Description
			}
			changes = append(changes, TimelineEntry{Time: c.Time, Kind: kind, Entity: c.Entity, Text: source.Clip(text, 140), Evidence: e.ID})
		case e.Template != nil:
			t := e.Template
			if firstErr[t.Entity] || t.First.Before(r.Window.Start.Add(newErrorQuiet)) || !isErrorLevel(t.Level) {
				continue
			}
			firstErr[t.Entity] = true
			errors = append(errors, TimelineEntry{Time: t.First, Kind: "error", Entity: t.Entity,
				Text: fmt.Sprintf("first new error in %s: %q", source.RefName(t.Entity), source.Clip(cmp.Or(t.Example, t.Text), 100)), Evidence: e.ID})
		case e.Signal != nil && e.Signal.Breach != nil:
			s := e.Signal
			metrics = append(metrics, TimelineEntry{Time: *s.Breach, Kind: "metric", Entity: s.Entity,
				Text: fmt.Sprintf("%s %s left its baseline (%s)", source.RefName(s.Entity), s.Name, s.Rise()), Evidence: e.ID})
		}
	}
	// Keep the changes closest to the onset (or the alert, or the end).
	anchor := r.Window.End
	if r.Alert != nil && r.Alert.StartsAt != nil {
		anchor = *r.Alert.StartsAt
	}
	if r.Onset != nil {
		anchor = *r.Onset
	}
	if len(changes) > timelineChanges {
		sort.SliceStable(changes, func(i, j int) bool { return absDur(changes[i].Time.Sub(anchor)) < absDur(changes[j].Time.Sub(anchor)) })
		changes = changes[:timelineChanges]
	}
	if len(errors) > timelineErrors {
		errors = errors[:timelineErrors]
	}
	if len(metrics) > timelineMetrics {
		metrics = metrics[:timelineMetrics]
	}
	if r.Onset != nil {
		how, _, _ := strings.Cut(r.OnsetSource, " (")
		marks = append(marks, TimelineEntry{Time: *r.Onset, Kind: "onset", Entity: r.Service,
			Text: fmt.Sprintf("onset of %s, from %s", source.RefName(r.Service), cmp.Or(how, "the evidence"))})
	}
	if r.Alert != nil && r.Alert.StartsAt != nil {
		marks = append(marks, TimelineEntry{Time: *r.Alert.StartsAt, Kind: "alert", Entity: r.Service,
			Text: fmt.Sprintf("alert %s fired", source.Clip(r.Alert.Name, 80))})
		for _, rel := range r.Alert.Related {
			if rel.StartsAt != nil {
				marks = append(marks, TimelineEntry{Time: *rel.StartsAt, Kind: "alert", Entity: r.Service, Text: fmt.Sprintf("alert %s fired", source.Clip(rel.Name, 80))})
			}
		}
	}
	if r.Alert != nil {
		scope := map[string]bool{}
		for _, ref := range append(append([]string{}, r.Dependencies...), r.Affected...) {
			scope[ref] = true
		}
		for _, el := range r.Alert.Elsewhere {
			if scope[el.Entity] && el.StartsAt != nil && !el.StartsAt.Before(r.Window.Start) && !el.StartsAt.After(r.Window.End) {
				marks = append(marks, TimelineEntry{Time: *el.StartsAt, Kind: "alert", Entity: el.Entity,
					Text: fmt.Sprintf("alert %s fired on %s", source.Clip(el.Name, 80), source.RefName(el.Entity))})
			}
		}
	}
	out := append(append(append(changes, errors...), metrics...), marks...)
	order := map[string]int{"deploy": 0, "config": 0, "infra": 0, "error": 1, "metric": 2, "onset": 3, "alert": 4}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Time.Equal(out[j].Time) {
			return out[i].Time.Before(out[j].Time)
		}
		return order[out[i].Kind] < order[out[j].Kind]
	})
	if out == nil {
		out = []TimelineEntry{}
	}
	return out
}

func isErrorLevel(l string) bool {
	switch strings.ToLower(l) {
	case "", "error", "err", "fatal", "critical", "crit", "panic", "emerg", "alert", "severe":
		return true
	}
	return false
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

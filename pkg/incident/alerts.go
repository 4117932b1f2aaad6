package incident

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/incident/source"
)

// AlertCandidate is one catalog entity with firing alerts in the input.
type AlertCandidate struct {
	Entity string         // catalog ref
	Alerts []source.Alert // earliest first
}

// String is "component:default/x: HighErrorRate since 10:00 (+2 more)".
func (c AlertCandidate) String() string {
	a := c.Alerts[0]
	s := c.Entity + ": " + a.Name
	if a.StartsAt != nil {
		s += " since " + a.StartsAt.UTC().Format("2006-01-02 15:04 UTC")
	}
	if n := len(c.Alerts) - 1; n > 0 {
		s += fmt.Sprintf(" (+%d more)", n)
	}
	return s
}

// Chooser asks the person at the terminal to pick one of several options.
type Chooser interface {
	Choose(ctx context.Context, question string, options []string) (int, error)
}

// SelectAlert reduces the firing alerts of one input (a webhook group or an
// /api/v2/alerts listing) to the one incident to investigate: the alerts of
// the --service entity when given, else those of the only entity alerting.
// With several entities alerting it asks the chooser (a terminal) or, with
// none, fails with a usage error that lists the candidates. Alerts whose
// labels name nothing in the catalog are candidates only when nothing else
// is (then the investigation reports the unknown service as before).
func SelectAlert(ctx context.Context, g *catalog.Graph, alerts []source.Alert, service string, ch Chooser) (*source.Alert, error) {
	if len(alerts) == 0 {
		return nil, nil
	}
	var cands []AlertCandidate
	var unknown []source.Alert
	idx := map[string]int{}
	for _, a := range alerts {
		ref, err := source.ResolveFocus(g, "", &a)
		if err != nil {
			unknown = append(unknown, a)
			continue
		}
		i, ok := idx[ref]
		if !ok {
			i = len(cands)
			idx[ref] = i
			cands = append(cands, AlertCandidate{Entity: ref})
		}
		cands[i].Alerts = append(cands[i].Alerts, a)
	}
	if service != "" {
		ref, err := source.ResolveFocus(g, service, nil)
		if err != nil {
			return nil, errs.Usage("%s", err.Error()).WithHint("pass --service with a catalog ref or name")
		}
		if i, ok := idx[ref]; ok {
			return withElsewhere(source.Group(cands[i].Alerts), cands, i), nil
		}
		// An alert naming no catalog entity (a Grafana alert labelled by
		// team/zone, a PagerDuty service without the annotation): --service
		// says what it is about.
		// A webhook (one notification) with --service: the flag overrides
		// the alert's labels, as it always has.
		if len(cands) == 0 || alerts[0].Format != source.FormatAlertmanagerAPI {
			return source.Group(alerts), nil
		}
		return nil, errs.Usage("no firing alert for %s in the input; alerting: %s", ref, candidateList(cands)).
			WithHint("pass --service with one of the alerting entities, or leave --service out to choose")
	}
	switch len(cands) {
	case 0:
		return source.Group(unknown), nil
	case 1:
		return source.Group(cands[0].Alerts), nil
	}
	if ch == nil {
		return nil, errs.Usage("%d entities have firing alerts: %s", len(cands), candidateList(cands)).
			WithHint("pass --service REF to pick one (on a terminal bsai asks)")
	}
	opts := make([]string, len(cands))
	for i, c := range cands {
		opts[i] = c.String()
	}
	i, err := ch.Choose(ctx, fmt.Sprintf("%d entities have firing alerts; investigate which?", len(cands)), opts)
	if err != nil {
		if ctx.Err() != nil {
			return nil, errs.Wrap(errs.KindInterrupted, ctx.Err(), "")
		}
		return nil, errs.Usage("no entity chosen: %w", err).WithHint("pass --service REF")
	}
	if i < 0 || i >= len(cands) {
		return nil, errs.Usage("no entity chosen").WithHint("pass --service REF")
	}
	return withElsewhere(source.Group(cands[i].Alerts), cands, i), nil
}

// withElsewhere notes the other alerting entities on the chosen alert: the
// report's timeline shows those in the investigated scope (a dependency
// alerting first is part of the story).
func withElsewhere(a *source.Alert, cands []AlertCandidate, chosen int) *source.Alert {
	for i, c := range cands {
		if i == chosen {
			continue
		}
		f := c.Alerts[0]
		a.Elsewhere = append(a.Elsewhere, source.EntityAlert{Entity: c.Entity, Name: f.Name, StartsAt: f.StartsAt})
	}
	return a
}

func candidateList(cands []AlertCandidate) string {
	parts := make([]string, len(cands))
	for i, c := range cands {
		parts[i] = c.String()
	}
	return strings.Join(parts, "; ")
}

// alertDetail is the alert evidence text, with the related alerts.
func alertDetail(a *source.Alert) string {
	d := fmt.Sprintf("%s alert %q", a.Format, a.Name)
	if a.Summary != "" && a.Summary != a.Name {
		d += ": " + a.Summary
	}
	if ls := a.LabelString(); ls != "" {
		d += " (" + ls + ")"
	}
	if len(a.Related) > 0 {
		rel := make([]string, len(a.Related))
		for i, r := range a.Related {
			rel[i] = r.Name
			if r.StartsAt != nil {
				rel[i] += " since " + r.StartsAt.UTC().Format(time.TimeOnly[:5])
			}
		}
		d += "; also firing: " + strings.Join(rel, ", ")
	}
	return d
}

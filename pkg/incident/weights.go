package incident

import "time"

// ClearCause is the score the top candidate needs to be reported as the
// likely cause; below it "no clear cause" leads the ranking.
const ClearCause = 0.45

// The ranking's weights, in one place so they can be explained. A score is
// reach × (a base for the kind of candidate + closeness in time) plus what
// corroborates it, times the penalties that apply. Scores are capped at 0.99.
var w = struct {
	// Confidence: "high" needs High and a lead of HighMargin over the best
	// cause about another entity; "medium" needs ClearCause.
	High, HighMargin float64
	// OnsetGrace: signals that went wrong up to this long after onset still
	// count as part of the incident.
	OnsetGrace time.Duration

	// Reach: how a candidate's entity can affect the alerting service.
	ReachFocus, ReachDirect, ReachChain, ReachTransitive, ReachDependent, ReachUnconnected float64

	// Changes (deploy, config, infra).
	ChangeBase, ChangeCloseness float64
	ChangeDecay                 time.Duration // closeness = exp(-Δt/ChangeDecay) before onset
	Skew                        time.Duration // clock skew tolerated around onset
	Horizon                     time.Duration // a signal this long after a change still follows from it
	SignalAfter                 float64       // the changed entity degraded after the change
	Named                       float64       // new errors after the change name the changed entity
	OwnErrors                   float64       // the changed entity's own new errors after the change
	AfterOnset                  float64       // factor: made after onset, cannot have started it
	AlreadyFailing              float64       // factor: the entity was failing before the change
	NotDeploy                   float64       // factor: config and infra changes, slightly less often the cause

	// Degraded dependencies (errors, latency, new error templates) and
	// saturated resources.
	DegradedBase          float64
	LeadMin, LeadExtra    float64       // degraded before onset: LeadMin + LeadExtra×(1-exp(-lead/LeadScale))
	LeadScale             time.Duration //
	SameTime              float64       // degraded about when the alerting service did
	Linked                float64       // the alerting service's own new errors began after it degraded
	NamedDep              float64       // a new error upstream names it
	OwnTemplate           float64       // a new error template in its own logs, besides its metrics
	AtMax                 float64       // a resource at its known maximum
	Explains              float64       // it explains a relay: something between it and the alert degraded after it
	Relay                 float64       // factor: it only relays a dependency that degraded first
	UnknownMax            float64       // factor: a rising resource whose maximum is unknown
	RelayTolerance        time.Duration // a dependency that degraded this soon after still explains a relay
	NewTemplateQuiet      time.Duration // a template absent this long before onset is new
	LogBase, LogManyExtra float64       // a new error template of the alerting service alone
}{
	High: 0.7, HighMargin: 0.1, OnsetGrace: 2 * time.Minute,

	ReachFocus: 1, ReachDirect: 0.9, ReachChain: 0.9, ReachTransitive: 0.75, ReachDependent: 0.15, ReachUnconnected: 0.1,

	ChangeBase: 0.2, ChangeCloseness: 0.2, ChangeDecay: 45 * time.Minute, Skew: time.Minute,
	Horizon: 30 * time.Minute, SignalAfter: 0.2, Named: 0.2, OwnErrors: 0.15,
	AfterOnset: 0.3, AlreadyFailing: 0.3, NotDeploy: 0.95,

	DegradedBase: 0.25, LeadMin: 0.15, LeadExtra: 0.1, LeadScale: 5 * time.Minute, SameTime: 0.05,
	Linked: 0.1, NamedDep: 0.1, OwnTemplate: 0.05, AtMax: 0.1, Explains: 0.1, Relay: 0.6, UnknownMax: 0.7,
	RelayTolerance: time.Minute, NewTemplateQuiet: 10 * time.Minute,
	LogBase: 0.3, LogManyExtra: 0.05,
}

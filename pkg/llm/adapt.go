package llm

import (
	"errors"
	"strings"

	"github.com/bsai-dev/bsai/pkg/textutil"
)

// Servers say in a 400 what they will not take; a few of those are worth
// one automatic retry with the request adjusted, remembered for the rest of
// the process so later calls go right the first time:
//
//   - "Unsupported parameter: 'max_tokens' ... Use 'max_completion_tokens'"
//     (OpenAI and Azure reasoning models, whatever the deployment is called);
//   - "Unsupported value: 'temperature' ... Only the default (1)";
//   - a context-length error: the longest message is cut once and the call
//     retried, so a big catalog or evidence pack degrades instead of failing.
type adaptation int

const (
	adaptNone adaptation = iota
	adaptMaxCompletionTokens
	adaptNoTemperature
	adaptShrink
)

// adapt decides how to retry after err; shrunk says whether the context
// was already cut once for this call.
func (p *openAIProvider) adapt(err error, req Request, shrunk bool) adaptation {
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 400 {
		return adaptNone
	}
	m := strings.ToLower(ae.Message)
	switch {
	case strings.Contains(m, "max_tokens") && strings.Contains(m, "max_completion_tokens") && !p.maxCompletion.Load():
		p.maxCompletion.Store(true)
		return adaptMaxCompletionTokens
	case strings.Contains(m, "temperature") && (strings.Contains(m, "unsupported") || strings.Contains(m, "does not support")) &&
		req.Temperature != nil && !p.noTemperature.Load():
		p.noTemperature.Store(true)
		return adaptNoTemperature
	case contextTooLong(m) && !shrunk:
		if _, ok := shrink(req); ok {
			return adaptShrink
		}
	}
	return adaptNone
}

// adapting calls try with req and, while the server's error is one adapt
// knows, again with the adjusted request (the context cut at most once);
// the first success or the first error it cannot adapt to is returned.
func adapting[T any](p *openAIProvider, req Request, try func(Request) (T, error)) (T, error) {
	shrunk := false
	for {
		res, err := try(req)
		if err == nil {
			return res, nil
		}
		switch p.adapt(err, req, shrunk) {
		case adaptNone:
			return res, err
		case adaptShrink:
			req, _ = shrink(req)
			shrunk = true
		}
	}
}

// shrinkNote marks where a message was cut, so the model knows the data
// it sees is partial.
const shrinkNote = "\n[… cut to fit the model's context window]"

// shrink halves the longest message at a line boundary (cards, evidence
// and tool results are ordered best first, so the tail matters least).
// ok is false when nothing is long enough to be worth cutting.
func shrink(req Request) (Request, bool) {
	longest, n := -1, 0
	for i, m := range req.Messages {
		if len(m.Content) > n {
			longest, n = i, len(m.Content)
		}
	}
	if longest < 0 || n < 400 {
		return req, false
	}
	out := req
	out.Messages = append([]Message(nil), req.Messages...)
	c := out.Messages[longest].Content
	cut := n / 2
	if nl := strings.LastIndexByte(c[:cut], '\n'); nl > cut/2 {
		cut = nl
	}
	out.Messages[longest].Content = textutil.Truncate(c, cut, "") + shrinkNote
	return out, true
}

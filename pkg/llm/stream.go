package llm

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/bsai-dev/bsai/pkg/errs"
)

// Stream starts a streamed completion. Text deltas come from Recv; tool-call
// deltas are assembled into Response().Message.ToolCalls. Errors before the
// first byte are adapted to as in Generate.
func (p *openAIProvider) Stream(ctx context.Context, req Request) (Stream, error) {
	s, err := adapting(p, req, func(req Request) (Stream, error) { return p.stream(ctx, req) })
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (p *openAIProvider) stream(ctx context.Context, req Request) (Stream, error) {
	cr, err := p.chatRequest(req)
	if err != nil {
		return nil, err
	}
	cr.Stream = true
	if !p.noStreamOptions.Load() {
		cr.StreamOptions = &openai.StreamOptions{IncludeUsage: true}
	}
	sctx, cancel := context.WithCancel(ctx)
	// The watchdog cancels when the server goes quiet for longer than the
	// timeout (first byte or between chunks); a long answer may take longer
	// in total than one timeout.
	s := &openAIStream{p: p, ctx: ctx, cancel: cancel, calls: map[int]*ToolCall{}}
	s.idle = time.AfterFunc(p.cfg.Timeout, func() { s.timedOut.Store(true); cancel() })
	actx, info := withAttempts(sctx)
	st, err := p.client.CreateChatCompletionStream(actx, cr)
	if err != nil && cr.StreamOptions != nil && rejectsStreamOptions(p.mapError(ctx, "stream", err, info)) {
		p.noStreamOptions.Store(true)
		cr.StreamOptions = nil
		actx, info = withAttempts(sctx)
		st, err = p.client.CreateChatCompletionStream(actx, cr)
	}
	if err != nil {
		s.idle.Stop()
		cancel()
		if s.timedOut.Load() && ctx.Err() == nil {
			return nil, errs.Upstream("provider %s: stream timed out after %s", p.cfg.Name, p.cfg.Timeout)
		}
		return nil, p.mapError(ctx, "stream", err, info)
	}
	s.st = st
	s.idle.Reset(p.cfg.Timeout)
	return s, nil
}

type openAIStream struct {
	p        *openAIProvider
	ctx      context.Context
	cancel   context.CancelFunc
	st       *openai.ChatCompletionStream
	idle     *time.Timer
	timedOut atomic.Bool

	text    strings.Builder
	refusal strings.Builder
	calls   map[int]*ToolCall
	// remap sends later deltas of a reused index to the call that took it
	// over (see slot).
	remap  map[int]int
	order  []int
	args   map[int]*strings.Builder
	usage  Usage
	finish string
	done   bool
	err    error
}

func (s *openAIStream) Recv() (Chunk, error) {
	if s.err != nil {
		return Chunk{}, s.err
	}
	for {
		if err := s.ctx.Err(); err != nil {
			return s.fail(s.p.mapError(s.ctx, "stream", err, nil))
		}
		r, err := s.st.Recv()
		if errors.Is(err, io.EOF) {
			s.done = true
			s.idle.Stop()
			if ferr := s.p.emptyAnswer(s.text.String(), s.refusal.String(), s.finish, len(s.order)); ferr != nil {
				return s.fail(ferr)
			}
			s.err = io.EOF
			return Chunk{}, io.EOF
		}
		if err != nil {
			if s.timedOut.Load() && s.ctx.Err() == nil {
				return s.fail(errs.Upstream("provider %s: stream stalled for %s", s.p.cfg.Name, s.p.cfg.Timeout))
			}
			return s.fail(s.p.mapError(s.ctx, "stream", err, nil))
		}
		s.idle.Reset(s.p.cfg.Timeout)
		if r.Usage != nil {
			s.usage = fromUsage(*r.Usage)
		}
		var delta string
		for _, ch := range r.Choices {
			if ch.Index != 0 {
				continue
			}
			delta += ch.Delta.Content
			s.refusal.WriteString(ch.Delta.Refusal)
			if ch.FinishReason != "" {
				s.finish = string(ch.FinishReason)
			}
			for _, tc := range ch.Delta.ToolCalls {
				s.addToolDelta(s.slot(tc), tc)
			}
		}
		if delta != "" {
			s.text.WriteString(delta)
			return Chunk{Delta: delta}, nil
		}
	}
}

// slot picks which call a delta belongs to: its index when the server
// sends one (OpenAI, vLLM); otherwise the call with the same id, a new call
// for a new id, or the latest call for an id-less continuation.
//
// Ollama sends every call of a parallel batch with index 0 (ollama#15457):
// a new id at an index that already holds another call is a new call.
// Gemini sends no index at all, each call whole, which the id path covers.
func (s *openAIStream) slot(tc openai.ToolCall) int {
	if tc.Index != nil {
		idx := *tc.Index
		if m, ok := s.remap[idx]; ok {
			idx = m
		}
		if c, ok := s.calls[idx]; ok && tc.ID != "" && c.ID != "" && c.ID != tc.ID {
			n := s.nextSlot()
			if s.remap == nil {
				s.remap = map[int]int{}
			}
			s.remap[*tc.Index] = n
			return n
		}
		return idx
	}
	if tc.ID != "" {
		for _, idx := range s.order {
			if s.calls[idx].ID == tc.ID {
				return idx
			}
		}
		return s.nextSlot()
	}
	if len(s.order) > 0 {
		return s.order[len(s.order)-1]
	}
	return s.nextSlot()
}

func (s *openAIStream) nextSlot() int {
	n := 0
	for _, idx := range s.order {
		if idx >= n {
			n = idx + 1
		}
	}
	return n
}

func (s *openAIStream) addToolDelta(idx int, tc openai.ToolCall) {
	if s.args == nil {
		s.args = map[int]*strings.Builder{}
	}
	c, ok := s.calls[idx]
	if !ok {
		c = &ToolCall{}
		s.calls[idx] = c
		s.args[idx] = &strings.Builder{}
		s.order = append(s.order, idx)
	}
	if tc.ID != "" {
		c.ID = tc.ID
	}
	switch n := tc.Function.Name; {
	case n == "":
	case c.Name == "":
		c.Name = n
	case n == c.Name:
		// Some servers repeat the whole name in every delta.
	default:
		c.Name += n
	}
	s.args[idx].WriteString(tc.Function.Arguments)
}

func (s *openAIStream) fail(err error) (Chunk, error) {
	s.err = err
	s.idle.Stop()
	s.cancel()
	return Chunk{}, err
}

// Response is complete once Recv returned io.EOF; before that it holds what
// arrived so far.
func (s *openAIStream) Response() Response {
	msg := Message{Role: RoleAssistant, Content: s.text.String()}
	for i, idx := range s.order {
		c := *s.calls[idx]
		c.ID = callID(c.ID, i)
		c.Arguments = argsJSON(s.args[idx].String())
		msg.ToolCalls = append(msg.ToolCalls, c)
	}
	u := s.usage
	if u.Calls == 0 {
		u.Calls = 1
	}
	return Response{Message: msg, Usage: u, FinishReason: s.finish}
}

func (s *openAIStream) Close() error {
	s.idle.Stop()
	s.cancel()
	if s.st != nil {
		return s.st.Close()
	}
	return nil
}

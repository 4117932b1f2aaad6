package llmtest

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/bsai-dev/bsai/pkg/llm"
)

// Reply is one scripted answer. The server picks replies in order, one per
// request. A chat Reply is sent as a JSON completion, or as an SSE stream
// when the request asked for stream: true, so the same script serves
// Generate and Stream.
type Reply struct {
	// Status is the HTTP status (default 200).
	Status int
	// Header is added to the response (e.g. Retry-After).
	Header map[string]string
	// Body, when set, is sent verbatim instead of a generated body
	// (malformed JSON, custom error shapes).
	Body string

	// Text is the assistant message content.
	Text string
	// Chunks, when set, are the exact stream deltas (default: Text split
	// into words).
	Chunks []string
	// ToolCalls are tool calls the model makes.
	ToolCalls []llm.ToolCall
	// Usage reported (default 10 prompt + 5 completion tokens).
	Usage *llm.Usage
	// FinishReason (default "stop", or "tool_calls" with ToolCalls).
	FinishReason string
	// Refusal is an assistant refusal (content empty).
	Refusal string

	// Embeddings answers /embeddings (one vector per input).
	Embeddings [][]float32

	// Hang makes a stream send its chunks and then block until the client
	// goes away (cancellation tests); for a non-stream request the server
	// blocks before answering.
	Hang bool
	// StreamError, when set, is sent as an error event after the chunks.
	StreamError string

	// Drop closes the connection without answering (a connection reset
	// as far as the client can tell).
	Drop bool

	// Func computes the reply from the request (echo servers, asserting
	// on the conversation so far). It overrides everything else.
	Func func(Request) Reply
}

// WithUsage returns r reporting the given token counts.
func (r Reply) WithUsage(prompt, completion int) Reply {
	r.Usage = &llm.Usage{PromptTokens: prompt, CompletionTokens: completion, TotalTokens: prompt + completion}
	return r
}

// WithHeader returns r with a response header added.
func (r Reply) WithHeader(k, v string) Reply {
	h := map[string]string{}
	for a, b := range r.Header {
		h[a] = b
	}
	h[k] = v
	r.Header = h
	return r
}

// Text replies with assistant text.
func Text(s string) Reply { return Reply{Text: s} }

// Stream replies with exactly these stream deltas (joined for non-stream
// requests).
func Stream(chunks ...string) Reply {
	r := Reply{Chunks: chunks}
	for _, c := range chunks {
		r.Text += c
	}
	return r
}

// Hanging streams chunks and then stalls until the client disconnects.
func Hanging(chunks ...string) Reply {
	r := Stream(chunks...)
	r.Hang = true
	return r
}

// JSON replies with v marshalled as the assistant content (what a model
// sends for response_format json_schema). It panics if v cannot be
// marshalled, which is a bug in the test.
func JSON(v any) Reply {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("llmtest.JSON: %v", err))
	}
	return Reply{Text: string(b)}
}

// Call builds a tool call; args is a JSON object as text ("" = {}).
func Call(id, name, args string) llm.ToolCall {
	if args == "" {
		args = "{}"
	}
	return llm.ToolCall{ID: id, Name: name, Arguments: json.RawMessage(args)}
}

// ToolCalls replies with the model calling tools.
func ToolCalls(calls ...llm.ToolCall) Reply { return Reply{ToolCalls: calls} }

// ToolCall replies with one tool call (id "call_<name>").
func ToolCall(name, args string) Reply { return ToolCalls(Call("call_"+name, name, args)) }

// Embeddings replies to an /embeddings request.
func Embeddings(vecs ...[]float32) Reply { return Reply{Embeddings: vecs} }

// Error replies with an OpenAI-style error body.
func Error(status int, message string) Reply {
	return ErrorParam(status, message, "")
}

// ErrorParam is Error with the "param" field set.
func ErrorParam(status int, message, param string) Reply {
	e := map[string]any{"message": message, "type": errType(status)}
	if param != "" {
		e["param"] = param
	}
	b, _ := json.Marshal(map[string]any{"error": e})
	return Reply{Status: status, Body: string(b), Header: map[string]string{"Content-Type": "application/json"}}
}

func errType(status int) string {
	switch {
	case status == 401:
		return "invalid_request_error"
	case status == 429:
		return "rate_limit_error"
	case status >= 500:
		return "server_error"
	}
	return "invalid_request_error"
}

// RateLimited is a 429 with Retry-After (seconds or an HTTP date; "" = none).
func RateLimited(retryAfter string) Reply {
	r := Error(http.StatusTooManyRequests, "rate limit reached for requests")
	if retryAfter != "" {
		r = r.WithHeader("Retry-After", retryAfter)
	}
	return r
}

// ServerError is a 500.
func ServerError() Reply { return Error(http.StatusInternalServerError, "the server had an error") }

// Unauthorized is a 401 that echoes part of the key as OpenAI does.
func Unauthorized() Reply {
	return Error(http.StatusUnauthorized, "Incorrect API key provided: "+APIKey+". You can find your API key at https://platform.openai.com/account/api-keys.")
}

// Malformed is a 200 whose body is not valid JSON.
func Malformed() Reply {
	return Reply{Status: 200, Body: `{"id":"chatcmpl-broken","choices":[{"message":{"role":"assistant","content":"unterminated`,
		Header: map[string]string{"Content-Type": "application/json"}}
}

// RejectResponseFormat is the 400 a server without structured output
// support gives for response_format json_schema.
func RejectResponseFormat() Reply {
	return ErrorParam(http.StatusBadRequest, "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.", "response_format")
}

// Dropped closes the connection without a response.
func Dropped() Reply { return Reply{Drop: true} }

// Func replies with whatever fn returns for the request.
func Func(fn func(Request) Reply) Reply { return Reply{Func: fn} }

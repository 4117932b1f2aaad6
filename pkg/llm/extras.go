package llm

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sync"
)

// toolExtras carries vendor data attached to a tool call back to the
// vendor with that call. Gemini's OpenAI-compatible endpoint puts a
// thought signature on tool calls (extra_content.google.thought_signature)
// and rejects the next request with 400 "Function call is missing a
// thought_signature" unless the assistant message carries it again.
// go-openai has no field for it, so the HTTP layer keeps it: it watches
// successful responses for tool calls with extra_content, by call id, and
// puts it back on outgoing assistant tool calls with the same id.
type toolExtras struct {
	mu    sync.Mutex
	byID  map[string]json.RawMessage
	order []string
}

// maxWatch bounds how much of one response is kept to look for extras.
const maxWatch = 4 << 20

// maxExtras bounds how many calls' extras are remembered.
const maxExtras = 256

func (t *toolExtras) watch(resp *http.Response) {
	resp.Body = &watchBody{ReadCloser: resp.Body, t: t}
}

type watchBody struct {
	io.ReadCloser
	t    *toolExtras
	buf  bytes.Buffer
	full bool
	done bool
}

func (w *watchBody) Read(p []byte) (int, error) {
	n, err := w.ReadCloser.Read(p)
	if !w.full {
		if w.buf.Len()+n > maxWatch {
			w.full = true
			w.buf.Reset()
		} else {
			w.buf.Write(p[:n])
		}
	}
	if err == io.EOF && !w.done {
		w.done = true
		if !w.full {
			w.t.scan(w.buf.Bytes())
		}
	}
	return n, err
}

// scan records extras from a JSON body or an SSE stream of JSON events.
func (t *toolExtras) scan(b []byte) {
	if !bytes.Contains(b, []byte(`"extra_content"`)) {
		return
	}
	type call struct {
		ID           string          `json:"id"`
		ExtraContent json.RawMessage `json:"extra_content"`
	}
	type choice struct {
		Message struct {
			ToolCalls []call `json:"tool_calls"`
		} `json:"message"`
		Delta struct {
			ToolCalls []call `json:"tool_calls"`
		} `json:"delta"`
	}
	var docs [][]byte
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) {
		docs = append(docs, b)
	} else {
		for _, line := range bytes.Split(b, []byte("\n")) {
			if d, ok := bytes.CutPrefix(bytes.TrimSpace(line), []byte("data:")); ok {
				docs = append(docs, bytes.TrimSpace(d))
			}
		}
	}
	for _, d := range docs {
		var v struct {
			Choices []choice `json:"choices"`
		}
		if json.Unmarshal(d, &v) != nil {
			continue
		}
		for _, c := range v.Choices {
			for _, tc := range append(c.Message.ToolCalls, c.Delta.ToolCalls...) {
				if tc.ID != "" && len(tc.ExtraContent) > 0 && string(tc.ExtraContent) != "null" {
					t.put(tc.ID, tc.ExtraContent)
				}
			}
		}
	}
}

func (t *toolExtras) put(id string, extra json.RawMessage) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.byID == nil {
		t.byID = map[string]json.RawMessage{}
	}
	if _, ok := t.byID[id]; !ok {
		t.order = append(t.order, id)
	}
	t.byID[id] = append(json.RawMessage(nil), extra...)
	for len(t.order) > maxExtras {
		delete(t.byID, t.order[0])
		t.order = t.order[1:]
	}
}

// restore adds remembered extras to the assistant tool calls of an
// outgoing chat request body; any other body is returned as it is.
func (t *toolExtras) restore(body []byte) []byte {
	t.mu.Lock()
	n := len(t.byID)
	t.mu.Unlock()
	if n == 0 || !bytes.Contains(body, []byte(`"tool_calls"`)) {
		return body
	}
	var req map[string]any
	if json.Unmarshal(body, &req) != nil {
		return body
	}
	msgs, _ := req["messages"].([]any)
	changed := false
	t.mu.Lock()
	for _, m := range msgs {
		mm, _ := m.(map[string]any)
		calls, _ := mm["tool_calls"].([]any)
		for _, c := range calls {
			cm, _ := c.(map[string]any)
			id, _ := cm["id"].(string)
			if extra, ok := t.byID[id]; ok && cm["extra_content"] == nil {
				cm["extra_content"] = json.RawMessage(extra)
				changed = true
			}
		}
	}
	t.mu.Unlock()
	if !changed {
		return body
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if enc.Encode(req) != nil {
		return body
	}
	return bytes.TrimRight(out.Bytes(), "\n")
}

package llm

import (
	"encoding/json"
	"strings"
)

// vendorMessage pulls the human-readable message out of an error body in
// the shapes OpenAI-compatible servers really send, so the user sees the
// vendor's sentence rather than raw JSON:
//
//	{"error":{"message":"...","type":"...","code":"..."}}   OpenAI, Azure, Ollama, Anthropic
//	[{"error":{"code":400,"message":"...","status":"..."}}]  Gemini (a JSON array)
//	{"object":"error","message":"...","type":"BadRequestError"} vLLM
//	{"error":"..."}                                          LM Studio, vLLM auth
//	{"type":"error","error":{"type":"...","message":"..."}}  Anthropic's native envelope
//
// ok is false when the body is none of them.
func vendorMessage(body []byte) (msg string, ok bool) {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return "", false
	}
	if arr, isArr := v.([]any); isArr && len(arr) > 0 {
		v = arr[0]
	}
	obj, _ := v.(map[string]any)
	if obj == nil {
		return "", false
	}
	switch e := obj["error"].(type) {
	case string:
		return e, e != ""
	case map[string]any:
		m, _ := e["message"].(string)
		if st, _ := e["status"].(string); st != "" && m != "" {
			m += " (" + st + ")"
		}
		return m, m != ""
	}
	if m, _ := obj["message"].(string); m != "" {
		return m, true
	}
	if d, _ := obj["detail"].(string); d != "" { // FastAPI-style servers
		return d, true
	}
	return "", false
}

// authFailure reports a rejected key that a vendor answers with a status
// other than 401/403: Gemini says 400 API_KEY_INVALID.
func authFailure(status int, body string) bool {
	if status != 400 {
		return false
	}
	return strings.Contains(body, "API_KEY_INVALID") || strings.Contains(strings.ToLower(body), "api key not valid")
}

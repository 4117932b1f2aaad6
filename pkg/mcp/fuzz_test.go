package mcp

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"
)

// The fuzz targets cover what bsai itself does with a server's messages:
// argument parsing and coercion against the server's inputSchema, result
// rendering, and the framing caps in front of mcp-go's readers. Seeds are
// the hostile cases the hardening tests use. Run one for ~30 s locally:
//
//	go test ./pkg/mcp -run '^$' -fuzz FuzzToolArgs -fuzztime 30s

// FuzzToolArgs: a tools/list entry (any JSON) and k=v pairs (one per line)
// through Params, ParamsSummary, ParseKV and ValidateArgs. Never a panic or
// a hang; parsed arguments have exactly the keys given.
func FuzzToolArgs(f *testing.F) {
	for _, s := range []struct{ tool, kv string }{
		{`{"name":"get-sum","inputSchema":{"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"}},"required":["a","b"]}}`, "a=1\nb=2"},
		{`{"name":"t","inputSchema":{"type":"object","properties":{"a":{"$ref":"file:///dev/zero"}}}}`, "a=1"},
		{`{"name":"t","inputSchema":{"type":"object","properties":{"a":{"$ref":"#"}}}}`, "a={}"},
		{`{"name":"t","inputSchema":{"type":"object","properties":{"a":{"type":["integer","null"]}}}}`, "a=1e400\na=null"},
		{`{"name":"t","inputSchema":{"type":"object","properties":{"a":{"type":"array","items":{"type":"object"}}}}}`, "a=[[[[[[[[[[]]]]]]]]]]"},
		{`{"name":"t","inputSchema":{"type":"object","properties":{"a":{"type":"string","pattern":"(a+)+$"}}}}`, "a=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"},
		{`{"name":"t","inputSchema":{"type":"hologram","required":["x","x"]}}`, "=x\nx"},
		{`{"name":"t","inputSchema":{"type":"object","properties":{"a":{"type":"boolean"}}},"annotations":{"title":"\u001b]0;pwned\u0007"}}`, "a=yes"},
		{`{"name":"t","inputSchema":{"$schema":"http://example.com/remote","type":"object"}}`, "a=1"},
	} {
		f.Add(s.tool, s.kv)
	}
	f.Fuzz(func(t *testing.T, toolJSON, kv string) {
		var tool mcp.Tool
		if json.Unmarshal([]byte(toolJSON), &tool) != nil {
			return
		}
		_ = Params(tool)
		_ = ParamsSummary(tool)
		var pairs []string
		if kv != "" {
			pairs = strings.Split(kv, "\n")
		}
		args, err := ParseKV(tool, pairs)
		if err != nil {
			return
		}
		for k := range args {
			found := false
			for _, p := range pairs {
				if strings.HasPrefix(p, k+"=") {
					found = true
				}
			}
			if !found {
				t.Fatalf("argument %q was never given", k)
			}
		}
		_ = ValidateArgs(tool, args)
	})
}

// FuzzRenderResult: a tools/call result (any JSON) parsed as mcp-go does and
// rendered for people and as -o json. Never a panic; text output ends each
// content with one newline.
func FuzzRenderResult(f *testing.F) {
	for _, s := range []string{
		`{"content":[{"type":"text","text":"hello"}]}`,
		`{"content":[{"type":"hologram","data":1}]}`,
		`{"content":[{"type":"image","data":"=","mimeType":"image/png"},{"type":"audio","data":"AA==","mimeType":""}]}`,
		`{"content":[{"type":"resource","resource":{"uri":"file:///x","blob":"===="}}]}`,
		`{"content":[{"type":"resource_link","uri":"\u001b[2J","name":"\u0007"}],"isError":true}`,
		`{"content":[],"structuredContent":{"a":[1,2,{"b":null}]}}`,
		`{"content":null,"structuredContent":"` + strings.Repeat("x", 1000) + `"}`,
		`{"content":[{"type":"text","text":"a\nb\n\n"}],"_meta":{"progressToken":1}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		msg := json.RawMessage(raw)
		res, err := mcp.ParseCallToolResult(&msg)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := WriteResult(&buf, res); err != nil {
			t.Fatal(err)
		}
		if out := buf.String(); len(res.Content) > 0 && !strings.HasSuffix(out, "\n") {
			t.Fatalf("text output %q does not end with a newline", out)
		}
		if _, err := json.Marshal(ToResultJSON(res)); err != nil {
			t.Fatalf("-o json: %v", err)
		}
	})
}

// FuzzLineCap: the stdio framing cap. Whatever the stream, no line handed
// on is longer than the cap; a stream whose lines all fit passes through
// unchanged; one that has a longer line trips the cap.
func FuzzLineCap(f *testing.F) {
	f.Add([]byte(`{"jsonrpc":"2.0","id":1,"result":{}}`+"\n"), uint16(64))
	f.Add([]byte(strings.Repeat("x", 5000)), uint16(100))
	f.Add([]byte("a\nbb\nccc\r\n\n\n"), uint16(2))
	f.Add([]byte("\n\n\n"), uint16(0))
	f.Fuzz(func(t *testing.T, data []byte, max16 uint16) {
		max := int64(max16)
		tl := &tooLarge{limit: max, id: "fuzz"}
		r := bufio.NewReaderSize(&lineCapReader{r: iotestHalf(bytes.NewReader(data)), max: max, tl: tl}, 16)
		var got []byte
		for {
			line, err := r.ReadBytes('\n')
			if int64(len(bytes.TrimSuffix(line, []byte("\n")))) > max {
				t.Fatalf("line of %d bytes passed a %d-byte cap", len(line), max)
			}
			got = append(got, line...)
			if err != nil {
				break
			}
		}
		tooLong := false
		for _, l := range bytes.Split(data, []byte("\n")) {
			if int64(len(l)) > max {
				tooLong = true
			}
		}
		if tooLong != (tl.get() != nil) {
			t.Fatalf("over the cap: %v, tripped: %v", tooLong, tl.get() != nil)
		}
		if !tooLong && !bytes.Equal(got, data) {
			t.Fatalf("stream changed: %q -> %q", data, got)
		}
	})
}

// FuzzEventCap: the SSE body cap counts the bytes of one event (up to a
// blank line); a body whose events all fit passes unchanged.
func FuzzEventCap(f *testing.F) {
	f.Add([]byte("event: message\ndata: {}\n\n"), uint16(30))
	f.Add([]byte("data: "+strings.Repeat("x", 300)+"\n\ndata: y\n\n"), uint16(100))
	f.Add([]byte("data: a\r\n\r\ndata: b\r\n\r\n"), uint16(12))
	f.Fuzz(func(t *testing.T, data []byte, max16 uint16) {
		max := int64(max16)
		tl := &tooLarge{limit: max, id: "fuzz"}
		b := &capBody{rc: io.NopCloser(iotestHalf(bytes.NewReader(data))), max: max, tl: tl, events: true}
		got, err := io.ReadAll(b)
		longest, cur, line := int64(0), int64(0), int64(0)
		for _, ch := range data {
			cur++
			switch ch {
			case '\n':
				if line == 0 {
					cur = 0
				}
				line = 0
			case '\r':
			default:
				line++
			}
			longest = max64(longest, cur)
		}
		if longest > max {
			if err == nil || tl.get() == nil {
				t.Fatalf("an event of %d bytes passed a %d-byte cap", longest, max)
			}
			return
		}
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("body changed (%v): %q -> %q", err, data, got)
		}
	})
}

func max64(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

// iotestHalf reads at most half of what is asked, to exercise short reads.
func iotestHalf(r io.Reader) io.Reader { return halfReader{r} }

type halfReader struct{ r io.Reader }

func (h halfReader) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:(len(p)+1)/2]
	}
	return h.r.Read(p)
}

// FuzzLineBuffer: server stderr split for -v and redaction. Whatever the
// writes, no emitted piece is longer than maxPartialLine and the pieces
// (newlines back where they were) are the input.
func FuzzLineBuffer(f *testing.F) {
	f.Add([]byte("a\nbb\n\nccc"), uint8(1))
	f.Add([]byte(strings.Repeat("x", 3*maxPartialLine+5)), uint8(7))
	f.Add([]byte("\r\n\x1b]0;t\x07\n"), uint8(0))
	// A chunk whose newline comes after a full piece's worth (used to emit a
	// piece longer than maxPartialLine).
	f.Add([]byte(strings.Repeat("x", maxPartialLine+16)+"\n"), uint8(255))
	f.Fuzz(func(t *testing.T, data []byte, step uint8) {
		var got bytes.Buffer
		l := &lineBuffer{emit: func(line []byte, whole bool) error {
			if len(line) > maxPartialLine {
				t.Fatalf("piece of %d bytes", len(line))
			}
			got.Write(line)
			if whole {
				got.WriteByte('\n')
			}
			return nil
		}}
		n := int(step) + 1
		for i := 0; i < len(data); i += n {
			if _, err := l.Write(data[i:min(i+n, len(data))]); err != nil {
				t.Fatal(err)
			}
		}
		partial := len(data) > 0 && data[len(data)-1] != '\n'
		_ = l.Close()
		want := append([]byte(nil), data...)
		if partial && bytes.LastIndexByte(data, '\n') != len(data)-1 {
			want = append(want, '\n') // Close ends the last line
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("%q -> %q", data, got.Bytes())
		}
	})
}

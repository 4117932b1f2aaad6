package source

import (
	"cmp"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/bsai-dev/bsai/pkg/boundedio"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bsai-dev/bsai/pkg/textutil"
)

// LogLine is one log record after parsing, whatever its source.
type LogLine struct {
	Time   time.Time
	Entity string // scope ref
	Level  string
	Msg    string
}

// jsonLog accepts the field names common log shippers use.
type jsonLog struct {
	Time      time.Time `json:"time"`
	TS        time.Time `json:"ts"`
	Timestamp time.Time `json:"timestamp"`
	Service   string    `json:"service"`
	Entity    string    `json:"entity"`
	App       string    `json:"app"`
	Level     string    `json:"level"`
	Severity  string    `json:"severity"`
	Msg       string    `json:"msg"`
	Message   string    `json:"message"`
	Line      string    `json:"line"`
	Error     string    `json:"error"`
}

var reErr = regexp.MustCompile(`(?i)\b(error|errors|exception|panic|fatal|failed|failure|timeout|timed out|refused|unavailable)\b`)

// Mask turns a log message into its template in one pass over the bytes:
// every word (letters, digits, _ - and inner dots) that carries a digit —
// numbers, uuids, IPs, hex and ids like pay_123 — and every pure-hex word of
// 8+ characters becomes <*> (one placeholder, as in Drain: "1234" and
// "1a2f" in the same slot are the same kind of id). Short names with a
// version-like digit suffix (v1, x509, sha256, http2) are kept.
func Mask(msg string) string {
	var b strings.Builder
	b.Grow(len(msg))
	space := false
	for i := 0; i < len(msg); {
		c := msg[i]
		if isWordByte(c) {
			j := i
			for j < len(msg) && (isWordByte(msg[j]) || (msg[j] == '.' && j+1 < len(msg) && isWordByte(msg[j+1]) && j > i)) {
				j++
			}
			w := msg[i:j]
			if space {
				b.WriteByte(' ')
				space = false
			}
			if maskWord(w) {
				b.WriteString("<*>")
			} else {
				b.WriteString(w)
			}
			i = j
			continue
		}
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			space = b.Len() > 0
			i++
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteByte(c)
		i++
	}
	out := b.String()
	return textutil.Truncate(out, 200, "…")
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

func maskWord(w string) bool {
	digits, letters, hex := 0, 0, true
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F':
			letters++
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letters++
			hex = false
		default:
			hex = false
		}
	}
	if digits == 0 {
		return hex && len(w) >= 8
	}
	// letters (one beyond a-f) then 1-3 digits, short: a name (v1, x509,
	// sha256, http2), not an id.
	if len(w) <= 8 && digits <= 3 && letters > 0 {
		k, nonHex := 0, false
		for k < len(w) && (w[k] < '0' || w[k] > '9') {
			c := w[k]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
				return true
			}
			nonHex = nonHex || (c|0x20) > 'f'
			k++
		}
		if !nonHex {
			return true // "abc12" reads as hex
		}
		for m := k; m < len(w); m++ {
			if w[m] < '0' || w[m] > '9' {
				return true
			}
		}
		return k == 0
	}
	return true
}

// TemplateID is a short stable id of an entity's template.
func TemplateID(entity, tpl string) string {
	h := sha1.Sum([]byte(RefName(entity) + "|" + tpl))
	return "tpl-" + hex.EncodeToString(h[:])[:8]
}

// IsErrorLine says whether a line counts as an error.
func IsErrorLine(level, msg string) bool {
	switch strings.ToLower(level) {
	case "error", "err", "fatal", "critical", "crit", "panic", "alert", "emerg":
		return true
	case "info", "debug", "trace":
		return false
	}
	return reErr.MatchString(msg)
}

// GroupTemplates groups error lines into templates and turns them into
// evidence, most frequent first, at most perEntity per entity.
func GroupTemplates(lines []LogLine, source, link string, perEntity int) []Evidence {
	type key struct{ ent, tpl string }
	m := map[key]*Template{}
	for _, l := range lines {
		if !IsErrorLine(l.Level, l.Msg) {
			continue
		}
		tpl := Mask(l.Msg)
		k := key{l.Entity, tpl}
		t := m[k]
		if t == nil {
			t = &Template{ID: TemplateID(l.Entity, tpl), Entity: l.Entity, Text: tpl, Example: l.Msg, First: l.Time, Last: l.Time, Level: l.Level}
			m[k] = t
		}
		t.Count++
		t.Times = append(t.Times, l.Time)
		if l.Time.Before(t.First) {
			t.First = l.Time
		}
		if l.Time.After(t.Last) {
			t.Last = l.Time
		}
	}
	byEnt := map[string][]*Template{}
	for _, t := range m {
		sort.Slice(t.Times, func(i, j int) bool { return t.Times[i].Before(t.Times[j]) })
		byEnt[t.Entity] = append(byEnt[t.Entity], t)
	}
	ents := make([]string, 0, len(byEnt))
	for e := range byEnt {
		ents = append(ents, e)
	}
	sort.Strings(ents)
	var out []Evidence
	for _, e := range ents {
		ts := byEnt[e]
		sort.Slice(ts, func(i, j int) bool {
			if ts[i].Count != ts[j].Count {
				return ts[i].Count > ts[j].Count
			}
			return ts[i].ID < ts[j].ID
		})
		if perEntity > 0 && len(ts) > perEntity {
			ts = ts[:perEntity]
		}
		for _, t := range ts {
			out = append(out, Evidence{Source: source, Kind: KindLogTemplate, Time: tp(t.First), Entity: t.Entity,
				Detail: fmt.Sprintf("%s log template %s ×%d from %s to %s: %q", RefName(t.Entity), t.ID, t.Count,
					t.First.UTC().Format("15:04:05"), t.Last.UTC().Format("15:04:05"), t.Text),
				Link: link, Template: t})
		}
	}
	return out
}

// LogFileSource reads JSONL log files.
type LogFileSource struct {
	Files []string
	Limit boundedio.Limit // per file; zero = boundedio's input default
}

func (l *LogFileSource) Name() string { return "logs" }

func (l *LogFileSource) Collect(ctx context.Context, s Scope) ([]Evidence, error) {
	var out []Evidence
	err := readEach(ctx, l.Files, l.Limit, "logs", func(f string, b []byte) error {
		lines, err := ParseLogLines(b, s)
		out = append(out, GroupTemplates(lines, "logs", f, 20)...)
		if err != nil {
			return fmt.Errorf("logs %s: %w", f, err)
		}
		return nil
	})
	return out, err
}

// ParseLogLines reads JSONL records of scope entities inside the window.
// Lines that are not JSON are skipped and counted (*BadLines); the records
// read are still returned.
func ParseLogLines(b []byte, s Scope) ([]LogLine, error) {
	var out []LogLine
	err := eachJSONL(b, func(n int, line []byte) error {
		var j jsonLog
		if err := json.Unmarshal(line, &j); err != nil {
			return err
		}
		t := firstTime(j.Time, j.TS, j.Timestamp)
		if t.Before(s.Start) || t.After(s.End) {
			return nil
		}
		ent := s.EntityFor(cmp.Or(j.Service, j.Entity, j.App))
		if ent == "" {
			ent = s.EntityFor(RefName(cmp.Or(j.Entity, j.Service)))
		}
		if ent == "" {
			return nil
		}
		out = append(out, LogLine{Time: t, Entity: ent, Level: cmp.Or(j.Level, j.Severity),
			Msg: cmp.Or(j.Msg, j.Message, j.Line, j.Error)})
		return nil
	})
	return out, err
}

// LokiResponse is the Loki query_range envelope for streams.
type LokiResponse struct {
	Status string `json:"status"`
	Data   struct {
		ResultType string `json:"resultType"`
		Result     []struct {
			Stream map[string]string `json:"stream"`
			Values [][2]string       `json:"values"` // [unix ns, line]
		} `json:"result"`
	} `json:"data"`
}

// LokiSource queries Loki for each scope entity's error lines.
type LokiSource struct {
	URL      string
	Query    string // LogQL with {{.Service}}
	Limit    int
	Token    string
	TenantID string
	HTTP     *http.Client
}

// DefaultLokiQuery selects a service's error-looking lines.
const DefaultLokiQuery = `{service="{{.Service}}"} |~ "(?i)(error|exception|fatal|panic|refused|timeout)"`

func (l *LokiSource) Name() string { return "loki" }

func (l *LokiSource) Collect(ctx context.Context, s Scope) ([]Evidence, error) {
	q := l.Query
	if q == "" {
		q = DefaultLokiQuery
	}
	var lines []LogLine
	for _, ent := range s.Entities {
		lq, err := renderQuery(q, s.ServiceName(ent), ent)
		if err != nil {
			return nil, fmt.Errorf("loki query: %w", err)
		}
		ls, err := l.QueryLines(ctx, lq, s, ent)
		if err != nil {
			return nil, fmt.Errorf("loki for %s: %w", ent, err)
		}
		lines = append(lines, ls...)
	}
	return GroupTemplates(lines, "loki", strings.TrimRight(l.URL, "/"), 20), nil
}

// QueryLines runs one LogQL query over the scope's window; lines are
// attributed to ent (or, when ent is "", to the stream's service label).
func (l *LokiSource) QueryLines(ctx context.Context, q string, s Scope, ent string) ([]LogLine, error) {
	limit := l.Limit
	if limit <= 0 {
		limit = 2000
	}
	var headers map[string]string
	if l.TenantID != "" {
		headers = map[string]string{"X-Scope-OrgID": l.TenantID}
	}
	v := url.Values{}
	v.Set("query", q)
	v.Set("start", strconv.FormatInt(s.Start.UnixNano(), 10))
	v.Set("end", strconv.FormatInt(s.End.UnixNano(), 10))
	v.Set("limit", strconv.Itoa(limit))
	v.Set("direction", "forward")
	var lr LokiResponse
	if err := getJSON(ctx, l.HTTP, strings.TrimRight(l.URL, "/")+"/loki/api/v1/query_range?"+v.Encode(), l.Token, headers, &lr); err != nil {
		return nil, err
	}
	var lines []LogLine
	for _, st := range lr.Data.Result {
		who := ent
		if who == "" {
			who = cmp.Or(s.EntityFor(cmp.Or(st.Stream["service"], st.Stream["app"], st.Stream["job"])), st.Stream["service"], "query")
		}
		for _, val := range st.Values {
			ns, err := strconv.ParseInt(val[0], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("bad timestamp %q", val[0])
			}
			level, msg := st.Stream["level"], val[1]
			// Structured lines carry their own level and message.
			var j jsonLog
			if strings.HasPrefix(msg, "{") && json.Unmarshal([]byte(msg), &j) == nil {
				level = cmp.Or(j.Level, j.Severity, level)
				msg = cmp.Or(j.Msg, j.Message, j.Error, msg)
			}
			lines = append(lines, LogLine{Time: time.Unix(0, ns).UTC(), Entity: who, Level: level, Msg: msg})
		}
	}
	return lines, nil
}

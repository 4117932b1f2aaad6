package action

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/incident/source"
)

// Question is the co-pilot prompt for one plan item: what it is for and
// exactly what it will do, with its inputs resolved (the template and its
// values, the tool and its arguments, the host it posts to), so the yes is
// given to the real call, not to an action's name. Inputs are the redacted
// ones (a webhook URL shows its host only); every value is made printable
// and clipped, because they come from evidence (deploy records, logs).
func Question(p PlanItem, a config.IncidentAction, in map[string]any) string {
	var does string
	switch a.Type {
	case "scaffolder":
		does = fmt.Sprintf("start scaffolder template %s with %s", str(in["templateRef"]), kv(in["values"]))
	case "mcp":
		does = fmt.Sprintf("call MCP tool %s/%s with %s", str(in["server"]), str(in["tool"]), kv(in["args"]))
	case "webhook":
		does = fmt.Sprintf("POST to %s: %q", str(in["url"]), source.Clip(str(in["text"]), 120))
	case "page":
		does = fmt.Sprintf("page the on-call of %s via %s: %q", str(in["service"]), str(in["url"]), source.Clip(str(in["text"]), 120))
	default:
		does = a.Type + " " + kv(in)
	}
	q := fmt.Sprintf("Run %q? It will %s.", p.Action, does)
	if p.Reason != "" {
		q += "\n  Why: " + source.Clip(p.Reason, 200)
	}
	return q + "\n  Run it?"
}

func str(v any) string {
	s, _ := v.(string)
	if s == "" && v != nil {
		s = fmt.Sprint(v)
	}
	return source.Clip(s, 160)
}

// kv renders a map as sorted k=v pairs ("no inputs" when empty).
func kv(v any) string {
	m, _ := v.(map[string]any)
	if len(m) == 0 {
		return "no inputs"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = source.Clip(k, 40) + "=" + str(m[k])
	}
	return strings.Join(parts, ", ")
}

package config

import (
	"encoding/json"
	"fmt"
	"time"
)

// Duration accepts "30s"/"2m" strings, a number of milliseconds, or
// Backstage's HumanDuration object ({minutes: 2, seconds: 30}).
type Duration struct{ time.Duration }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch t := v.(type) {
	case nil:
		d.Duration = 0
	case float64:
		d.Duration = time.Duration(t * float64(time.Millisecond))
	case string:
		x, err := time.ParseDuration(t)
		if err != nil {
			return fmt.Errorf("invalid duration %q (use e.g. 30s, 2m)", t)
		}
		d.Duration = x
	case map[string]any:
		units := map[string]time.Duration{
			"milliseconds": time.Millisecond, "seconds": time.Second, "minutes": time.Minute,
			"hours": time.Hour, "days": 24 * time.Hour,
		}
		var total time.Duration
		for k, val := range t {
			u, ok := units[k]
			n, isNum := val.(float64)
			if !ok || !isNum {
				return fmt.Errorf("invalid duration field %q", k)
			}
			total += time.Duration(n * float64(u))
		}
		d.Duration = total
	default:
		return fmt.Errorf("invalid duration %v", v)
	}
	return nil
}

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

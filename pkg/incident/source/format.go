package source

import (
	"math"
	"strconv"
	"strings"
)

// IsRatio reports whether the series reads as a fraction of a whole (an
// error ratio, a pool's utilisation): every sample in [0, 1] and a class
// or name that says so. Latency in seconds can sit in [0, 1] too, so it
// never counts, nor does a series with a known maximum above 1 (a count of
// connections against max_connections).
func (s *Signal) IsRatio() bool {
	if s == nil || len(s.Points) == 0 || s.Class == "latency" || s.Max > 1 {
		return false
	}
	for _, p := range s.Points {
		if p.V < 0 || p.V > 1 || math.IsNaN(p.V) {
			return false
		}
	}
	if s.Class == "errors" || s.Class == "saturation" {
		return true
	}
	n := strings.ToLower(s.Name)
	for _, w := range []string{"ratio", "util", "percent", "fraction", "rate"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// Format prints a value of the series for people: ratios as percentages
// ("0.4%", "35%"), anything else with 4 significant digits.
func (s *Signal) Format(v float64) string {
	if s.IsRatio() {
		return Percent(v)
	}
	return FormatValue(v)
}

// Rise is "0.4% → 35%": the baseline and the peak.
func (s *Signal) Rise() string {
	return s.Format(s.Baseline) + " → " + s.Format(s.Peak)
}

// Percent prints a fraction as a percentage with the precision its size
// needs: 0.35 → "35%", 0.0123 → "1.2%", 0.002014 → "0.2%", 0.00004 → "0.004%".
func Percent(f float64) string {
	p := f * 100
	var s string
	switch a := math.Abs(p); {
	case a == 0:
		return "0%"
	case a >= 10:
		s = strconv.FormatFloat(p, 'f', 0, 64)
	case a >= 0.1:
		s = strconv.FormatFloat(p, 'f', 1, 64)
	default:
		s = strconv.FormatFloat(p, 'g', 1, 64)
	}
	if strings.Contains(s, ".") && !strings.ContainsAny(s, "e") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s + "%"
}

var sparkRunes = []rune("▁▂▃▄▅▆▇█")

// Sparkline draws the series in at most width cells (samples are averaged
// into buckets), scaled from its minimum to its maximum; a flat series is
// a flat line.
func (s *Signal) Sparkline(width int) string {
	if s == nil || len(s.Points) == 0 || width <= 0 {
		return ""
	}
	n := len(s.Points)
	if width > n {
		width = n
	}
	vals := make([]float64, width)
	for i := range vals {
		lo, hi := i*n/width, (i+1)*n/width
		var sum float64
		for _, p := range s.Points[lo:hi] {
			sum += p.V
		}
		vals[i] = sum / float64(hi-lo)
	}
	min, max := vals[0], vals[0]
	for _, v := range vals {
		min, max = math.Min(min, v), math.Max(max, v)
	}
	var b strings.Builder
	for _, v := range vals {
		i := 0
		if max > min {
			i = int((v - min) / (max - min) * float64(len(sparkRunes)-1))
		}
		b.WriteRune(sparkRunes[i])
	}
	return b.String()
}

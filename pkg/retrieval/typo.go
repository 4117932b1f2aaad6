package retrieval

// correct replaces query terms the catalog has never seen with a catalog
// term one edit away (insert, delete, substitute or swap two neighbours),
// so "paymnets" finds "payment". Only terms of five letters or more are
// corrected (short ones collide too easily); among candidates the most
// frequent term wins, ties by spelling, so results are deterministic.
func (ix *Index) correct(terms []string) []string {
	var out []string
	for i, t := range terms {
		if _, ok := ix.vocab.id(t); ok || len(t) < 5 || ix.generic(t) {
			continue
		}
		best, bestDF := "", -1
		ix.vocab.each(func(v string, id int32) {
			if abs(len(v)-len(t)) > 1 || !oneEdit(t, v) {
				return
			}
			if df := ix.vocab.df(id); df > bestDF || df == bestDF && v < best {
				best, bestDF = v, df
			}
		})
		if best != "" {
			if out == nil {
				out = append([]string(nil), terms...)
			}
			out[i] = best
		}
	}
	if out == nil {
		return terms
	}
	return out
}

// oneEdit reports whether a and b differ by exactly one insertion,
// deletion, substitution or adjacent transposition.
func oneEdit(a, b string) bool {
	if a == b {
		return false
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	switch len(b) - len(a) {
	case 0:
		if a[i+1:] == b[i+1:] {
			return true // substitution
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	case 1:
		return a[i:] == b[i+1:]
	}
	return false
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

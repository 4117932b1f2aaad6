// Package textdist holds the edit distance behind every "did you mean …?"
// hint (unknown MCP tools, unknown scaffolder actions and input keys,
// unknown catalog refs), so they all rank suggestions the same way.
package textdist

// Levenshtein is the edit distance between a and b, counted in runes.
func Levenshtein(a, b string) int {
	return Bounded(a, b, -1)
}

// Bounded is Levenshtein, giving up once every cell of a row exceeds limit
// (it then returns limit+1). A negative limit means no limit. The bound
// keeps suggestion lookups cheap over large catalogs.
func Bounded(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if limit >= 0 && abs(len(ra)-len(rb)) > limit {
		return limit + 1
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if limit >= 0 && rowMin > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

package retrieval_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/pkg/retrieval"
	"github.com/bsai-dev/bsai/pkg/retrieval/retrievaltest"
)

// scores are the retrieval metrics of one ranker over a set of questions.
type scores struct {
	recall5, mrr float64
	answerable   int
	noneOK, none int
}

func (s *scores) add(c retrievaltest.EvalCase, refs []string, noMatch bool) {
	if c.None {
		s.none++
		if noMatch || len(refs) == 0 {
			s.noneOK++
		}
		return
	}
	s.answerable++
	top := refs[:min(5, len(refs))]
	found := 0
	for _, r := range c.Expect {
		if slices.Contains(top, r) {
			found++
		}
	}
	s.recall5 += float64(found) / float64(len(c.Expect))
	for i, r := range refs {
		if slices.Contains(c.Expect, r) {
			s.mrr += 1 / float64(i+1)
			break
		}
	}
}

func (s scores) avg() (recall, mrr, none float64) {
	if s.answerable > 0 {
		recall, mrr = s.recall5/float64(s.answerable), s.mrr/float64(s.answerable)
	}
	if s.none > 0 {
		none = float64(s.noneOK) / float64(s.none)
	}
	return
}

func refsOf(hs []retrieval.Hit) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.Ref
	}
	return out
}

// TestEvalRecall runs the eval set through this retriever and bsai's first
// substring baseline and reports recall@5, MRR@10 and no-answer accuracy
// per category. Thresholds were set from measurement, a little below it
// (see the report in the commit history / t.Log output).
func TestEvalRecall(t *testing.T) {
	g := retrievaltest.Examples(t)
	cases := retrievaltest.Evals(t, g)
	if len(cases) < 40 {
		t.Fatalf("eval set has %d questions, want at least 40", len(cases))
	}
	ix := retrieval.Build(g)
	ours, base := map[string]*scores{}, map[string]*scores{}
	total, btotal := &scores{}, &scores{}
	held, bheld := &scores{}, &scores{}
	flat := &scores{} // ablation: BM25 and name boosts without graph expansion
	var misses []string
	for _, c := range cases {
		res := ix.Search(context.Background(), c.Question, retrieval.Options{TopK: 10})
		got := refsOf(res.Hits)
		bl := refsOf(retrievaltest.Baseline(g, c.Question, 10))
		if c.Split != "heldout" {
			nf := ix.Search(context.Background(), c.Question, retrieval.Options{TopK: 10, NoExpand: true})
			flat.add(c, refsOf(nf.Hits), nf.NoMatch)
		}
		for _, m := range []map[string]*scores{ours, base} {
			if m[c.Category] == nil {
				m[c.Category] = &scores{}
			}
		}
		if c.Split == "heldout" {
			held.add(c, got, res.NoMatch)
			bheld.add(c, bl, false)
		} else {
			ours[c.Category].add(c, got, res.NoMatch)
			total.add(c, got, res.NoMatch)
			base[c.Category].add(c, bl, false)
			btotal.add(c, bl, false)
		}
		if c.None != res.NoMatch {
			misses = append(misses, fmt.Sprintf("%s: noMatch=%v intents=%v focus=%v top=%v", c.ID, res.NoMatch, res.Intents, res.Focus, got[:min(5, len(got))]))
			continue
		}
		for _, r := range c.Expect {
			if !slices.Contains(got[:min(5, len(got))], r) {
				misses = append(misses, fmt.Sprintf("%s: missing %s; intents=%v focus=%v top5=%v", c.ID, r, res.Intents, res.Focus, got[:min(5, len(got))]))
			}
		}
	}
	cats := make([]string, 0, len(ours))
	for c := range ours {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-13s %4s | %-20s | %-20s\n", "category", "n", "bm25+graph R@5 MRR", "baseline R@5 MRR")
	row := func(name string, o, bs *scores) {
		r, m, n := o.avg()
		br, bm, bn := bs.avg()
		if o.none > 0 {
			fmt.Fprintf(&b, "%-13s %4d | none-ok %-12.2f | none-ok %-12.2f\n", name, o.none, n, bn)
			return
		}
		fmt.Fprintf(&b, "%-13s %4d | %6.3f %6.3f       | %6.3f %6.3f\n", name, o.answerable, r, m, br, bm)
	}
	for _, c := range cats {
		row(c, ours[c], base[c])
	}
	r, m, n := total.avg()
	br, bm, bn := btotal.avg()
	fmt.Fprintf(&b, "%-13s %4d | R@5 %.3f MRR %.3f none %.2f | R@5 %.3f MRR %.3f none %.2f\n", "ALL tuning", total.answerable+total.none, r, m, n, br, bm, bn)
	fr, fm, _ := flat.avg()
	fmt.Fprintf(&b, "%-13s %4d | R@5 %.3f MRR %.3f (ablation: no graph expansion)\n", "no-expand", flat.answerable, fr, fm)
	hr, hm, hn := held.avg()
	hbr, hbm, hbn := bheld.avg()
	fmt.Fprintf(&b, "%-13s %4d | R@5 %.3f MRR %.3f none %.2f | R@5 %.3f MRR %.3f none %.2f\n", "held-out", held.answerable+held.none, hr, hm, hn, hbr, hbm, hbn)
	t.Log(b.String())
	for _, m := range misses {
		t.Log("miss: " + m)
	}

	// Thresholds from measurement (see t.Log): fail on a real regression.
	if r < minRecall5 {
		t.Errorf("recall@5 = %.3f, want >= %.2f", r, minRecall5)
	}
	if m < minMRR {
		t.Errorf("MRR = %.3f, want >= %.2f", m, minMRR)
	}
	if n < minNoneAccuracy {
		t.Errorf("no-answer accuracy = %.2f, want >= %.2f", n, minNoneAccuracy)
	}
	if hr < minHeldOutRecall5 {
		t.Errorf("held-out recall@5 = %.3f, want >= %.2f", hr, minHeldOutRecall5)
	}
	if r < br+0.2 {
		t.Errorf("recall@5 %.3f does not beat the baseline %.3f by 0.2", r, br)
	}
}

package assistant_test

import (
	"context"
	"testing"

	"github.com/bsai-dev/bsai/pkg/assistant"
	"github.com/bsai-dev/bsai/pkg/retrieval"
	"github.com/bsai-dev/bsai/pkg/retrieval/retrievaltest"
)

// BenchmarkAskOffline answers the eval questions offline (retrieval, graph
// walk, cards for the would-be prompt, citation check) and reports the
// estimated prompt tokens a model call would have cost per question.
func BenchmarkAskOffline(b *testing.B) {
	g := retrievaltest.Examples(b)
	a := &assistant.Assistant{Graph: g, Index: retrieval.Build(g)}
	cases := retrievaltest.Evals(b, g)
	var tokens, n int
	i := 0
	for b.Loop() {
		c := cases[i%len(cases)]
		ans, err := a.Ask(context.Background(), assistant.Question{Text: c.Question})
		if err != nil {
			b.Fatal(err)
		}
		tokens += assistant.EstimateTokens(assistant.SystemPrompt+c.Question) + ans.Usage.ContextTokens
		n++
		i++
	}
	b.ReportMetric(float64(tokens)/float64(n), "prompt-tokens/question")
}

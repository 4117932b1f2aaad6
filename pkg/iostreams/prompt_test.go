package iostreams

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

func TestTermPrompter(t *testing.T) {
	var out strings.Builder
	p := &TermPrompter{In: strings.NewReader("yes\nn\n\n"), Out: &out}
	var got []bool
	for i := 0; i < 4; i++ {
		ok, _ := p.Confirm(context.Background(), "Run?")
		got = append(got, ok)
	}
	if fmt.Sprint(got) != "[true false false false]" || strings.Count(out.String(), "[y/N]") != 4 {
		t.Errorf("answers %v, prompts %q", got, out.String())
	}
}

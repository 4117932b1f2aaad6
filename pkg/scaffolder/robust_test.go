package scaffolder

import (
	"strings"
	"testing"
)

// TestOddShapesNoPanic: malformed templates give findings, never a panic.
func TestOddShapesNoPanic(t *testing.T) {
	head := "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\n"
	docs := []string{
		head + "metadata: [a]\nspec: 3\n",
		head + "metadata: {name: x}\nspec: {type: s, steps: nope, parameters: 7, output: [1]}\n",
		head + "metadata: {name: x}\nspec: {type: s, steps: [1, null, [a], {action: 5, input: [1], id: {a: b}}]}\n",
		head + "metadata: {name: x}\nspec: {type: s, parameters: [1, {properties: 3, required: [1, {a: b}]}], steps: [{action: debug:log, each: 3, if: '${{ }}', input: {message: '${{ ((( }}'}}]}\n",
		head + "metadata: {name: x}\nspec: {type: s, steps: [{action: catalog:register, input: {catalogInfoUrl: [1]}}, {action: fs:rename, input: {files: [3, {from: 1}]}}]}\n",
		head + "metadata: {name: x}\nspec: {type: s, steps: [{action: debug:log, input: {message: '${{ steps[parameters.x].output }} ${{ steps.a.b.c }} ${{ steps }}'}}]}\n",
		"kind: Template\n",
		"- a\n- b\n",
		"just a string",
		"",
		"---\n---\n",
	}
	v := newTestValidator(t)
	for i, d := range docs {
		res := v.ValidateBytes("odd.yaml", []byte(d))
		if i < 7 && res.Valid {
			t.Errorf("doc %d: expected findings", i)
		}
	}
}

func TestAliasBomb(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		sb.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("*a" + string(rune('0'+i-1)))
		}
		sb.WriteString("]\n")
	}
	res := newTestValidator(t).ValidateBytes("bomb.yaml", []byte(sb.String()))
	if res.Valid || len(res.Findings) == 0 || res.Findings[0].Rule != RuleYAML {
		t.Fatalf("alias bomb: %+v", res.Findings)
	}
}

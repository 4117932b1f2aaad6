package scaffolder

import (
	"fmt"
	"strings"

	"github.com/bsai-dev/bsai/pkg/textutil"
)

// This file is a small parser for the nunjucks expression subset used
// inside ${{ }} in scaffolder templates: paths (a.b, a['b'], a[0]),
// literals, lists, dicts, calls, filters (x | f(args)), arithmetic,
// comparisons, and/or/not, `in`, `is` tests and the inline `a if c else b`.
// It exists to find references (parameters.x, steps['id'].output.y, each.value)
// and to reject expressions Backstage's templater could not parse.

// exprRef is one variable path used in an expression: Root plus the static
// segments that follow it (a dynamic index ends the list).
type exprRef struct {
	Root string
	Segs []string
	// Call is set when the root itself is called (a global function such as
	// parseRepoUrl(x)), so it is not a variable.
	Call bool
}

// clipExpr shortens an expression body quoted in a finding: a hostile
// multi-megabyte expression must not be echoed whole into every output.
func clipExpr(b string) string {
	return textutil.Truncate(b, 120, fmt.Sprintf("… (%d bytes)", len(b)))
}

// templated reports whether s contains a ${{ }} expression.
func templated(s string) bool { return strings.Contains(s, "${{") }

// splitExprs returns the bodies of the ${{ … }} expressions in s. A `${{`
// without a matching `}}` is an error. Strings inside expressions may contain
// "}}", so quotes are honoured while looking for the end.
func splitExprs(s string) ([]string, error) {
	var out []string
	for {
		i := strings.Index(s, "${{")
		if i < 0 {
			return out, nil
		}
		body := s[i+3:]
		end, err := exprEnd(body)
		if err != nil {
			return out, err
		}
		out = append(out, body[:end])
		s = body[end+2:]
	}
}

func exprEnd(s string) (int, error) {
	var quote byte
	depth := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if quote != 0 {
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
			continue
		}
		switch c {
		case '\'', '"':
			quote = c
		case '{':
			depth++
		case '}':
			if depth == 0 && i+1 < len(s) && s[i+1] == '}' {
				return i, nil
			}
			if depth > 0 {
				depth--
			}
		}
	}
	if quote != 0 {
		return 0, fmt.Errorf("unterminated string in ${{ }} expression")
	}
	return 0, fmt.Errorf("unbalanced ${{: no closing }}")
}

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tNum
	tStr
	tOp
)

type token struct {
	kind tokKind
	val  string
}

func lexExpr(s string) ([]token, error) {
	var toks []token
	ops := []string{"===", "!==", "==", "!=", "<=", ">=", "//", "**", "&&", "||",
		"(", ")", "[", "]", "{", "}", ",", ".", ":", "|", "+", "-", "*", "/", "%", "<", ">", "~", "!", "=", "?"}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '_' || c == '$' || (c|0x20 >= 'a' && c|0x20 <= 'z'):
			j := i + 1
			for j < len(s) && (s[j] == '_' || s[j] == '$' || (s[j]|0x20 >= 'a' && s[j]|0x20 <= 'z') || (s[j] >= '0' && s[j] <= '9')) {
				j++
			}
			toks = append(toks, token{tIdent, s[i:j]})
			i = j
		case c >= '0' && c <= '9':
			j := i + 1
			for j < len(s) && ((s[j] >= '0' && s[j] <= '9') || s[j] == '.' || s[j] == '_') {
				j++
			}
			toks = append(toks, token{tNum, s[i:j]})
			i = j
		case c == '\'' || c == '"':
			var sb strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != c; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				sb.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unterminated string")
			}
			toks = append(toks, token{tStr, sb.String()})
			i = j + 1
		default:
			matched := false
			for _, op := range ops {
				if strings.HasPrefix(s[i:], op) {
					toks = append(toks, token{tOp, op})
					i += len(op)
					matched = true
					break
				}
			}
			if !matched {
				return nil, fmt.Errorf("unexpected character %q", string(c))
			}
		}
	}
	return append(toks, token{kind: tEOF}), nil
}

type exprParser struct {
	toks []token
	i    int
	refs []exprRef
	// depth counts the nesting of the recursive descent. Every nesting
	// construct ((, [, {, calls, filters' args, not, unary -) goes through
	// enter, so hostile input such as 4 MB of "(" ends as a finding instead
	// of a goroutine stack overflow, which Go cannot recover from.
	depth int
}

// maxExprDepth bounds expression nesting. Real templates nest a handful of
// levels; nunjucks itself has no limit but would blow the Node stack far
// below what a Go stack allows, so nothing valid is rejected.
const maxExprDepth = 100

// errTooDeep is returned when an expression nests beyond maxExprDepth.
var errTooDeep = fmt.Errorf("expression nests more than %d levels deep", maxExprDepth)

// enter records one nesting level; leave undoes it.
func (p *exprParser) enter() error {
	if p.depth++; p.depth > maxExprDepth {
		return errTooDeep
	}
	return nil
}

func (p *exprParser) leave() { p.depth-- }

// parseExpr parses one expression body and returns the paths it reads.
func parseExpr(src string) ([]exprRef, error) {
	toks, err := lexExpr(src)
	if err != nil {
		return nil, err
	}
	if len(toks) == 1 {
		return nil, fmt.Errorf("empty expression")
	}
	p := &exprParser{toks: toks}
	if err := p.expr(); err != nil {
		return nil, err
	}
	if p.peek().kind != tEOF {
		return nil, fmt.Errorf("unexpected %q", p.peek().val)
	}
	return p.refs, nil
}

func (p *exprParser) peek() token { return p.toks[p.i] }
func (p *exprParser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}
func (p *exprParser) isOp(v string) bool { t := p.peek(); return t.kind == tOp && t.val == v }
func (p *exprParser) isKw(v string) bool { t := p.peek(); return t.kind == tIdent && t.val == v }
func (p *exprParser) expect(v string) error {
	if !p.isOp(v) {
		t := p.peek()
		if t.kind == tEOF {
			return fmt.Errorf("expected %q, got end of expression", v)
		}
		return fmt.Errorf("expected %q, got %q", v, t.val)
	}
	p.next()
	return nil
}

func (p *exprParser) expr() error {
	if err := p.enter(); err != nil {
		return err
	}
	defer p.leave()
	if err := p.or(); err != nil {
		return err
	}
	if p.isKw("if") { // nunjucks inline if: a if cond else b
		p.next()
		if err := p.or(); err != nil {
			return err
		}
		if p.isKw("else") {
			p.next()
			return p.expr()
		}
		return nil
	}
	if p.isOp("?") { // JavaScript habits nunjucks rejects
		return fmt.Errorf("the ?: operator is not nunjucks; use `a if cond else b`")
	}
	return nil
}

func (p *exprParser) or() error {
	if err := p.and(); err != nil {
		return err
	}
	if p.isOp("||") {
		return fmt.Errorf("`||` is not nunjucks; use `or`")
	}
	for p.isKw("or") {
		p.next()
		if err := p.and(); err != nil {
			return err
		}
	}
	return nil
}

func (p *exprParser) and() error {
	if err := p.not(); err != nil {
		return err
	}
	if p.isOp("&&") {
		return fmt.Errorf("`&&` is not nunjucks; use `and`")
	}
	for p.isKw("and") {
		p.next()
		if err := p.not(); err != nil {
			return err
		}
	}
	return nil
}

func (p *exprParser) not() error {
	if p.isOp("!") {
		return fmt.Errorf("`!` is not nunjucks; use `not`")
	}
	if p.isKw("not") {
		p.next()
		if err := p.enter(); err != nil {
			return err
		}
		defer p.leave()
		return p.not()
	}
	return p.compare()
}

var cmpOps = map[string]bool{"==": true, "===": true, "!=": true, "!==": true, "<": true, ">": true, "<=": true, ">=": true}

func (p *exprParser) compare() error {
	if err := p.concat(); err != nil {
		return err
	}
	for {
		t := p.peek()
		switch {
		case t.kind == tOp && cmpOps[t.val]:
			p.next()
		case p.isKw("in"):
			p.next()
		case p.isKw("not") && p.i+1 < len(p.toks) && p.toks[p.i+1].val == "in":
			p.next()
			p.next()
		case p.isKw("is"): // tests: x is defined, x is not none, x is divisibleby(3)
			p.next()
			if p.isKw("not") {
				p.next()
			}
			if p.peek().kind != tIdent {
				return fmt.Errorf("expected a test name after 'is'")
			}
			p.next()
			if p.isOp("(") {
				if err := p.args(); err != nil {
					return err
				}
			}
			continue
		default:
			return nil
		}
		if err := p.concat(); err != nil {
			return err
		}
	}
}

func (p *exprParser) concat() error {
	if err := p.add(); err != nil {
		return err
	}
	for p.isOp("~") {
		p.next()
		if err := p.add(); err != nil {
			return err
		}
	}
	return nil
}

func (p *exprParser) add() error {
	if err := p.mul(); err != nil {
		return err
	}
	for p.isOp("+") || p.isOp("-") {
		p.next()
		if err := p.mul(); err != nil {
			return err
		}
	}
	return nil
}

func (p *exprParser) mul() error {
	if err := p.unary(); err != nil {
		return err
	}
	for p.isOp("*") || p.isOp("/") || p.isOp("//") || p.isOp("%") || p.isOp("**") {
		p.next()
		if err := p.unary(); err != nil {
			return err
		}
	}
	return nil
}

func (p *exprParser) unary() error {
	if p.isOp("-") || p.isOp("+") {
		p.next()
		if err := p.enter(); err != nil {
			return err
		}
		defer p.leave()
		return p.unary()
	}
	if err := p.primary(); err != nil {
		return err
	}
	for p.isOp("|") { // filters
		p.next()
		if p.peek().kind != tIdent {
			return fmt.Errorf("expected a filter name after '|'")
		}
		p.next()
		for p.isOp(".") { // namespaced filter names are not nunjucks, but harmless
			p.next()
			if p.peek().kind != tIdent {
				return fmt.Errorf("expected a name after '.'")
			}
			p.next()
		}
		if p.isOp("(") {
			if err := p.args(); err != nil {
				return err
			}
		}
	}
	return nil
}

// args parses (a, b, key=value) after the opening parenthesis is peeked.
func (p *exprParser) args() error {
	if err := p.expect("("); err != nil {
		return err
	}
	for !p.isOp(")") {
		if p.peek().kind == tIdent && p.i+1 < len(p.toks) && p.toks[p.i+1].kind == tOp && p.toks[p.i+1].val == "=" {
			p.next()
			p.next()
		}
		if err := p.expr(); err != nil {
			return err
		}
		if !p.isOp(",") {
			break
		}
		p.next()
	}
	return p.expect(")")
}

var literalIdents = map[string]bool{"true": true, "false": true, "True": true, "False": true, "none": true, "None": true, "null": true, "undefined": true}

func (p *exprParser) primary() error {
	t := p.next()
	switch t.kind {
	case tNum, tStr:
		return p.postfix(nil)
	case tIdent:
		if literalIdents[t.val] {
			return p.postfix(nil)
		}
		ref := &exprRef{Root: t.val}
		err := p.postfix(ref)
		p.refs = append(p.refs, *ref)
		return err
	case tOp:
		switch t.val {
		case "(":
			if err := p.expr(); err != nil {
				return err
			}
			if err := p.expect(")"); err != nil {
				return err
			}
			return p.postfix(nil)
		case "[":
			for !p.isOp("]") {
				if err := p.expr(); err != nil {
					return err
				}
				if !p.isOp(",") {
					break
				}
				p.next()
			}
			if err := p.expect("]"); err != nil {
				return err
			}
			return p.postfix(nil)
		case "{":
			for !p.isOp("}") {
				if err := p.expr(); err != nil { // key
					return err
				}
				if err := p.expect(":"); err != nil {
					return err
				}
				if err := p.expr(); err != nil {
					return err
				}
				if !p.isOp(",") {
					break
				}
				p.next()
			}
			if err := p.expect("}"); err != nil {
				return err
			}
			return p.postfix(nil)
		}
		return fmt.Errorf("unexpected %q", t.val)
	}
	return fmt.Errorf("unexpected end of expression")
}

// postfix parses .name, [expr] and (args) after a primary, extending ref's
// static segments until the first dynamic part.
func (p *exprParser) postfix(ref *exprRef) error {
	static := ref != nil
	for {
		switch {
		case p.isOp("."):
			p.next()
			t := p.next()
			if t.kind != tIdent && t.kind != tNum {
				return fmt.Errorf("expected a name after '.'")
			}
			if static {
				ref.Segs = append(ref.Segs, t.val)
			}
		case p.isOp("["):
			p.next()
			if p.peek().kind == tStr && p.i+1 < len(p.toks) && p.toks[p.i+1].val == "]" {
				s := p.next().val
				if static {
					ref.Segs = append(ref.Segs, s)
				}
			} else {
				static = false
				if err := p.expr(); err != nil {
					return err
				}
			}
			if err := p.expect("]"); err != nil {
				return err
			}
		case p.isOp("("):
			if ref != nil && len(ref.Segs) == 0 && static {
				ref.Call = true
			}
			static = false
			if err := p.args(); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

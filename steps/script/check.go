package script

import (
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"
)

// CheckTemplate reports every action in t, and in every template associated
// with t, that prints a value without passing it last through one of the
// allowed encoder functions (for example {"ps": true, "pslist": true}).
//
// An action prints when it is a plain {{pipeline}} without a variable
// declaration. Such an action passes only if the final command of its
// pipeline is a call of an allowed function: {{ps .Name}} and
// {{.Name | ps}} pass; {{.Name}}, {{printf "%s" .Name}},
// {{ps .Name | printf "%s"}} and {{(ps .Name)}} fail. The pipelines of
// if, range and with are conditions, not output, and are not checked; their
// bodies are. {{$x := .Name}} prints nothing and passes; a later {{$x}} is
// checked like any other action. {{template "x" .}} and {{block}} pass
// because the called template is itself one of t's associated templates and
// is checked in turn.
//
// The check is what makes "templates may only interpolate through encoders"
// a rule a test enforces: a forgotten encoder fails the build rather than
// shipping a script a value can break out of.
func CheckTemplate(t *template.Template, allowed map[string]bool) error {
	if t == nil {
		return errors.New("no template to check")
	}
	templates := t.Templates()
	sort.Slice(templates, func(i, j int) bool { return templates[i].Name() < templates[j].Name() })
	var problems []string
	for _, tt := range templates {
		if tt.Tree == nil || tt.Tree.Root == nil {
			continue
		}
		c := checker{tree: tt.Tree, allowed: allowed}
		c.walk(tt.Tree.Root)
		problems = append(problems, c.problems...)
	}
	if len(problems) > 0 {
		return fmt.Errorf("template %q prints values without an encoder (%s):\n%s",
			t.Name(), allowedNames(allowed), strings.Join(problems, "\n"))
	}
	return nil
}

func allowedNames(allowed map[string]bool) string {
	var names []string
	for name, ok := range allowed {
		if ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "no encoder is allowed"
	}
	return "allowed: " + strings.Join(names, ", ")
}

type checker struct {
	tree     *parse.Tree
	allowed  map[string]bool
	problems []string
}

func (c *checker) walk(n parse.Node) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, child := range n.Nodes {
			c.walk(child)
		}
	case *parse.ActionNode:
		if why := c.unencoded(n.Pipe); why != "" {
			c.report(n, why)
		}
	case *parse.IfNode:
		c.walk(n.List)
		c.walk(n.ElseList)
	case *parse.RangeNode:
		c.walk(n.List)
		c.walk(n.ElseList)
	case *parse.WithNode:
		c.walk(n.List)
		c.walk(n.ElseList)
	case *parse.TemplateNode, *parse.TextNode, *parse.CommentNode,
		*parse.BreakNode, *parse.ContinueNode:
		// Prints no value of its own.
	default:
		c.report(n, "unknown kind of template node; the checker cannot vouch for it")
	}
}

func (c *checker) report(n parse.Node, why string) {
	loc, _ := c.tree.ErrorContext(n)
	if c.tree.Name != c.tree.ParseName {
		loc += " (in " + strconv.Quote(c.tree.Name) + ")"
	}
	c.problems = append(c.problems, fmt.Sprintf("  %s: %s: %s", loc, n, why))
}

// unencoded returns why the pipeline's output is not encoded, or "" if it is.
func (c *checker) unencoded(p *parse.PipeNode) string {
	if p == nil {
		return "empty action"
	}
	if len(p.Decl) > 0 {
		return "" // {{$x := …}} and {{$x = …}} print nothing.
	}
	if len(p.Cmds) == 0 {
		return "empty pipeline"
	}
	last := p.Cmds[len(p.Cmds)-1]
	if len(last.Args) == 0 {
		return "empty command"
	}
	id, ok := last.Args[0].(*parse.IdentifierNode)
	if !ok {
		return "the value is printed as is; end the pipeline with an encoder"
	}
	if !c.allowed[id.Ident] {
		return fmt.Sprintf("the pipeline ends in %q, which is not an encoder", id.Ident)
	}
	return ""
}

// MustParseTemplate parses templates/name from fsys (a procedure's embedded
// templates folder) with funcs, failing on a missing map key rather than
// printing "<no value>" into a script. A template that does not parse is a
// bug in the program, found by the first test that loads the package, so
// it panics.
func MustParseTemplate(fsys fs.FS, name string, funcs template.FuncMap) *template.Template {
	return template.Must(template.New(name).Funcs(funcs).Option("missingkey=error").ParseFS(fsys, "templates/"+name))
}

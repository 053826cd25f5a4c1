package web

import (
	"bytes"
	"html"
	"io"
	"net/url"
	"slices"
	"strings"

	xhtml "golang.org/x/net/html"
)

// refill puts the values of a form that was sent but not accepted back
// into the same form of a freshly rendered page, so that nothing the user
// typed is lost. The form is the one that posts to action; of several, the
// one whose hidden fields best match values. Text fields, text areas,
// hidden fields, radios, checkboxes and selects take the sent values (the
// CSRF fields keep the new page's); password and file fields stay empty.
// It returns the page and whether it found the form; notice, when not
// empty, is inserted at the start of the page's <main>.
func refill(page []byte, action string, values url.Values, notice []byte) ([]byte, bool) {
	form := chooseForm(page, action, values)
	if form < 0 {
		return page, false
	}
	var out bytes.Buffer
	out.Grow(len(page) + len(notice) + 1024)
	z := xhtml.NewTokenizer(bytes.NewReader(page))
	forms := -1
	inForm := false
	used := map[string]int{} // values of a name used so far, for repeated names
	selectName := ""
	mainAt := -1
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			if z.Err() != io.EOF {
				return page, false
			}
			break
		}
		raw := z.Raw()
		if tt != xhtml.StartTagToken && tt != xhtml.EndTagToken && tt != xhtml.SelfClosingTagToken {
			out.Write(raw)
			continue
		}
		rawCopy := slices.Clone(raw)
		tok := z.Token()
		switch {
		case tok.Data == "main" && tt == xhtml.StartTagToken && mainAt < 0:
			out.Write(rawCopy)
			mainAt = out.Len()
			continue
		case tok.Data == "form" && tt == xhtml.StartTagToken:
			forms++
			inForm = forms == form
		case tok.Data == "form" && tt == xhtml.EndTagToken:
			inForm = false
		}
		if !inForm || tt == xhtml.EndTagToken {
			if tok.Data == "select" && tt == xhtml.EndTagToken {
				selectName = ""
			}
			out.Write(rawCopy)
			continue
		}
		name := attr(tok, "name")
		switch tok.Data {
		case "input":
			typ := strings.ToLower(attr(tok, "type"))
			switch {
			case name == "" || name == "csrf_token" || name == "csrf_page" || keepOut(name):
			case typ == "checkbox" || typ == "radio":
				v, ok := attrOK(tok, "value")
				if !ok {
					v = "on"
				}
				setBool(&tok, "checked", slices.Contains(values[name], v))
				rawCopy = tagBytes(tok, tt)
			case typ == "password" || typ == "file" || typ == "submit" || typ == "button" || typ == "image" || typ == "reset":
			default:
				if v, ok := nextValue(values, used, name); ok {
					setAttr(&tok, "value", v)
					rawCopy = tagBytes(tok, tt)
				}
			}
			out.Write(rawCopy)
		case "textarea":
			out.Write(rawCopy)
			v, ok := nextValue(values, used, name)
			if !ok || name == "" || keepOut(name) {
				continue
			}
			// Skip the rendered content, up to the end tag.
			for {
				t2 := z.Next()
				if t2 == xhtml.ErrorToken {
					return page, false
				}
				if t2 == xhtml.EndTagToken {
					if n, _ := z.TagName(); string(n) == "textarea" {
						break
					}
				}
			}
			if strings.HasPrefix(v, "\n") {
				// The parser drops one newline right after the start tag.
				out.WriteByte('\n')
			}
			out.WriteString(html.EscapeString(v))
			out.WriteString("</textarea>")
		case "select":
			selectName = name
			out.Write(rawCopy)
		case "option":
			if selectName != "" && !keepOut(selectName) {
				if v, ok := attrOK(tok, "value"); ok {
					setBool(&tok, "selected", slices.Contains(values[selectName], v))
					rawCopy = tagBytes(tok, tt)
				}
			}
			out.Write(rawCopy)
		default:
			out.Write(rawCopy)
		}
	}
	b := out.Bytes()
	if len(notice) > 0 && mainAt >= 0 {
		b = slices.Concat(b[:mainAt], notice, b[mainAt:])
	}
	return b, true
}

// chooseForm returns the index, among the page's forms, of the form that
// posts to action and whose hidden fields best match values, or -1.
func chooseForm(page []byte, action string, values url.Values) int {
	z := xhtml.NewTokenizer(bytes.NewReader(page))
	best, bestScore := -1, 0
	forms, cur, score := -1, -1, 0
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			return best
		}
		if tt != xhtml.StartTagToken && tt != xhtml.EndTagToken && tt != xhtml.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		switch {
		case tok.Data == "form" && tt == xhtml.StartTagToken:
			forms++
			cur, score = -1, 0
			if sameAction(attr(tok, "action"), action) {
				cur = forms
			}
		case tok.Data == "form" && tt == xhtml.EndTagToken:
			if cur >= 0 && (best < 0 || score > bestScore) {
				best, bestScore = cur, score
			}
			cur = -1
		case tok.Data == "input" && cur >= 0 && strings.EqualFold(attr(tok, "type"), "hidden"):
			name := attr(tok, "name")
			if name == "" || name == "csrf_token" || name == "csrf_page" {
				continue
			}
			if slices.Contains(values[name], attr(tok, "value")) {
				score++
			} else if _, ok := values[name]; !ok {
				score--
			}
		}
	}
}

// sameAction reports whether a form's action attribute names the address
// a form was posted to; a fragment does not count.
func sameAction(attrValue, posted string) bool {
	a, _, _ := strings.Cut(attrValue, "#")
	return a == posted
}

// keepOut reports whether the field name holds a secret that is never
// kept: passwords are typed again.
func keepOut(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "password") || n == "confirm"
}

func nextValue(values url.Values, used map[string]int, name string) (string, bool) {
	vs, ok := values[name]
	if !ok {
		return "", false
	}
	i := used[name]
	used[name] = i + 1
	if i >= len(vs) {
		return "", true
	}
	return vs[i], true
}

func attr(t xhtml.Token, key string) string {
	v, _ := attrOK(t, key)
	return v
}

func attrOK(t xhtml.Token, key string) (string, bool) {
	for _, a := range t.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func setAttr(t *xhtml.Token, key, val string) {
	for i, a := range t.Attr {
		if a.Namespace == "" && a.Key == key {
			t.Attr[i].Val = val
			return
		}
	}
	t.Attr = append(t.Attr, xhtml.Attribute{Key: key, Val: val})
}

func setBool(t *xhtml.Token, key string, on bool) {
	t.Attr = slices.DeleteFunc(t.Attr, func(a xhtml.Attribute) bool { return a.Namespace == "" && a.Key == key })
	if on {
		t.Attr = append(t.Attr, xhtml.Attribute{Key: key})
	}
}

// booleanAttrs are written without a value.
var booleanAttrs = map[string]bool{"checked": true, "selected": true, "disabled": true, "readonly": true,
	"required": true, "multiple": true, "autofocus": true, "novalidate": true, "hidden": true}

// tagBytes writes a start tag again from its parsed form.
func tagBytes(t xhtml.Token, tt xhtml.TokenType) []byte {
	var b bytes.Buffer
	b.WriteByte('<')
	b.WriteString(t.Data)
	for _, a := range t.Attr {
		b.WriteByte(' ')
		b.WriteString(a.Key)
		if booleanAttrs[a.Key] && a.Val == "" {
			continue
		}
		b.WriteString(`="`)
		b.WriteString(html.EscapeString(a.Val))
		b.WriteByte('"')
	}
	if tt == xhtml.SelfClosingTagToken {
		b.WriteString("/>")
	} else {
		b.WriteByte('>')
	}
	return b.Bytes()
}
